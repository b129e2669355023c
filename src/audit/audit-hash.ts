import { createHash } from 'node:crypto'
import type { AuditKey } from './audit-key.ts'
import type { AuditRecord, AuditValue } from './audit-log.ts'

export const GENESIS_HASH = '0'.repeat(64)

const SECRET_KEY = /pass(word|phrase)?|secret|token|api[-_]?key|credential|private[-_]?key/i

/** Masks values stored under keys that name secrets, at any depth. */
export function redactSecrets(value: AuditValue): AuditValue {
  if (Array.isArray(value)) return value.map(redactSecrets)
  if (value !== null && typeof value === 'object') {
    const masked: { [key: string]: AuditValue } = {}
    for (const [key, inner] of Object.entries(value))
      masked[key] = SECRET_KEY.test(key) ? '[redacted]' : redactSecrets(inner)
    return masked
  }
  return value
}

/** JSON with keys sorted at every depth: the same record always hashes the same. */
export function canonicalJson(value: AuditValue | undefined): string {
  if (value === undefined) return 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * The record formats: 1 (legacy) is a plain SHA-256 chain, which anyone who can write the
 * database can recompute; 2 is HMAC-SHA256 with a key kept outside the database.
 */
export const LEGACY_FORMAT = 1
export const KEYED_FORMAT = 2

/** A legacy (format 1) record's hash: plain SHA-256 of its content. */
export function hashRecord(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(recordContent(record)).digest('hex')
}

/**
 * A keyed (format 2) record's hash: HMAC-SHA256 of its content, its format and the key's id,
 * so that neither can be swapped without the key.
 */
export function signRecord(record: Omit<AuditRecord, 'hash'>, key: AuditKey): string {
  return key.sign(`${KEYED_FORMAT}:${key.id}:${recordContent(record)}`)
}

export function verifiesRecord(record: AuditRecord, key: AuditKey): boolean {
  const { hash, ...content } = record
  return key.verifies(`${KEYED_FORMAT}:${key.id}:${recordContent(content)}`, hash)
}

function recordContent(record: Omit<AuditRecord, 'hash'>): string {
  return canonicalJson({
    sequence: record.sequence,
    at: record.at,
    actor: record.actor,
    action: record.action,
    target: record.target ?? null,
    requestId: record.requestId ?? null,
    detail: record.detail,
    previousHash: record.previousHash,
  })
}
