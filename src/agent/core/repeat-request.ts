import type { RouteDecision } from '../../retrieval/request-router.ts'
import type { Session } from './session.ts'
import { quotedAt, trimTrailingPunctuation } from './value-tokens.ts'

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

/** Where the "X" of a follow-up starts, and the words that may follow it. */
const SUBJECT_PATTERNS: readonly RegExp[] = [
  /^\s*(?:(?:and|now|ok|okay|please|then|also)[\s,]+)*(?:do\s+|please\s+do\s+)?(?:the\s+)?same(?:\s+thing)?\s+(?:for|with|on)\s+/i,
  /^\s*(?:(?:and|now|ok|okay|please|then|also)[\s,]+)*for\s+/i,
  /^\s*(?:likewise|ditto)\s+(?:for|with|on)\s+/i,
]
const DESCRIPTION =
  /^(?:the|my|our|his|her|their|its|this|that|these|those|all|every|each|a|an|him|her|them|me|us)\b/i
const SUBJECT_END = /(?:\s+(?:too|as\s+well|please|pls|thanks|thank\s+you))+\s*[.!]?\s*$/i

/**
 * The "X" of a follow-up shaped like "same for X" / "for X too", whole ("Finance Team", not
 * "Finance"); undefined for any other message. Slot filling gives it to the first parameter that
 * accepts it when the message names no value by its own cues ("same for bob": no cue says bob
 * is a username), so the follow-up never quietly repeats the previous values instead.
 */
export function repeatSubject(message: string): string | undefined {
  if (!REPEAT_PATTERNS.some((pattern) => pattern.test(message))) return undefined
  for (const pattern of SUBJECT_PATTERNS) {
    const start = pattern.exec(message)?.[0].length
    if (start === undefined) continue
    const quoted = quotedAt(message, start)
    if (quoted !== undefined) return quoted
    const subject = trimTrailingPunctuation(message.slice(start).replace(SUBJECT_END, '').trim())
    // "the finance laptops", "my other account": a description (a machine group, say), which
    // the message's own cues read; only a name is a subject.
    if (subject.length === 0 || DESCRIPTION.test(subject)) return undefined
    return subject
  }
  return undefined
}

/**
 * "reset my windows password and bob's too", "unlock jdoe, and kwong as well": one request for
 * two people. The subject must be a name, not "mine", "the printer" or "me".
 */
const ALSO_FOR =
  /(?:,\s*|\s+)(?:and|plus|&)\s+(?:(?:for|of)\s+)?([A-Za-z][\w.-]*[A-Za-z0-9]|[A-Za-z])(?:['’]s)?(?:\s+(?:one|account|password|login|laptop|computer))?\s+(?:too|as\s+well|also)\s*[.!]*\s*$/i
const NOT_SUBJECTS =
  /^(?:me|mine|my|it|its|that|this|them|they|the|his|her|hers|him|their|theirs|us|ours|you|yours|everyone|everybody|all|both|others?)$/i

/**
 * The request without its "and X's too", and X; undefined when the message has no such ending.
 * The core plans the request, then the same for X, which is checked like any follow-up.
 */
export function alsoForOf(message: string): { main: string; subject: string } | undefined {
  const match = ALSO_FOR.exec(message)
  const subject = match?.[1]
  if (!match || subject === undefined || NOT_SUBJECTS.test(subject)) return undefined
  const main = message.slice(0, match.index).trim()
  return main === '' ? undefined : { main, subject }
}
