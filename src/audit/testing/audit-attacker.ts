import { DatabaseSync } from 'node:sqlite'
import { GENESIS_HASH, hashRecord } from '../audit-hash.ts'
import type { AuditEntry, AuditRecord } from '../audit-log.ts'
import type { auditSettings } from '../audit-settings.ts'
import { SqliteAuditLog } from '../sqlite-audit-log.ts'

/**
 * What an attacker with write access to the database file does, the way they would: node:sqlite
 * straight on the file, recomputing plain SHA-256 hashes where that helps them.
 * @module
 */

export type AuditConfig = Parameters<typeof auditSettings>[0]

export const NO_AUDIT_CONFIG: AuditConfig = {
  HELPDESK_AUDIT_KEY: undefined,
  HELPDESK_AUDIT_KEY_FILE: undefined,
  HELPDESK_AUDIT_CHECKPOINT_FILE: undefined,
  HELPDESK_AUDIT_CHECKPOINT_SYSLOG: false,
}

export const decisions: AuditEntry[] = [
  { actor: 'tom', action: 'approval-grant', target: 'LT-0423', detail: { request: 'r-1' } },
  { actor: 'tina', action: 'step-execute', target: 'LT-0423', detail: { script: 'echo 1' } },
  { actor: 'tom', action: 'approval-grant', target: 'DC-01', detail: { request: 'r-2' } },
  { actor: 'tina', action: 'step-execute', target: 'DC-01', detail: { script: 'echo 2' } },
  { actor: 'tom', action: 'approval-deny', target: 'DC-02', detail: { request: 'r-3' } },
]

/** Appends `entries` through the log, as the helpdesk does. */
export async function writeRecords(file: string, entries = decisions): Promise<AuditRecord[]> {
  const log = new SqliteAuditLog({ file })
  const records: AuditRecord[] = []
  try {
    for (const entry of entries) records.push(await log.append(entry))
  } finally {
    await log.close()
  }
  return records
}

/** The attacker: raw SQL on the database file, triggers dropped first. */
export function attack(file: string, statements: string): void {
  const raw = new DatabaseSync(file)
  try {
    raw.exec(`DROP TRIGGER IF EXISTS audit_records_no_update;
      DROP TRIGGER IF EXISTS audit_records_no_delete;
      DROP TRIGGER IF EXISTS audit_head_no_delete;
      DROP TRIGGER IF EXISTS audit_head_forward;`)
    raw.exec(statements)
  } finally {
    raw.close()
  }
}

interface RawRow {
  sequence: number
  at: string
  actor: string
  action: string
  target: string | null
  request_id: string | null
  detail: string
  previous_hash: string
}

/** Recomputes the plain SHA-256 chain from `from` on, as the old unkeyed format allowed. */
export function rechain(file: string, from: number, format: number): void {
  const raw = new DatabaseSync(file)
  try {
    const rows = raw
      .prepare('SELECT * FROM audit_records ORDER BY sequence')
      .all() as unknown as RawRow[]
    let previousHash = GENESIS_HASH
    for (const row of rows) {
      if (row.sequence >= from) {
        const hash = hashRecord({
          sequence: row.sequence,
          at: row.at,
          actor: row.actor,
          action: row.action,
          ...(row.target !== null ? { target: row.target } : {}),
          ...(row.request_id !== null ? { requestId: row.request_id } : {}),
          detail: JSON.parse(row.detail),
          previousHash,
        })
        raw
          .prepare(
            'UPDATE audit_records SET previous_hash = ?, hash = ?, format = ? WHERE sequence = ?',
          )
          .run(previousHash, hash, format, row.sequence)
        previousHash = hash
      } else {
        previousHash = (
          raw.prepare('SELECT hash FROM audit_records WHERE sequence = ?').get(row.sequence) as {
            hash: string
          }
        ).hash
      }
    }
    raw.prepare('UPDATE audit_head SET hash = ?, count = ?').run(previousHash, rows.length)
  } finally {
    raw.close()
  }
}

/** A database as the unkeyed version wrote it: no format column, a plain SHA-256 chain. */
export function writeLegacyDatabase(file: string, count: number): void {
  const raw = new DatabaseSync(file)
  raw.exec(`CREATE TABLE audit_records (sequence INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,
      action TEXT NOT NULL, target TEXT, request_id TEXT, detail TEXT NOT NULL, previous_hash TEXT NOT NULL, hash TEXT NOT NULL);
    CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER NOT NULL, hash TEXT NOT NULL);`)
  let previousHash = GENESIS_HASH
  for (let sequence = 1; sequence <= count; sequence += 1) {
    const content = {
      sequence,
      at: `2026-01-0${sequence}T00:00:00.000Z`,
      actor: 'tom',
      action: 'approval-grant',
      detail: { request: `r-${sequence}` },
      previousHash,
    }
    const hash = hashRecord(content)
    raw
      .prepare(
        'INSERT INTO audit_records (sequence, at, actor, action, detail, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        sequence,
        content.at,
        content.actor,
        content.action,
        JSON.stringify(content.detail),
        previousHash,
        hash,
      )
    previousHash = hash
  }
  raw.prepare('INSERT INTO audit_head (id, count, hash) VALUES (1, ?, ?)').run(count, previousHash)
  raw.close()
}
