import { createHash } from 'node:crypto'
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

export function hashRecord(record: Omit<AuditRecord, 'hash'>): string {
  const content = canonicalJson({
    sequence: record.sequence,
    at: record.at,
    actor: record.actor,
    action: record.action,
    target: record.target ?? null,
    requestId: record.requestId ?? null,
    detail: record.detail,
    previousHash: record.previousHash,
  })
  return createHash('sha256').update(content).digest('hex')
}
