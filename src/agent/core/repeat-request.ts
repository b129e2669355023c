import type { RouteDecision } from '../../retrieval/request-router.ts'
import type { Session } from './session.ts'
import { quotedAt, trimTrailingPunctuation } from './value-tokens.ts'

/**
 * "same for maria.garcia", "do the same for LT-0424", "and for bob too": the previous request
 * again, with what the message names in place of what it replaces (slot filling reads the new
 * value from the message as it always does). Only the shape of the sentence is recognised here;
 * whether the value fits is the parameters' validation, as for any message.
 */
/** "can you repeat that for kwong", "do the same again for bob", "do it for LT-0424 too". */
const REPEAT_THAT =
  /^\s*(?:(?:and|now|ok|okay|then|also)[\s,]+)*(?:(?:can|could|would)\s+you\s+(?:please\s+)?|please\s+)?(?:repeat|redo|do)\s+(?:that|this|it|the\s+same)(?:\s+(?:again|too|as\s+well))?\s+(?:for|with|on)\s+(?=\S)/i

const REPEAT_PATTERNS: readonly RegExp[] = [
  /^\s*(?:(?:and|now|ok|okay|please|then|also)[\s,]+)*(?:do\s+|please\s+do\s+)?(?:the\s+)?same(?:\s+(?:thing|error|problem|issue|fault|request|again))?\s+(?:for|with|on)\s+\S/i,
  /^\s*(?:(?:and|now|ok|okay|please|then|also)[\s,]+)*for\s+\S+\s+(?:too|as\s+well)\s*[.!]?\s*$/i,
  /^\s*(?:likewise|ditto)\s+(?:for|with|on)\s+\S/i,
  REPEAT_THAT,
]

/** The previous request's decision again, when the message asks for the same for another. */
export function repeatOf(message: string, session: Session): RouteDecision | undefined {
  if (!REPEAT_PATTERNS.some((pattern) => pattern.test(message))) return undefined
  // "the same error for everyone on the VPN" describes a problem; it repeats nothing.
  if (EVERYONE.test(message)) return undefined
  return previousDecision(session)
}

const EVERYONE =
  /\bsame(?:\s+\w+)?\s+(?:for|with|on)\s+(?:every|all|any|no)(?:one|body)?\b|\b(?:for|with|on)\s+(?:everyone|everybody|all\s+of\s+us|people|users)\b/i

function previousDecision(session: Session): RouteDecision | undefined {
  const previous = session.lastTasks ?? []
  if (previous.length === 0) return undefined
  return { tasks: [...previous], ranked: previous.map((taskType) => ({ taskType, score: 1 })) }
}

/** Where the "X" of a follow-up starts, and the words that may follow it. */
const SUBJECT_PATTERNS: readonly RegExp[] = [
  /^\s*(?:(?:and|now|ok|okay|please|then|also)[\s,]+)*(?:do\s+|please\s+do\s+)?(?:the\s+)?same(?:\s+(?:thing|error|problem|issue|fault|request|again))?\s+(?:for|with|on)\s+/i,
  /^\s*(?:(?:and|now|ok|okay|please|then|also)[\s,]+)*for\s+/i,
  /^\s*(?:likewise|ditto)\s+(?:for|with|on)\s+/i,
  REPEAT_THAT,
]
const DESCRIPTION =
  /^(?:the|my|our|his|her|their|its|this|that|these|those|all|every|each|a|an|him|her|them|me|us)\b/i
const SUBJECT_TAIL = /(?:\s*,|\s+(?:on|from|at|with|using|in)\s).*$/is
const SUBJECT_END =
  /(?:\s+(?:too|as\s+well|please|pls|thanks|thank\s+you|now|again))+\s*[.!?]?\s*$/i

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
    // "same error for kwong on LT-0425": the subject ends where another value's preposition
    // starts; the machine after it is read by its own cues.
    const named = message.slice(start).replace(SUBJECT_TAIL, '')
    const subject = trimTrailingPunctuation(named.replace(SUBJECT_END, '').trim())
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

/** One name-shaped word: "kwong", "r.chen", "LT-0424". */
const LONE_NAME = String.raw`([A-Za-z0-9][\w.@-]*[A-Za-z0-9]|[A-Za-z])`
/**
 * Follow-ups said with no "same": "kwong too", "kwong as well please", "and kwong?", "also
 * kwong", "now do kwong". Loose shapes, so they count only when the message is no request of
 * its own (the router places it nowhere): see `looseRepeatOf`.
 */
const LOOSE_REPEATS: readonly RegExp[] = [
  new RegExp(
    String.raw`^\s*(?:(?:and|also|now|next|then|ok(?:ay)?|please)[\s,]+)*(?:(?:do|for)\s+)?${LONE_NAME}(?:\s+(?:too|as\s+well|aswell|also))+(?:\s+(?:please|pls|thanks))?\s*[?.!]*\s*$`,
    'i',
  ),
  new RegExp(
    String.raw`^\s*(?:(?:and|also|now|next|then)[\s,]+)+(?:(?:ok(?:ay)?|please)[\s,]+)?(?:(?:do|for|please\s+do)\s+)?${LONE_NAME}(?:\s+(?:please|pls|next|now))?\s*[?.!]*\s*$`,
    'i',
  ),
]
/** Words that fit those shapes and are no name: "and then?", "also please", "now what?". */
const NOT_NAMES = new Set(
  (
    'then now what why how when where who which that this it them me you us him her please pls ' +
    'thanks thank ok okay yes no yeah nope sure so again too also more next else everything ' +
    'anything nothing something one another other others both all mine yours'
  ).split(' '),
)

/**
 * The name of a loose follow-up ("kwong too"), and the previous request's decision for it;
 * undefined when the message has no such shape or there is no previous request.
 */
export function looseRepeatOf(
  message: string,
  session: Session,
): { decision: RouteDecision; subject: string } | undefined {
  const decision = previousDecision(session)
  if (!decision) return undefined
  for (const pattern of LOOSE_REPEATS) {
    const subject = pattern.exec(message)?.[1]
    if (subject !== undefined && !NOT_NAMES.has(subject.toLowerCase())) return { decision, subject }
  }
  return undefined
}
