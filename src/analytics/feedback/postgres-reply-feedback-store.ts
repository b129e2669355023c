/**
 * Reply ratings in PostgreSQL (migration `0010_reply-feedback.sql`), shared by every replica.
 * @module
 */
import type { PostgresDatabase } from '../../store/postgres/postgres-database.ts'
import {
  type FeedbackRow,
  feedbackOf,
  type ReplyFeedback,
  type ReplyFeedbackStore,
} from './reply-feedback.ts'

export class PostgresReplyFeedbackStore implements ReplyFeedbackStore {
  private readonly database: PostgresDatabase

  constructor(options: { database: PostgresDatabase }) {
    this.database = options.database
  }

  async rate(feedback: ReplyFeedback): Promise<void> {
    await this.database.pool.query(
      `INSERT INTO reply_feedback (session_id, reply, owner, rating, task_types, at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (session_id, reply) DO UPDATE SET owner = excluded.owner,
         rating = excluded.rating, task_types = excluded.task_types, at = excluded.at`,
      [
        feedback.sessionId,
        feedback.reply,
        feedback.owner,
        feedback.rating,
        JSON.stringify(feedback.taskTypes),
        feedback.at,
      ],
    )
  }

  async withdraw(sessionId: string, reply: number): Promise<boolean> {
    const result = await this.database.pool.query(
      'DELETE FROM reply_feedback WHERE session_id = $1 AND reply = $2',
      [sessionId, reply],
    )
    return (result.rowCount ?? 0) > 0
  }

  async forSession(sessionId: string): Promise<ReplyFeedback[]> {
    const { rows } = await this.database.pool.query<FeedbackRow>(
      'SELECT * FROM reply_feedback WHERE session_id = $1 ORDER BY reply',
      [sessionId],
    )
    return rows.map(feedbackOf)
  }

  async listBetween(range: { from: string; to: string }): Promise<ReplyFeedback[]> {
    const { rows } = await this.database.pool.query<FeedbackRow>(
      'SELECT * FROM reply_feedback WHERE at >= $1 AND at < $2 ORDER BY at, session_id, reply',
      [range.from, range.to],
    )
    return rows.map(feedbackOf)
  }

  /** The pool is the shared database's: its owner ends it. */
  async close(): Promise<void> {}
}
