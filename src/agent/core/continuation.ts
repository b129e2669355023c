/**
 * A message with no subject of its own that goes on from the last one: "and says
 * disconnected", "it shows caa70004", "keeps crashing". Routed alone, its few words land
 * anywhere ("disconnected" is an Outlook word); read together with the message it continues,
 * it lands where the conversation is ("my mapped drive is gone ... and it says disconnected"
 * stays a drive problem, "outlook stopped getting mail ... and says disconnected" becomes the
 * Outlook connection task). helpdesk-core.ts routes that joined text instead of the message.
 * @module
 */

import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import type { Session } from './session.ts'

/**
 * An optional joining word, an optional pointer back ("it", "that"), then a verb of what the
 * thing does or shows: the subject is the one of the message before.
 */
const CONTINUATION =
  /^\W*(?:(?:and(?:\s+also|\s+now|\s+then)?|also|plus|oh\s+and|now)\s+)?(?:(?:it|that|this|they|which|the\s+same\s+thing)\s+)?(?:also\s+|still\s+|just\s+|then\s+|now\s+|even\s+|always\s+|sometimes\s+)?(?:says|said|saying|shows|showed|showing|gives|gave|giving|keeps|kept|displays|displayed|pops\s+up|popped\s+up|throws|threw|reads|comes\s+up\s+with|came\s+up\s+with|complains|returns|returned)\b/i

/**
 * With a pointer back, any verb of what the thing does: "and it drops every 10 minutes", "it
 * crashed again", "they won't open".
 */
const POINTED_CONTINUATION =
  /^\W*(?:(?:and(?:\s+also|\s+now|\s+then)?|also|plus|oh\s+and|now)\s+)?(?:it|that|this|they)\s+(?:also\s+|still\s+|just\s+|then\s+|now\s+|even\s+|always\s+|sometimes\s+|randomly\s+|constantly\s+)?(?:[a-z]{3,}(?:s|ed)|won'?t|doesn'?t|didn'?t|can'?t|isn'?t|wouldn'?t|never)\b/i

/** Longer than this, the message says enough to be routed on its own. */
const CONTINUATION_WORDS = 12

/** Whether the message is a subjectless continuation of the one before. */
export function continuesTheLastMessage(message: string): boolean {
  return (
    message.trim().split(/\s+/).length <= CONTINUATION_WORDS &&
    (CONTINUATION.test(message.trim()) || POINTED_CONTINUATION.test(message.trim()))
  )
}

/**
 * The text to route for this message: the person's message before it and this one, when this
 * one only continues it and the conversation is on a task; undefined otherwise (route it alone).
 */
export function continuedText(session: Session, message: string): string | undefined {
  const onTask = session.pending !== undefined || (session.lastTasks?.length ?? 0) > 0
  if (!onTask || !continuesTheLastMessage(message)) return undefined
  // The history ends with this message itself; the one before is what it continues.
  const before = session.history
    .slice(0, -1)
    .filter((entry) => entry.role === 'user')
    .at(-1)?.text
  if (before === undefined) return undefined
  const joined = message.trim().replace(/^\W*(?:and|also|plus|oh\s+and)\s+/i, '')
  return `${before.trim().replace(/[.!?\s]+$/, '')}, and ${joined}`
}

/** A runbook's words in lower case (at least three letters). */
function wordsOf(...texts: string[]): Set<string> {
  return new Set(
    texts
      .join(' ')
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((word) => word.length >= 3),
  )
}

/**
 * Whether the continuation names a subject of its own: a word of the title of the runbook it
 * routes to alone (where products are named: "Microsoft Teams will not sign in") that the
 * conversation's runbook never uses in its title, summary or keywords. "also it shows teams
 * offline" after a Wi-Fi plan names Teams; "and it says disconnected" after a missing drive names
 * nothing new, since a drive is "disconnected" too. Then it is routed alone, as a request.
 */
export function namesAnotherSubject(
  message: string,
  alone: Instruction,
  current: Instruction,
): boolean {
  if (alone.id === current.id) return false
  const theirs = wordsOf(alone.title)
  const ours = wordsOf(current.title, current.summary, ...current.keywords)
  return [...wordsOf(message)].some((word) => theirs.has(word) && !ours.has(word))
}
