/**
 * Reply ratings in the project's SQLite file (`node:sqlite`).
 * @module
 */
import type { DatabaseSync } from 'node:sqlite'
import { openProjectDatabase } from '../../store/open-project-database.ts'
import {
  type FeedbackRow,
  feedbackOf,
  type ReplyFeedback,
  type ReplyFeedbackStore,
} from './reply-feedback.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS reply_feedback (
  session_id TEXT NOT NULL,
  reply INTEGER NOT NULL,
  owner TEXT NOT NULL,
  rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
  task_types TEXT NOT NULL,
  at TEXT NOT NULL,
  -- One rating per reply: rating again replaces it.
  PRIMARY KEY (session_id, reply)
);
CREATE INDEX IF NOT EXISTS reply_feedback_by_time ON reply_feedback (at);
`

export class SqliteReplyFeedbackStore implements ReplyFeedbackStore {
  private readonly database: DatabaseSync

  /** @param options.file a path, or `:memory:` */
  constructor(options: { file: string }) {
    // A rating is cheap to lose in a power cut, like a conversation's turn.
    this.database = openProjectDatabase(options.file, { synchronous: 'NORMAL' })
    this.database.exec(SCHEMA)
  }

  async rate(feedback: ReplyFeedback): Promise<void> {
    this.database
      .prepare(
        `INSERT INTO reply_feedback (session_id, reply, owner, rating, task_types, at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (session_id, reply) DO UPDATE SET owner = excluded.owner,
           rating = excluded.rating, task_types = excluded.task_types, at = excluded.at`,
      )
      .run(
        feedback.sessionId,
        feedback.reply,
        feedback.owner,
        feedback.rating,
        JSON.stringify(feedback.taskTypes),
        feedback.at,
      )
  }

  async withdraw(sessionId: string, reply: number): Promise<boolean> {
    const result = this.database
      .prepare('DELETE FROM reply_feedback WHERE session_id = ? AND reply = ?')
      .run(sessionId, reply)
    return Number(result.changes) > 0
  }

  async forSession(sessionId: string): Promise<ReplyFeedback[]> {
    const rows = this.database
      .prepare('SELECT * FROM reply_feedback WHERE session_id = ? ORDER BY reply')
      .all(sessionId) as unknown as FeedbackRow[]
    return rows.map(feedbackOf)
  }

  async listBetween(range: { from: string; to: string }): Promise<ReplyFeedback[]> {
    const rows = this.database
      .prepare(
        'SELECT * FROM reply_feedback WHERE at >= ? AND at < ? ORDER BY at, session_id, reply',
      )
      .all(range.from, range.to) as unknown as FeedbackRow[]
    return rows.map(feedbackOf)
  }

  async close(): Promise<void> {
    if (this.database.isOpen) this.database.close()
  }
}
