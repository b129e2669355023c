import type { AuditValue } from './audit-log.ts'
import type { StoredAuditRecord } from './audit-verification.ts'

/**
 * How an `audit_records` row reads back as a record, for every AuditLog implementation (SQLite
 * and PostgreSQL keep the same columns, the detail as JSON text): each keeps only its SQL.
 * @module
 */

export interface AuditRecordRow {
  /** PostgreSQL's BIGINT is read as `sequence::float8`, so a number from both databases. */
  sequence: number
  at: string
  actor: string
  action: string
  target: string | null
  request_id: string | null
  detail: string
  previous_hash: string
  hash: string
  format: number
  key_id: string | null
}

export function recordFromRow(row: AuditRecordRow): StoredAuditRecord {
  return {
    sequence: row.sequence,
    at: row.at,
    actor: row.actor,
    action: row.action,
    ...(row.target !== null ? { target: row.target } : {}),
    ...(row.request_id !== null ? { requestId: row.request_id } : {}),
    detail: JSON.parse(row.detail) as { [key: string]: AuditValue },
    previousHash: row.previous_hash,
    hash: row.hash,
    format: row.format,
    keyId: row.key_id,
  }
}
