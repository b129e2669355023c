/**
 * "my manager already said yes, it's for the budget work" after an access request: the person
 * adds why and who agreed. It names no IT problem, yet its words ("manager", "shared") can lean
 * on a runbook; routed as a request it once planned Outlook set-up in place of the Jira access
 * asked for. Said while the conversation is on a request and routed without confidence, it stays
 * with that request.
 * @module
 */
import type { RouteDecision } from '../../retrieval/request-router.ts'

/** Someone agreed, or the reason for the request: "my manager approved it", "it's for the audit". */
const APPROVAL_NOTE =
  /\b(?:(?:my\s+)?(?:manager|boss|lead|supervisor|director|team\s*lead)\s+(?:has\s+|already\s+|has\s+already\s+)?(?:said\s+(?:yes|ok|okay|it'?s\s+fine)|approved|okayed|ok'?d|agreed|signed\s+(?:it\s+)?off|is\s+(?:fine|ok|okay)\s+with\s+it|gave\s+(?:the\s+)?(?:ok|go-ahead|approval))|(?:it'?s|it\s+is|this\s+is)\s+for\s+(?:the\s+|my\s+|our\s+)?\w+(?:\s+\w+)?\s+(?:work|project|team|audit|report|migration|close)\b)/i

/** Below this, the router's reading of such a note is no request of its own. */
const SURE = 0.9

/** Longer than this, the message says more than a note. */
const NOTE_WORDS = 20

/** The conversation's last tasks, when the message only notes approval or the reason for them. */
export function approvalNoteTasks(
  message: string,
  lastTasks: readonly string[] | undefined,
  routed: RouteDecision,
): string[] | undefined {
  if (!lastTasks || lastTasks.length === 0) return undefined
  if (message.trim().split(/\s+/).length > NOTE_WORDS || !APPROVAL_NOTE.test(message))
    return undefined
  if ((routed.ranked[0]?.score ?? 0) >= SURE && !lastTasks.includes(routed.tasks[0] ?? ''))
    return undefined
  return [...lastTasks]
}
