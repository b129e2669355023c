import type { DatabaseSync } from 'node:sqlite'
import { HelpdeskError } from '../errors/index.ts'
import { openProjectDatabase } from '../store/open-project-database.ts'
import {
  type CheckpointSource,
  describeCheckpointSource,
  lastCheckpointOf,
  readCheckpointSource,
} from './audit-checkpoint-set.ts'
import {
  AuditCheckpointFile,
  type CheckpointForwarder,
  type CheckpointReading,
  defaultCheckpointFile,
  signCheckpoint,
} from './audit-checkpoints.ts'
import { KEYED_FORMAT } from './audit-hash.ts'
import { AuditKey, type AuditKeyLocation, defaultKeyLocation, openAuditKey } from './audit-key.ts'
import type { AuditEntry, AuditLog, AuditRecord, AuditVerification } from './audit-log.ts'
import { type AuditRecordRow, recordFromRow } from './audit-record-row.ts'
import { type StoredAuditRecord, verifyChain } from './audit-verification.ts'
import { AuditAppendBatch, writeAuditBatch } from './sqlite-audit-batch.ts'
import { KEYED_COLUMNS, SCHEMA } from './sqlite-audit-schema.ts'

export interface SqliteAuditLogOptions {
  /** A path, or `:memory:` (then a random key and no checkpoints: for tests). */
  file: string
  now?: () => Date
  /** The key; without it, it is found at `keyLocation`. */
  key?: AuditKey
  /**
   * Where the key is (see `auditLogOptions`). Default: `audit.key` beside the database. A missing
   * key is created there only when that is the default file and the log has no keyed record yet.
   */
  keyLocation?: AuditKeyLocation
  /** The checkpoint file. Default: `audit-checkpoints.jsonl` beside the database. */
  checkpointFile?: string
  /** Replicas: the shared directory whose files are all read to verify (see CheckpointSource). */
  checkpointDirectory?: string
  /** Also sends each checkpoint line elsewhere (syslog). */
  forward?: CheckpointForwarder
  /** Told when a key file is created (never the key). */
  log?: (line: string) => void
}

/**
 * The audit log in an SQLite file (`node:sqlite`, no native addon): the embedded default.
 * Records are signed with HMAC-SHA256 under a key kept outside the database, and each append
 * writes a signed checkpoint of the new head to a file outside the database.
 */
export class SqliteAuditLog implements AuditLog {
  private readonly database: DatabaseSync
  private readonly now: () => Date
  private readonly key: AuditKey | undefined
  private readonly checkpointPath: string | undefined
  private readonly checkpointDirectory: string | undefined
  private readonly checkpoints: AuditCheckpointFile | undefined

  private readonly readOnly: boolean
  private readonly batch = new AuditAppendBatch((entries) => this.writeBatch(entries))

  constructor(options: SqliteAuditLogOptions & { readOnly?: boolean }) {
    this.database = openProjectDatabase(options.file)
    this.now = options.now ?? (() => new Date())
    this.readOnly = options.readOnly === true
    this.checkpointDirectory = options.checkpointDirectory
    try {
      if (this.readOnly) {
        this.key = options.key
        this.checkpointPath = options.checkpointFile ?? defaultCheckpointFile(options.file)
        this.checkpoints = undefined
        return
      }
      this.database.exec(SCHEMA)
      this.addKeyedColumns()
      const inMemory = options.file === ':memory:'
      this.key =
        options.key ??
        (inMemory
          ? AuditKey.generate()
          : openAuditKey(options.keyLocation ?? defaultKeyLocation(options.file), {
              signedBy: () => this.keyedRecord()?.key_id,
              ...(options.log ? { log: options.log } : {}),
            }))
      this.checkpointPath = inMemory
        ? undefined
        : (options.checkpointFile ?? defaultCheckpointFile(options.file))
      this.checkpoints = this.checkpointPath
        ? new AuditCheckpointFile({
            file: this.checkpointPath,
            ...(options.forward ? { forward: options.forward } : {}),
          })
        : undefined
      this.adoptLegacyRecords()
      this.warnWhenBehind(options.log)
    } catch (error) {
      this.database.close()
      throw error
    }
  }

  /**
   * Opens an existing log only to read and verify it: no table is created and nothing is
   * written, so a dropped table stays dropped and `verify` says so.
   */
  static openExisting(options: {
    file: string
    /** Needed by `verify` only. */
    key?: AuditKey
    checkpointFile?: string
    checkpointDirectory?: string
  }): SqliteAuditLog {
    return new SqliteAuditLog({ ...options, readOnly: true })
  }

  /** In one write transaction: two processes upgrading the same file at once add each column once. */
  private addKeyedColumns(): void {
    if (Object.keys(KEYED_COLUMNS).every((column) => this.columns().has(column))) return
    this.database.exec('BEGIN IMMEDIATE')
    try {
      const columns = this.columns()
      for (const [column, statement] of Object.entries(KEYED_COLUMNS))
        if (!columns.has(column)) this.database.exec(statement)
      this.database.exec('COMMIT')
    } catch (error) {
      this.database.exec('ROLLBACK')
      throw error
    }
  }

  private columns(): Set<string> {
    const rows = this.database.prepare('PRAGMA table_info(audit_records)').all() as Array<{
      name: string
    }>
    return new Set(rows.map((row) => row.name))
  }

  private tables(): Set<string> {
    const rows = this.database
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'audit_%'")
      .all() as Array<{ name: string }>
    return new Set(rows.map((row) => row.name))
  }

  private keyedRecord(): { key_id: string | null } | undefined {
    return this.database
      .prepare('SELECT key_id FROM audit_records WHERE format = ? LIMIT 1')
      .get(KEYED_FORMAT) as { key_id: string | null } | undefined
  }

  private head(): { count: number; hash: string } | undefined {
    return this.database.prepare('SELECT count, hash FROM audit_head WHERE id = 1').get() as
      | { count: number; hash: string }
      | undefined
  }

  /**
   * A database behind its last checkpoint was restored from an older copy or cut: said at start,
   * loudly, without refusing to run (a restore may be deliberate); `verify` fails on it.
   */
  private warnWhenBehind(log: ((line: string) => void) | undefined): void {
    if (!log || !this.key || !this.checkpointPath) return
    const checkpoint = lastCheckpointOf(this.checkpointSource(this.checkpointPath), this.key)
    const count = this.head()?.count ?? 0
    if (checkpoint && checkpoint.count > count)
      log(
        `WARNING: the audit log ends at record ${count} but its last checkpoint (${checkpoint.at}) in ${checkpoint.file} says ${checkpoint.count} records were written: the database was restored from an older copy or its end was cut; run helpdesk audit verify`,
      )
  }

  /**
   * A database written before the key: its unkeyed records get a signed checkpoint of their head
   * at once, so that from now on they cannot change unseen (what they were before, no one knows).
   */
  private adoptLegacyRecords(): void {
    const head = this.head()
    if (!head || head.count === 0 || !this.key || this.keyedRecord()) return
    this.checkpoints?.append(
      signCheckpoint(this.key, {
        sequence: head.count,
        count: head.count,
        headHash: head.hash,
        at: this.now().toISOString(),
      }),
    )
  }

  /**
   * Resolves once the record is committed (FULL: on disk) and its checkpoint appended. Appends
   * made while the event loop is busy are written together, in call order, in one transaction
   * with one disk flush: a flush costs milliseconds and blocks the loop, so one per record was
   * most of a fleet job's time. Each caller still waits for its own record to be durable.
   */
  append(entry: AuditEntry): Promise<AuditRecord> {
    if (this.readOnly || !this.key)
      return Promise.reject(
        new HelpdeskError({
          code: 'AUDIT_FAILED',
          category: 'SYSTEM',
          message:
            'the audit record could not be written: this audit log was opened only to be read',
        }),
      )
    return this.batch.add(entry)
  }

  /** Writes one batch: called by `AuditAppendBatch` with the appends of one loop turn. */
  private writeBatch(entries: readonly AuditEntry[]): Array<AuditRecord | Error> {
    const key = this.key
    if (!key) throw new Error('this audit log was opened only to be read')
    return writeAuditBatch({
      database: this.database,
      key,
      now: this.now,
      entries,
      ...(this.checkpoints ? { checkpoints: this.checkpoints } : {}),
      checkpointPath: this.checkpointPath,
    })
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
          ) as unknown as AuditRecordRow[])
      : (this.database
          .prepare('SELECT * FROM audit_records WHERE sequence > ? ORDER BY sequence LIMIT ?')
          .all(options.after ?? 0, options.limit ?? -1) as unknown as AuditRecordRow[])
    return rows.map((row) => {
      const { format: _format, keyId: _keyId, ...record } = recordFromRow(row)
      return record
    })
  }

  /**
   * Records written at or after `since` (an ISO 8601 instant), in sequence order, with their
   * format and key id: what `helpdesk audit export` prints. Reads as it goes.
   * @throws {HelpdeskError} INVALID_INPUT when the database has no audit records table.
   */
  *recordsSince(since: Date): Iterable<StoredAuditRecord> {
    if (!this.tables().has('audit_records'))
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message:
          'the database has no audit_records table: nothing was ever audited in it, or it was dropped',
      })
    for (const row of this.database
      .prepare(`SELECT ${this.recordColumns()} FROM audit_records WHERE at >= ? ORDER BY sequence`)
      .iterate(since.toISOString()) as Iterable<AuditRecordRow>)
      yield recordFromRow(row)
  }

  /** A database never opened by a keyed log has no format column: its records are all legacy. */
  private recordColumns(): string {
    const columns = this.columns()
    return [
      '*',
      ...(columns.has('format') ? [] : ['1 AS format']),
      ...(columns.has('key_id') ? [] : ['NULL AS key_id']),
    ].join(', ')
  }

  async verify(): Promise<AuditVerification> {
    const key = this.key
    if (!key)
      return {
        ok: false,
        count: 0,
        problem: 'no-key',
        reason: 'the audit key is missing: without it the log cannot be verified',
      }
    const tables = this.tables()
    const missing = ['audit_records', 'audit_head'].filter((table) => !tables.has(table))
    if (missing.length > 0)
      return {
        ok: false,
        count: 0,
        problem: 'no-tables',
        reason: `the audit tables are missing (${missing.join(', ')}): they were dropped, or this is not the helpdesk database`,
      }
    const source = this.checkpointPath ? this.checkpointSource(this.checkpointPath) : undefined
    const checkpoints: CheckpointReading | undefined = source
      ? readCheckpointSource(source, key)
      : undefined
    const rows = this.database
      .prepare(`SELECT ${this.recordColumns()} FROM audit_records ORDER BY sequence`)
      .iterate() as Iterable<AuditRecordRow>
    return verifyChain({
      records: (function* () {
        for (const row of rows) yield recordFromRow(row)
      })(),
      head: this.head(),
      key,
      checkpoints,
      ...(source ? { checkpointFile: describeCheckpointSource(source) } : {}),
    })
  }

  private checkpointSource(file: string): CheckpointSource {
    return {
      file,
      ...(this.checkpointDirectory !== undefined ? { directory: this.checkpointDirectory } : {}),
    }
  }

  async close(): Promise<void> {
    // Appends still waiting for their turn are written first: their callers are told the outcome.
    this.batch.flush()
    this.checkpoints?.close()
    if (this.database.isOpen) this.database.close()
  }
}
