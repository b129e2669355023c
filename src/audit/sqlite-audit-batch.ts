/**
 * Group commit for the SQLite audit log: the appends made during one turn of the event loop are
 * written in one immediate transaction, so they share one disk flush (the log runs with
 * `synchronous = FULL`). The flush blocks the loop for milliseconds; with one per record, a job
 * on 100 machines spent most of its time waiting on it, and more the more machines ran at once.
 *
 * Nothing is weakened: every record is signed and chained as before, each caller's promise
 * settles only after the commit (and its checkpoint line), and a record that cannot be built
 * fails alone without taking a sequence number.
 * @module
 */
import type { DatabaseSync } from 'node:sqlite'
import { HelpdeskError } from '../errors/index.ts'
import { type AuditCheckpointFile, signCheckpoint } from './audit-checkpoints.ts'
import { GENESIS_HASH, KEYED_FORMAT, redactSecrets, signRecord } from './audit-hash.ts'
import type { AuditKey } from './audit-key.ts'
import type { AuditEntry, AuditRecord } from './audit-log.ts'

interface PendingAppend {
  entry: AuditEntry
  resolve: (record: AuditRecord) => void
  reject: (error: Error) => void
}

/** Collects appends until the loop turn ends (`setImmediate`), then writes them as one batch. */
export class AuditAppendBatch {
  private pending: PendingAppend[] = []
  private scheduled = false
  private readonly write: (entries: readonly AuditEntry[]) => Array<AuditRecord | Error>

  /** @param write writes the entries in order; per entry, the stored record or why it failed */
  constructor(write: (entries: readonly AuditEntry[]) => Array<AuditRecord | Error>) {
    this.write = write
  }

  add(entry: AuditEntry): Promise<AuditRecord> {
    return new Promise<AuditRecord>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject })
      if (this.scheduled) return
      this.scheduled = true
      setImmediate(() => this.flush())
    })
  }

  /** Writes what is pending now (also called by `close`, so no caller is left waiting). */
  flush(): void {
    this.scheduled = false
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return
    let results: Array<AuditRecord | Error>
    try {
      results = this.write(batch.map((each) => each.entry))
    } catch (error) {
      const failure = auditFailed(
        `the audit record could not be written: ${messageOf(error)}`,
        error,
      )
      for (const each of batch) each.reject(failure)
      return
    }
    batch.forEach((each, index) => {
      const result = results[index]
      if (result instanceof Error || result === undefined)
        each.reject(result ?? auditFailed('the audit record was not written', undefined))
      else each.resolve(result)
    })
  }
}

/**
 * Signs, chains and inserts the entries in one immediate transaction (concurrent writers, other
 * processes included, queue on it instead of forking the chain), then appends one checkpoint per
 * record. Throws when the transaction fails (then nothing of the batch is stored).
 */
export function writeAuditBatch(options: {
  database: DatabaseSync
  key: AuditKey
  now: () => Date
  entries: readonly AuditEntry[]
  checkpoints?: AuditCheckpointFile
  checkpointPath: string | undefined
}): Array<AuditRecord | Error> {
  const { database, key } = options
  const results: Array<AuditRecord | Error> = []
  const written: AuditRecord[] = []
  database.exec('BEGIN IMMEDIATE')
  try {
    const head = database.prepare('SELECT count, hash FROM audit_head WHERE id = 1').get() as
      | { count: number; hash: string }
      | undefined
    let count = head?.count ?? 0
    let previousHash = head?.hash ?? GENESIS_HASH
    const insertRecord = database.prepare(
      'INSERT INTO audit_records (sequence, at, actor, action, target, request_id, detail, previous_hash, hash, format, key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    for (const entry of options.entries) {
      let record: AuditRecord
      let detail: string
      try {
        const partial: Omit<AuditRecord, 'hash'> = {
          sequence: count + 1,
          at: options.now().toISOString(),
          actor: entry.actor,
          action: entry.action,
          ...(entry.target !== undefined ? { target: entry.target } : {}),
          ...(entry.requestId !== undefined ? { requestId: entry.requestId } : {}),
          detail: redactSecrets(entry.detail) as AuditEntry['detail'],
          previousHash,
        }
        record = { ...partial, hash: signRecord(partial, key) }
        detail = JSON.stringify(record.detail)
      } catch (error) {
        // Only this entry is refused: the others of the batch were asked for separately.
        results.push(
          auditFailed(`the audit record could not be written: ${messageOf(error)}`, error),
        )
        continue
      }
      insertRecord.run(
        record.sequence,
        record.at,
        record.actor,
        record.action,
        record.target ?? null,
        record.requestId ?? null,
        detail,
        record.previousHash,
        record.hash,
        KEYED_FORMAT,
        key.id,
      )
      count = record.sequence
      previousHash = record.hash
      results.push(record)
      written.push(record)
    }
    // The head moves one record at a time (its trigger refuses a jump), so once per record.
    const moveHead = database.prepare(
      'INSERT INTO audit_head (id, count, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET count = excluded.count, hash = excluded.hash',
    )
    for (const record of written) moveHead.run(record.sequence, record.hash)
    database.exec('COMMIT')
  } catch (error) {
    database.exec('ROLLBACK')
    throw error
  }
  // After the commit: a checkpoint must never claim a record the database does not have. A
  // crash between the two leaves the database records ahead of its checkpoints, which verify
  // accepts (those records are signed); the reverse would read as a rollback.
  return results.map((result) => {
    if (result instanceof Error) return result
    try {
      options.checkpoints?.append(
        signCheckpoint(key, {
          sequence: result.sequence,
          count: result.sequence,
          headHash: result.hash,
          at: result.at,
        }),
      )
      return result
    } catch (error) {
      return auditFailed(
        `audit record ${result.sequence} was written but its checkpoint could not be appended to ${options.checkpointPath}: ${messageOf(error)}`,
        error,
      )
    }
  })
}

function auditFailed(message: string, cause: unknown): HelpdeskError {
  return new HelpdeskError({ code: 'AUDIT_FAILED', category: 'SYSTEM', message, cause })
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
