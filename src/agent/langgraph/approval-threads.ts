import type { DatabaseSync } from 'node:sqlite'

/**
 * Which LangGraph thread waits on which approval request, so a decision taken in the API (maybe
 * after a restart) resumes the right interrupted run. In the project store when there is one.
 */
export class ApprovalThreads {
  private readonly database: DatabaseSync | undefined
  private readonly memory = new Map<string, string>()

  constructor(database?: DatabaseSync) {
    this.database = database
    database?.exec(
      'CREATE TABLE IF NOT EXISTS langgraph_approval_threads (approval_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL)',
    )
  }

  remember(approvalId: string, threadId: string): void {
    if (!this.database) {
      this.memory.set(approvalId, threadId)
      return
    }
    this.database
      .prepare(
        'INSERT OR REPLACE INTO langgraph_approval_threads (approval_id, thread_id) VALUES (?, ?)',
      )
      .run(approvalId, threadId)
  }

  find(approvalId: string): string | undefined {
    if (!this.database) return this.memory.get(approvalId)
    const row = this.database
      .prepare('SELECT thread_id FROM langgraph_approval_threads WHERE approval_id = ?')
      .get(approvalId) as { thread_id: string } | undefined
    return row?.thread_id
  }

  forget(approvalId: string): void {
    this.memory.delete(approvalId)
    this.database
      ?.prepare('DELETE FROM langgraph_approval_threads WHERE approval_id = ?')
      .run(approvalId)
  }
}
