/**
 * Where a conversation stands, for the employee's "My requests" list: derived from the session's
 * open question, its approval requests and its last reply, never stored (so it cannot go stale).
 * @module
 */
import { isHandoffReply } from '../agent/core/reply-writer.ts'
import type { Session } from '../agent/core/session.ts'
import type { ApprovalRequest } from '../approvals/approval-store.ts'
import type { Ticket } from '../tickets/ticket.ts'

/**
 * - `waiting_for_you`: the helpdesk asked a question, or a change waits for the person's Confirm;
 * - `awaiting_approval`: a change waits for a technician (or a technician checks an interrupted run);
 * - `failed`: an approved change ran and did not (or not certainly) succeed;
 * - `handed_off`: the last answer sent the person elsewhere (the service desk, a person), or a
 *   ticket of the conversation waits for a technician;
 * - `answered`: a technician answered the conversation's ticket (the answer is in it);
 * - `done`: nothing is open.
 */
export const REQUEST_STATUSES = [
  'waiting_for_you',
  'awaiting_approval',
  'failed',
  'handed_off',
  'answered',
  'done',
] as const
export type RequestStatus = (typeof REQUEST_STATUSES)[number]

/**
 * `approvals`: the approval requests that came from this session, newest first; `tickets`: its
 * tickets, newest first (the newest one counts until it is closed).
 */
export function requestStatus(
  session: Session,
  approvals: readonly ApprovalRequest[],
  tickets: readonly Ticket[] = [],
): RequestStatus {
  if (session.pending) return 'waiting_for_you'
  const open = approvals.filter((each) => each.status === 'pending')
  if (open.some((each) => each.level === 1)) return 'waiting_for_you'
  if (open.length > 0) return 'awaiting_approval'
  if (approvals.some((each) => each.status === 'approved' || each.status === 'interrupted'))
    return 'awaiting_approval'
  const lastReply = session.history.findLast((entry) => entry.role === 'assistant')
  const lastAsked = session.history.findLast((entry) => entry.role === 'user')?.at ?? ''
  // The newest outcome counts, unless the person has written since (and so moved on).
  const ended = approvals.find((each) => each.status === 'executed')
  const outcome = ended?.execution
  if (
    outcome &&
    (outcome.outcome === 'failed' || outcome.outcome === 'unknown') &&
    outcome.finishedAt >= lastAsked
  )
    return 'failed'
  const ticket = tickets[0]
  if (ticket?.status === 'answered') return 'answered'
  if (ticket && ticket.status !== 'closed') return 'handed_off'
  if (lastReply && lastReply.approvalId === undefined && isHandoffReply(lastReply.text))
    return 'handed_off'
  return 'done'
}
