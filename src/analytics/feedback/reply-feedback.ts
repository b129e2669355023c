/**
 * Employees' thumbs up or down on the agent's replies: one rating per reply, by the
 * conversation's owner, changeable and withdrawable. The analytics read them by time range.
 * @module
 */

export const REPLY_RATINGS = ['up', 'down'] as const
export type ReplyRating = (typeof REPLY_RATINGS)[number]

export interface ReplyFeedback {
  sessionId: string
  /** The rated reply: its index in the conversation's history. */
  reply: number
  /** Who rated it: the conversation's owner. */
  owner: string
  rating: ReplyRating
  /** The task types the reply was about (empty for a question answered or a hand-off). */
  taskTypes: string[]
  /** ISO 8601 time of the latest rating. */
  at: string
}

/**
 * Contract (checked by `reply-feedback-contract.case.test.ts` for every implementation):
 * - `rate` keeps one rating per (session, reply): a second call replaces the first, time included.
 * - `withdraw` removes it and says whether there was one.
 * - `forSession` lists a conversation's ratings in reply order; `listBetween` every rating whose
 *   time is in [from, to), oldest first.
 * - A persistent store keeps them across closing and reopening.
 */
export interface ReplyFeedbackStore {
  rate(feedback: ReplyFeedback): Promise<void>
  withdraw(sessionId: string, reply: number): Promise<boolean>
  forSession(sessionId: string): Promise<ReplyFeedback[]>
  listBetween(range: { from: string; to: string }): Promise<ReplyFeedback[]>
  close(): Promise<void>
}

/** A stored row, the same in both databases. */
export interface FeedbackRow {
  session_id: string
  reply: number
  owner: string
  rating: string
  task_types: string
  at: string
}

export function feedbackOf(row: FeedbackRow): ReplyFeedback {
  return {
    sessionId: row.session_id,
    reply: Number(row.reply),
    owner: row.owner,
    rating: row.rating === 'down' ? 'down' : 'up',
    taskTypes: JSON.parse(row.task_types) as string[],
    at: row.at,
  }
}
