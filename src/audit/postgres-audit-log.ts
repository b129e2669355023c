import type pg from 'pg'
import { HelpdeskError } from '../errors/index.ts'
import type { PostgresDatabase } from '../store/postgres/postgres-database.ts'
import {
  type CheckpointSource,
  describeCheckpointSource,
  lastCheckpointOf,
  readCheckpointSource,
} from './audit-checkpoint-set.ts'
import {
  AuditCheckpointFile,
  type CheckpointForwarder,
  signCheckpoint,
} from './audit-checkpoints.ts'
import { GENESIS_HASH, KEYED_FORMAT, redactSecrets, signRecord } from './audit-hash.ts'
import { AuditKey, type AuditKeyLocation, openAuditKey } from './audit-key.ts'
import type { AuditEntry, AuditLog, AuditRecord, AuditVerification } from './audit-log.ts'
import { type AuditRecordRow, recordFromRow } from './audit-record-row.ts'
import { verifyChain } from './audit-verification.ts'

/**
 * The audit chain in PostgreSQL: one chain however many processes write it. Each append takes a
 * transaction-level advisory lock named after the chain's schema, reads the head, inserts the
 * record and moves the head, and commits (which releases the lock): writers on any replica queue
 * there instead of forking the chain. Records are signed with the HMAC key kept outside the
 * database, and each append writes a signed checkpoint to this process's checkpoint file.
 * @module
 */

export interface PostgresAuditLogOptions {
  database: PostgresDatabase
  now?: () => Date
  /** The key; without it, it is found at `keyLocation`. */
  key?: AuditKey
  keyLocation?: AuditKeyLocation
  /** This process's checkpoint file; none (no checkpoints) when absent. */
  checkpointFile?: string
  /** Replicas: the shared directory whose files are all read to verify (see CheckpointSource). */
  checkpointDirectory?: string
  forward?: CheckpointForwarder
  log?: (line: string) => void
  /** Ends the database's pool on close (a log opened alone, as the CLI does). */
  ownsDatabase?: boolean
}

const COLUMNS =
  'sequence::float8 AS sequence, at, actor, action, target, request_id, detail, previous_hash, hash, format, key_id'

export class PostgresAuditLog implements AuditLog {
  private readonly options: PostgresAuditLogOptions
  private readonly key: AuditKey
  private readonly checkpoints: AuditCheckpointFile | undefined

  private constructor(
    options: PostgresAuditLogOptions,
    key: AuditKey,
    checkpoints: AuditCheckpointFile | undefined,
  ) {
    this.options = options
    this.key = key
    this.checkpoints = checkpoints
  }

  /** @throws {HelpdeskError} AUDIT_FAILED when the key cannot be had or the tables read. */
  static async open(options: PostgresAuditLogOptions): Promise<PostgresAuditLog> {
    const pool = options.database.pool
    // No table (a database never migrated, or its table dropped): nothing signed yet; `verify` says which.
    const signedBy = await pool
      .query<{ key_id: string | null }>(
        'SELECT key_id FROM audit_records WHERE format = $1 LIMIT 1',
        [KEYED_FORMAT],
      )
      .then(
        (result) => result.rows[0]?.key_id,
        (error: { code?: string }) => {
          if (error.code === '42P01') return undefined
          throw error
        },
      )
    const key =
      options.key ??
      (options.keyLocation
        ? openAuditKey(options.keyLocation, {
            signedBy: () => signedBy,
            ...(options.log ? { log: options.log } : {}),
          })
        : AuditKey.generate())
    const checkpoints = options.checkpointFile
      ? new AuditCheckpointFile({
          file: options.checkpointFile,
          ...(options.forward ? { forward: options.forward } : {}),
        })
      : undefined
    const log = new PostgresAuditLog(options, key, checkpoints)
    await log.warnWhenBehind()
    return log
  }

  private get pool(): pg.Pool {
    return this.options.database.pool
  }

  private async head(client: pg.Pool | pg.PoolClient = this.pool) {
    const rows = (
      await client.query<{ count: number; hash: string }>(
        'SELECT count::float8 AS count, hash FROM audit_head WHERE id = 1',
      )
    ).rows
    return rows[0]
  }

  /** Said at start, loudly, without refusing to run (a restore may be deliberate); `verify` fails on it. */
  private async warnWhenBehind(): Promise<void> {
    const file = this.options.checkpointFile
    if (!this.options.log || !file) return
    const checkpoint = lastCheckpointOf(this.checkpointSource(file), this.key)
    const count = (await this.head().catch(() => undefined))?.count ?? 0
    if (checkpoint && checkpoint.count > count)
      this.options.log(
        `WARNING: the audit log ends at record ${count} but its last checkpoint (${checkpoint.at}) in ${checkpoint.file} says ${checkpoint.count} records were written: the database was restored from an older copy or its end was cut; run helpdesk audit verify`,
      )
  }

  async append(entry: AuditEntry): Promise<AuditRecord> {
    const key = this.key
    const now = this.options.now ?? (() => new Date())
    let record: AuditRecord
    try {
      const client = await this.pool.connect()
      try {
        await client.query('BEGIN')
        // One chain, many writers: the lock queues every append of every replica here until COMMIT.
        await client.query(
          "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.audit_chain'))",
        )
        const head = await this.head(client)
        const partial: Omit<AuditRecord, 'hash'> = {
          sequence: (head?.count ?? 0) + 1,
          at: now().toISOString(),
          actor: entry.actor,
          action: entry.action,
          ...(entry.target !== undefined ? { target: entry.target } : {}),
          ...(entry.requestId !== undefined ? { requestId: entry.requestId } : {}),
          detail: redactSecrets(entry.detail) as AuditEntry['detail'],
          previousHash: head?.hash ?? GENESIS_HASH,
        }
        record = { ...partial, hash: signRecord(partial, key) }
        await client.query(
          'INSERT INTO audit_records (sequence, at, actor, action, target, request_id, detail, previous_hash, hash, format, key_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
          [
            record.sequence,
            record.at,
            record.actor,
            record.action,
            record.target ?? null,
            record.requestId ?? null,
            JSON.stringify(record.detail),
            record.previousHash,
            record.hash,
            KEYED_FORMAT,
            key.id,
          ],
        )
        await client.query(
          'INSERT INTO audit_head (id, count, hash) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET count = excluded.count, hash = excluded.hash',
          [record.sequence, record.hash],
        )
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
        client.release()
      }
    } catch (error) {
      throw new HelpdeskError({
        code: 'AUDIT_FAILED',
        category: 'SYSTEM',
        message: `the audit record could not be written: ${this.options.database.scrub((error as Error).message)}`,
      })
    }
    // After the commit: a checkpoint must never claim a record the database does not have.
    try {
      this.checkpoints?.append(
        signCheckpoint(key, {
          sequence: record.sequence,
          count: record.sequence,
          headHash: record.hash,
          at: record.at,
        }),
      )
    } catch (error) {
      throw new HelpdeskError({
        code: 'AUDIT_FAILED',
        category: 'SYSTEM',
        message: `audit record ${record.sequence} was written but its checkpoint could not be appended to ${this.options.checkpointFile}: ${(error as Error).message}`,
        cause: error,
      })
    }
    return record
  }

  async list(
    options: { after?: number; limit?: number; newest?: boolean; before?: number } = {},
  ): Promise<AuditRecord[]> {
    const limit = options.limit ?? null
    const rows = options.newest
      ? (
          await this.pool.query<AuditRecordRow>(
            `SELECT ${COLUMNS} FROM audit_records WHERE sequence > $1 AND sequence < $2 ORDER BY sequence DESC LIMIT $3`,
            [options.after ?? 0, options.before ?? Number.MAX_SAFE_INTEGER, limit],
          )
        ).rows
      : (
          await this.pool.query<AuditRecordRow>(
            `SELECT ${COLUMNS} FROM audit_records WHERE sequence > $1 ORDER BY sequence LIMIT $2`,
            [options.after ?? 0, limit],
          )
        ).rows
    return rows.map((row) => {
      const { format: _format, keyId: _keyId, ...record } = recordFromRow(row)
      return record
    })
  }

  async verify(): Promise<AuditVerification> {
    const tables = new Set(
      (
        await this.pool.query<{ name: string }>(
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'audit_%'",
        )
      ).rows.map((row) => row.name),
    )
    const missing = ['audit_records', 'audit_head'].filter((table) => !tables.has(table))
    if (missing.length > 0)
      return {
        ok: false,
        count: 0,
        problem: 'no-tables',
        reason: `the audit tables are missing (${missing.join(', ')}): they were dropped, or this is not the helpdesk database`,
      }
    const file = this.options.checkpointFile
    // Read before the snapshot: every checkpoint then names a record committed before it.
    const source = file ? this.checkpointSource(file) : undefined
    const checkpoints = source ? readCheckpointSource(source, this.key) : undefined
    // One snapshot: records and head read together, so appends by other replicas meanwhile
    // cannot make a consistent chain look broken.
    const client = await this.pool.connect()
    let rows: AuditRecordRow[]
    let head: { count: number; hash: string } | undefined
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      rows = (
        await client.query<AuditRecordRow>(`SELECT ${COLUMNS} FROM audit_records ORDER BY sequence`)
      ).rows
      head = await this.head(client)
      await client.query('COMMIT')
    } finally {
      client.release()
    }
    return verifyChain({
      records: rows.map(recordFromRow),
      head,
      key: this.key,
      checkpoints,
      ...(source ? { checkpointFile: describeCheckpointSource(source) } : {}),
    })
  }

  private checkpointSource(file: string): CheckpointSource {
    const directory = this.options.checkpointDirectory
    return { file, ...(directory !== undefined ? { directory } : {}) }
  }

  async close(): Promise<void> {
    this.checkpoints?.close()
    if (this.options.ownsDatabase) await this.options.database.close()
  }
}
