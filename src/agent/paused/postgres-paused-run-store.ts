import type { PostgresDatabase } from '../../store/postgres/postgres-database.ts'
import type { PausedRunFramework, PausedRunStore } from './paused-run-store.ts'

/**
 * Paused runs in PostgreSQL (migration `0008_paused_runs.sql`), one pair of tables for every
 * framework (a `framework` column): a run paused on one replica is resumed by a decision taken
 * on another. The pool is the project's: `ProjectStores.close` ends it.
 * @module
 */
export class PostgresPausedRunStore implements PausedRunStore {
  private readonly database: PostgresDatabase
  private readonly framework: PausedRunFramework

  constructor(options: { database: PostgresDatabase; framework: PausedRunFramework }) {
    this.database = options.database
    this.framework = options.framework
  }

  async remember(threadId: string, approvalIds: readonly string[], state?: string): Promise<void> {
    const client = await this.database.pool.connect()
    try {
      await client.query('BEGIN')
      try {
        for (const id of approvalIds) {
          // Delete and insert rather than upsert: a new record goes to the end of the order.
          await client.query(
            'DELETE FROM paused_run_approvals WHERE framework = $1 AND approval_id = $2',
            [this.framework, id],
          )
          await client.query(
            'INSERT INTO paused_run_approvals (framework, approval_id, thread_id) VALUES ($1, $2, $3)',
            [this.framework, id, threadId],
          )
        }
        if (state !== undefined)
          await client.query(
            `INSERT INTO paused_run_states (framework, thread_id, state) VALUES ($1, $2, $3)
             ON CONFLICT (framework, thread_id) DO UPDATE SET state = EXCLUDED.state`,
            [this.framework, threadId, state],
          )
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK')
        throw error
      }
    } finally {
      client.release()
    }
  }

  async find(approvalId: string): Promise<string | undefined> {
    const result = await this.database.pool.query<{ thread_id: string }>(
      'SELECT thread_id FROM paused_run_approvals WHERE framework = $1 AND approval_id = $2',
      [this.framework, approvalId],
    )
    return result.rows[0]?.thread_id
  }

  async stateOf(threadId: string): Promise<string | undefined> {
    const result = await this.database.pool.query<{ state: string }>(
      'SELECT state FROM paused_run_states WHERE framework = $1 AND thread_id = $2',
      [this.framework, threadId],
    )
    return result.rows[0]?.state
  }

  async approvalsOf(threadId: string): Promise<string[]> {
    const result = await this.database.pool.query<{ approval_id: string }>(
      `SELECT approval_id FROM paused_run_approvals WHERE framework = $1 AND thread_id = $2
       ORDER BY position`,
      [this.framework, threadId],
    )
    return result.rows.map((row) => row.approval_id)
  }

  async forget(approvalId: string): Promise<void> {
    // One statement: the request goes, and so does its run's state when nothing else waits.
    await this.database.pool.query(
      `WITH gone AS (
         DELETE FROM paused_run_approvals WHERE framework = $1 AND approval_id = $2
         RETURNING thread_id
       )
       DELETE FROM paused_run_states s USING gone
       WHERE s.framework = $1 AND s.thread_id = gone.thread_id
         AND NOT EXISTS (
           SELECT 1 FROM paused_run_approvals a
           WHERE a.framework = $1 AND a.thread_id = gone.thread_id AND a.approval_id <> $2
         )`,
      [this.framework, approvalId],
    )
  }
}
