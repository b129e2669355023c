import type { PostgresDatabase } from '../../store/postgres/postgres-database.ts'
import type { IndexMark, SharedIndex } from './shared-index.ts'

/**
 * The shared collection's lock and mark in the project's PostgreSQL: a session-level advisory
 * lock named after the collection (held on one pooled connection for the whole ingest, which
 * may embed for a while), and the mark in `vector_index_marks` (migration 0011). The lock is
 * keyed by the collection's name alone, not by the database schema, because the collection is
 * one thing in Chroma whichever schema a replica uses. A replica killed while holding the lock
 * loses its connection, and PostgreSQL lets the lock go with it.
 * @module
 */
export class PostgresSharedIndex implements SharedIndex {
  readonly description: string
  private readonly database: PostgresDatabase
  private readonly collection: string
  private readonly holder: string
  private readonly log: (line: string) => void

  constructor(options: {
    database: PostgresDatabase
    collection: string
    /** Who indexes, recorded with the mark (host and process id). */
    holder: string
    log?: (line: string) => void
  }) {
    this.database = options.database
    this.collection = options.collection
    this.holder = options.holder
    this.log = options.log ?? (() => {})
    this.description = `an advisory lock in ${options.database.description}`
  }

  async exclusive<T>(
    work: (mark: IndexMark | undefined) => Promise<{ result: T; mark?: IndexMark }>,
  ): Promise<T> {
    const key = `helpdesk.vector-index:${this.collection}`
    const client = await this.database.pool.connect()
    let healthy = true
    // A connection lost while checked out (a database restart) is reported on the client: unheard,
    // it would end the process. The statement in flight fails, and with it this run.
    const lost = (error: Error) => {
      healthy = false
      this.log(
        `vector index: the connection holding the lock was lost (${this.database.scrub(error.message)})`,
      )
    }
    client.on('error', lost)
    try {
      const tried = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
        [key],
      )
      if (!tried.rows[0]?.locked) {
        this.log(`vector index: another replica is indexing ${this.collection}; waiting for it`)
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [key])
      }
      try {
        const stored = await client.query<{
          revision: string
          fingerprint: string
          chunks: number
        }>('SELECT revision, fingerprint, chunks FROM vector_index_marks WHERE collection = $1', [
          this.collection,
        ])
        const row = stored.rows[0]
        const { result, mark } = await work(
          row
            ? { revision: Number(row.revision), fingerprint: row.fingerprint, chunks: row.chunks }
            : undefined,
        )
        if (mark) {
          await client.query(
            `INSERT INTO vector_index_marks (collection, revision, fingerprint, chunks, indexed_at, indexed_by)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (collection) DO UPDATE SET revision = EXCLUDED.revision,
               fingerprint = EXCLUDED.fingerprint, chunks = EXCLUDED.chunks,
               indexed_at = EXCLUDED.indexed_at, indexed_by = EXCLUDED.indexed_by`,
            [
              this.collection,
              mark.revision,
              mark.fingerprint,
              mark.chunks,
              new Date().toISOString(),
              this.holder,
            ],
          )
        }
        return result
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => {
          // Ending the connection lets the lock go.
          healthy = false
        })
      }
    } catch (error) {
      healthy = false
      throw error
    } finally {
      client.off('error', lost)
      client.release(!healthy)
    }
  }
}
