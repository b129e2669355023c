import type { DatabaseSync } from 'node:sqlite'

/**
 * Which paused framework run waits on which approval request, so a decision taken in the API
 * (maybe after a restart) resumes the right run: a LangGraph or LangChain thread, or an OpenAI
 * Agents run whose serialized state is kept here too. One table per framework, in the project
 * store when there is one (in memory otherwise, so nothing survives a restart).
 */
export class PausedRuns {
  private readonly database: DatabaseSync | undefined
  private readonly table: string
  private readonly memory = new Map<string, string>()
  private readonly memoryStates = new Map<string, string>()

  /** @param table a fixed identifier chosen by the adapter, never user input. */
  constructor(
    database: DatabaseSync | undefined,
    table: 'langgraph' | 'langchain' | 'openai_agents',
  ) {
    this.database = database
    this.table = `${table}_approval_threads`
    database?.exec(
      `CREATE TABLE IF NOT EXISTS ${this.table} (approval_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL);
       CREATE INDEX IF NOT EXISTS ${this.table}_by_thread ON ${this.table} (thread_id);
       CREATE TABLE IF NOT EXISTS ${this.table}_states (thread_id TEXT PRIMARY KEY, state TEXT NOT NULL);`,
    )
  }

  /** Records that the run waits on these requests, with its serialized state if it has one. */
  remember(threadId: string, approvalIds: readonly string[], state?: string): void {
    if (!this.database) {
      for (const id of approvalIds) this.memory.set(id, threadId)
      if (state !== undefined) this.memoryStates.set(threadId, state)
      return
    }
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

  find(approvalId: string): string | undefined {
    if (!this.database) return this.memory.get(approvalId)
    const row = this.database
      .prepare(`SELECT thread_id FROM ${this.table} WHERE approval_id = ?`)
      .get(approvalId) as { thread_id: string } | undefined
    return row?.thread_id
  }

  /** The serialized state of a paused run, for frameworks that resume from one. */
  stateOf(threadId: string): string | undefined {
    if (!this.database) return this.memoryStates.get(threadId)
    const row = this.database
      .prepare(`SELECT state FROM ${this.table}_states WHERE thread_id = ?`)
      .get(threadId) as { state: string } | undefined
    return row?.state
  }

  /** The requests a run still waits on (those not yet forgotten). */
  approvalsOf(threadId: string): string[] {
    if (!this.database)
      return [...this.memory].filter(([, thread]) => thread === threadId).map(([id]) => id)
    const rows = this.database
      .prepare(`SELECT approval_id FROM ${this.table} WHERE thread_id = ? ORDER BY rowid`)
      .all(threadId) as Array<{ approval_id: string }>
    return rows.map((row) => row.approval_id)
  }

  /** The request is decided; a run left waiting on nothing loses its state too. */
  forget(approvalId: string): void {
    const threadId = this.find(approvalId)
    this.memory.delete(approvalId)
    this.database?.prepare(`DELETE FROM ${this.table} WHERE approval_id = ?`).run(approvalId)
    if (threadId && this.approvalsOf(threadId).length === 0) {
      this.memoryStates.delete(threadId)
      this.database?.prepare(`DELETE FROM ${this.table}_states WHERE thread_id = ?`).run(threadId)
    }
  }
}
