/**
 * What the conversations of a time range say: requests by task type and by day, and how each
 * conversation ended. The definitions, exactly (the README's "Analytics" repeats them):
 * - A conversation is counted when the employee wrote in it during the range.
 * - A request is a task type a conversation's replies were about, counted once per
 *   conversation, on the day of the first reply about it, when that day is in the range.
 * - Handed off: a reply handed the conversation to a person (a ticket) or named who else handles
 *   it (out of scope).
 * - Resolved with no technician: not handed off, no approval request opened, no question left
 *   open, no step failed, and at least one step succeeded or a question was answered from the
 *   runbooks. (Dry runs do not count as resolved: nothing was done.)
 * @module
 */
import type { Session } from '../agent/core/session.ts'
import type { AnalyticsRange } from './analytics-range.ts'

export interface ConversationFigures {
  conversations: number
  /** Task type -> requests. */
  requestsByType: Map<string, number>
  /** Day -> requests; every day of the range present. */
  requestsByDay: Map<string, number>
  /** Day -> conversations the employee wrote in that day. */
  conversationsByDay: Map<string, number>
  resolvedWithoutTechnician: number
  handedOff: number
  /** Task type -> requests of conversations resolved with no technician. */
  resolvedByType: Map<string, number>
}

type Outcome = 'resolved' | 'handed-off' | 'other'

function inRange(at: string, range: AnalyticsRange): boolean {
  return at >= range.start && at < range.end
}

function outcomeOf(session: Session): Outcome {
  const views = session.history.flatMap((entry) =>
    entry.role === 'assistant' && entry.view ? [entry.view] : [],
  )
  // A hand-off decides, whatever went before it (a failed step is often why).
  if (views.some((view) => view.handoff || view.outOfScope)) return 'handed-off'
  let succeeded = false
  let answered = false
  for (const view of views) {
    if ((view.approvals?.length ?? 0) > 0) return 'other'
    if (view.answer) answered = true
    for (const result of view.results ?? []) {
      if (result.status === 'failed' || result.status === 'awaiting_approval') return 'other'
      if (result.status === 'succeeded') succeeded = true
    }
  }
  if (session.pending) return 'other'
  return succeeded || answered ? 'resolved' : 'other'
}

function add(map: Map<string, number>, key: string, count = 1): void {
  map.set(key, (map.get(key) ?? 0) + count)
}

export function conversationFigures(
  sessions: readonly Session[],
  range: AnalyticsRange,
): ConversationFigures {
  const figures: ConversationFigures = {
    conversations: 0,
    requestsByType: new Map(),
    requestsByDay: new Map(range.days.map((day) => [day, 0])),
    conversationsByDay: new Map(range.days.map((day) => [day, 0])),
    resolvedWithoutTechnician: 0,
    handedOff: 0,
    resolvedByType: new Map(),
  }
  for (const session of sessions) {
    const spoke = session.history.filter(
      (entry) => entry.role === 'user' && inRange(entry.at, range),
    )
    if (spoke.length === 0) continue
    figures.conversations += 1
    for (const day of new Set(spoke.map((entry) => entry.at.slice(0, 10))))
      if (figures.conversationsByDay.has(day)) add(figures.conversationsByDay, day)
    const firstSeen = new Map<string, string>()
    for (const entry of session.history)
      if (entry.role === 'assistant')
        for (const taskType of entry.view?.tasks ?? [])
          if (!firstSeen.has(taskType)) firstSeen.set(taskType, entry.at)
    const requested = [...firstSeen].filter(([, at]) => inRange(at, range))
    for (const [taskType, at] of requested) {
      add(figures.requestsByType, taskType)
      add(figures.requestsByDay, at.slice(0, 10))
    }
    const outcome = outcomeOf(session)
    if (outcome === 'handed-off') figures.handedOff += 1
    if (outcome === 'resolved') {
      figures.resolvedWithoutTechnician += 1
      for (const [taskType] of requested) add(figures.resolvedByType, taskType)
    }
  }
  return figures
}
