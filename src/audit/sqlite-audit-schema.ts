import type { AuditValue } from './audit-log.ts'
import type { StoredAuditRecord } from './audit-verification.ts'

/** The audit tables of the project store, and how a row reads back as a record. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_records (
  sequence INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  request_id TEXT,
  detail TEXT NOT NULL,
  previous_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  format INTEGER NOT NULL DEFAULT 1,
  key_id TEXT
);
-- The head remembers how long the chain is, so deleting its last records is detected too.
CREATE TABLE IF NOT EXISTS audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  count INTEGER NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_records_no_update BEFORE UPDATE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_records_no_delete BEFORE DELETE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward'); END;
CREATE TRIGGER IF NOT EXISTS audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.count <> OLD.count + 1
BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward'); END;
`

/** Columns added by the keyed format, for databases written before it (all their records are legacy). */
export const KEYED_COLUMNS = {
  format: 'ALTER TABLE audit_records ADD COLUMN format INTEGER NOT NULL DEFAULT 1',
  key_id: 'ALTER TABLE audit_records ADD COLUMN key_id TEXT',
} as const

export interface Row {
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

export function toRecord(row: Row): StoredAuditRecord {
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
