import type { DatabaseSync } from 'node:sqlite'
import { HelpdeskError } from '../errors/index.ts'
import { openProjectDatabase } from '../store/open-project-database.ts'
import { GENESIS_HASH, hashRecord, redactSecrets } from './audit-hash.ts'
import type {
  AuditEntry,
  AuditLog,
  AuditRecord,
  AuditValue,
  AuditVerification,
} from './audit-log.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_records (
  sequence INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  request_id TEXT,
  detail TEXT NOT NULL,
  previous_hash TEXT NOT NULL,
  hash TEXT NOT NULL
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
`

interface Row {
  sequence: number
  at: string
  actor: string
  action: string
  target: string | null
  request_id: string | null
  detail: string
  previous_hash: string
  hash: string
}

/** The audit log in an SQLite file (`node:sqlite`, no native addon): the embedded default. */
export class SqliteAuditLog implements AuditLog {
  private readonly database: DatabaseSync
  private readonly now: () => Date

  /** @param file a path, or `:memory:` */
  constructor(options: { file: string; now?: () => Date }) {
    this.database = openProjectDatabase(options.file)
    this.database.exec(SCHEMA)
    this.now = options.now ?? (() => new Date())
  }

  async append(entry: AuditEntry): Promise<AuditRecord> {
    try {
      // One immediate transaction: concurrent writers queue here instead of forking the chain.
      this.database.exec('BEGIN IMMEDIATE')
      try {
        const head = this.database
          .prepare('SELECT count, hash FROM audit_head WHERE id = 1')
          .get() as { count: number; hash: string } | undefined
        const partial: Omit<AuditRecord, 'hash'> = {
          sequence: (head?.count ?? 0) + 1,
          at: this.now().toISOString(),
          actor: entry.actor,
          action: entry.action,
          ...(entry.target !== undefined ? { target: entry.target } : {}),
          ...(entry.requestId !== undefined ? { requestId: entry.requestId } : {}),
          detail: redactSecrets(entry.detail) as AuditEntry['detail'],
          previousHash: head?.hash ?? GENESIS_HASH,
        }
        const record: AuditRecord = { ...partial, hash: hashRecord(partial) }
        this.database
          .prepare(
            'INSERT INTO audit_records (sequence, at, actor, action, target, request_id, detail, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(
            record.sequence,
            record.at,
            record.actor,
            record.action,
            record.target ?? null,
            record.requestId ?? null,
            JSON.stringify(record.detail),
            record.previousHash,
            record.hash,
          )
        this.database
          .prepare(
            'INSERT INTO audit_head (id, count, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET count = excluded.count, hash = excluded.hash',
          )
          .run(record.sequence, record.hash)
        this.database.exec('COMMIT')
        return record
      } catch (error) {
        this.database.exec('ROLLBACK')
        throw error
      }
    } catch (error) {
      throw new HelpdeskError({
        code: 'AUDIT_FAILED',
        category: 'SYSTEM',
        message: `the audit record could not be written: ${(error as Error).message}`,
        cause: error,
      })
    }
  }

  async list(
    options: { after?: number; limit?: number; newest?: boolean; before?: number } = {},
  ): Promise<AuditRecord[]> {
    const rows = options.newest
      ? (this.database
          .prepare(
            'SELECT * FROM audit_records WHERE sequence > ? AND sequence < ? ORDER BY sequence DESC LIMIT ?',
          )
          .all(
            options.after ?? 0,
            options.before ?? Number.MAX_SAFE_INTEGER,
            options.limit ?? -1,
          ) as unknown as Row[])
      : (this.database
          .prepare('SELECT * FROM audit_records WHERE sequence > ? ORDER BY sequence LIMIT ?')
          .all(options.after ?? 0, options.limit ?? -1) as unknown as Row[])
    return rows.map(toRecord)
  }

  async verify(): Promise<AuditVerification> {
    let expected = 1
    let previousHash = GENESIS_HASH
    for (const row of this.database
      .prepare('SELECT * FROM audit_records ORDER BY sequence')
      .iterate() as Iterable<Row>) {
      const record = toRecord(row)
      const count = expected - 1
      if (record.sequence !== expected) {
        return {
          ok: false,
          count,
          sequence: expected,
          reason: `record ${expected} is missing (the next one is ${record.sequence})`,
        }
      }
      if (record.previousHash !== previousHash) {
        return {
          ok: false,
          count,
          sequence: record.sequence,
          reason: 'it does not follow the record before it (previous hash differs)',
        }
      }
      const { hash, ...content } = record
      if (hashRecord(content) !== hash) {
        return {
          ok: false,
          count,
          sequence: record.sequence,
          reason: 'its content was changed after it was written (hash differs)',
        }
      }
      previousHash = hash
      expected += 1
    }
    const count = expected - 1
    const head = this.database.prepare('SELECT count, hash FROM audit_head WHERE id = 1').get() as
      | { count: number; hash: string }
      | undefined
    if ((head?.count ?? 0) !== count || (head?.hash ?? GENESIS_HASH) !== previousHash) {
      return {
        ok: false,
        count,
        sequence: count + 1,
        reason: `the log ends at record ${count} but ${head?.count ?? 0} were written (records were removed from the end)`,
      }
    }
    return { ok: true, count, headHash: previousHash }
  }

  async close(): Promise<void> {
    if (this.database.isOpen) this.database.close()
  }
}

function toRecord(row: Row): AuditRecord {
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
  }
}
