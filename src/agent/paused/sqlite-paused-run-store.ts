import type { DatabaseSync } from 'node:sqlite'
import type { PausedRunFramework, PausedRunStore } from './paused-run-store.ts'

/**
 * Paused runs in the project's SQLite file: two tables per framework (the names the adapters
 * have always used, so paused runs survive the upgrade), on a connection the caller owns.
 */
export class SqlitePausedRunStore implements PausedRunStore {
  private readonly database: DatabaseSync
  private readonly table: string

  /** @param options.framework a fixed identifier (it names the tables), never user input. */
  constructor(options: { database: DatabaseSync; framework: PausedRunFramework }) {
    this.database = options.database
    this.table = `${options.framework}_approval_threads`
    this.database.exec(
      `CREATE TABLE IF NOT EXISTS ${this.table} (approval_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL);
       CREATE INDEX IF NOT EXISTS ${this.table}_by_thread ON ${this.table} (thread_id);
       CREATE TABLE IF NOT EXISTS ${this.table}_states (thread_id TEXT PRIMARY KEY, state TEXT NOT NULL);`,
    )
  }

  async remember(threadId: string, approvalIds: readonly string[], state?: string): Promise<void> {
    const insert = this.database.prepare(
      `INSERT OR REPLACE INTO ${this.table} (approval_id, thread_id) VALUES (?, ?)`,
    )
    for (const id of approvalIds) insert.run(id, threadId)
    if (state !== undefined) {
      this.database
        .prepare(`INSERT OR REPLACE INTO ${this.table}_states (thread_id, state) VALUES (?, ?)`)
        .run(threadId, state)
    }
  }

  async find(approvalId: string): Promise<string | undefined> {
    const row = this.database
      .prepare(`SELECT thread_id FROM ${this.table} WHERE approval_id = ?`)
      .get(approvalId) as { thread_id: string } | undefined
    return row?.thread_id
  }

  async stateOf(threadId: string): Promise<string | undefined> {
    const row = this.database
      .prepare(`SELECT state FROM ${this.table}_states WHERE thread_id = ?`)
      .get(threadId) as { state: string } | undefined
    return row?.state
  }

  async approvalsOf(threadId: string): Promise<string[]> {
    const rows = this.database
      .prepare(`SELECT approval_id FROM ${this.table} WHERE thread_id = ? ORDER BY rowid`)
      .all(threadId) as Array<{ approval_id: string }>
    return rows.map((row) => row.approval_id)
  }

  async forget(approvalId: string): Promise<void> {
    const threadId = await this.find(approvalId)
    this.database.prepare(`DELETE FROM ${this.table} WHERE approval_id = ?`).run(approvalId)
    if (threadId && (await this.approvalsOf(threadId)).length === 0)
      this.database.prepare(`DELETE FROM ${this.table}_states WHERE thread_id = ?`).run(threadId)
  }
}
