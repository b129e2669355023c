import type { RouteDecision } from '../../retrieval/request-router.ts'
import type { Session } from './session.ts'

/**
 * "same for maria.garcia", "do the same for LT-0424", "and for bob too": the previous request
 * again, with what the message names in place of what it replaces (slot filling reads the new
 * value from the message as it always does). Only the shape of the sentence is recognised here;
 * whether the value fits is the parameters' validation, as for any message.
 */
const REPEAT_PATTERNS: readonly RegExp[] = [
  /^\s*(?:(?:and|now|ok|okay|please|then|also)[\s,]+)*(?:do\s+|please\s+do\s+)?(?:the\s+)?same(?:\s+thing)?\s+(?:for|with|on)\s+\S/i,
  /^\s*(?:(?:and|now|ok|okay|please|then|also)[\s,]+)*for\s+\S+\s+(?:too|as\s+well)\s*[.!]?\s*$/i,
  /^\s*(?:likewise|ditto)\s+(?:for|with|on)\s+\S/i,
]

/** The previous request's decision again, when the message asks for the same for another. */
export function repeatOf(message: string, session: Session): RouteDecision | undefined {
  const previous = session.lastTasks ?? []
  if (previous.length === 0 || !REPEAT_PATTERNS.some((pattern) => pattern.test(message)))
    return undefined
  return { tasks: [...previous], ranked: previous.map((taskType) => ({ taskType, score: 1 })) }
}
