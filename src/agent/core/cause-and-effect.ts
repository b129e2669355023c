/**
 * A request that says what caused what: "my account is locked, so the vpn fails", "the vpn
 * won't connect because my password expired". The cause is put right first: its task goes to
 * the front of the queue, so its plan or question comes before the effect's. An effect the
 * router did not keep as a request of its own (the cause explains it) is still mentioned: "once
 * this is done, try the vpn again". Called by helpdesk-core.ts on the router's decision.
 * @module
 */
import type { RouteDecision } from '../../retrieval/request-router.ts'

/** The two halves of a message that links a cause and its effect. */
export interface CauseAndEffect {
  cause: string
  effect: string
}

/** "X, so Y", "X and that's why Y", "X and because of that Y": the cause comes first. */
const CAUSE_THEN_EFFECT =
  /^(.+?)(?:\s*,\s*|\s+)(?:and\s+)?(?:so|therefore|which\s+is\s+(?:probably\s+|likely\s+|maybe\s+)?why|that(?:'|’)?s\s+why|because\s+of\s+(?:that|this|it)|as\s+a\s+result)\s+(.+)$/i

/** "Y because X", "Y, i think it's because X", "Y due to X": the effect comes first. */
const EFFECT_THEN_CAUSE =
  /^(.+?)(?:\s*,\s*|\s+)(?:and\s+)?(?:i\s+think\s+)?(?:(?:it|that)(?:'|’)?s\s+|(?:it|that)\s+is\s+)?(?:because|since|due\s+to)\s+(.+)$/i

/** Where a clause's subject ends: its verb or negation ("the vpn | fails"). */
const SUBJECT_END =
  /\s+(?:fails?|failing|keeps|kept|won(?:'|’)?t|will\s+not|doesn(?:'|’)?t|does\s+not|isn(?:'|’)?t|is|are|can(?:'|’)?t|cannot|stopped|stops|has|says|shows|not|no\s+longer)\b/i

/** Subjects that name nothing one could try again ("i", "it"). */
const NO_SUBJECT = /^(?:i|it|we|that|this|they|everything|nothing|something)$/i

/** The cause and the effect of a message that links them; undefined for any other message. */
export function causeAndEffect(message: string): CauseAndEffect | undefined {
  const text = message.trim().replace(/[.!?]+$/, '')
  const forward = CAUSE_THEN_EFFECT.exec(text)
  if (forward?.[1] && forward[2]) return { cause: forward[1], effect: forward[2] }
  const backward = EFFECT_THEN_CAUSE.exec(text)
  if (backward?.[1] && backward[2]) return { cause: backward[2], effect: backward[1] }
  return undefined
}

/** What to try again once the cause is put right: the effect's subject, said to the person. */
export function retrySubject(effect: string, possessive = 'your'): string | undefined {
  const cleaned = effect.replace(/^(?:(?:and|so|then|now|also|i\s+think)\s+)+/i, '').trim()
  const end = SUBJECT_END.exec(cleaned)
  if (!end) return undefined
  const subject = cleaned.slice(0, end.index).trim().replace(/^my\b/i, possessive)
  if (subject === '' || NO_SUBJECT.test(subject) || subject.split(/\s+/).length > 4)
    return undefined
  return subject
}

/** The decision with the cause's task first, and a note about an effect no task was kept for. */
export interface CauseFirst {
  decision: RouteDecision
  note?: string
}

/**
 * Puts the cause's task first when the message links a cause and an effect and both halves
 * place a task; mentions the effect when the decision kept only the cause's task.
 */
export async function causeFirst(
  decision: RouteDecision,
  message: string,
  route: (clause: string) => Promise<RouteDecision>,
  /** The employee a technician acts for: the note tells the technician to have them try. */
  actingFor?: string,
): Promise<CauseFirst> {
  const linked = decision.tasks.length > 0 ? causeAndEffect(message) : undefined
  if (!linked) return { decision }
  const cause = (await route(linked.cause)).tasks[0]
  if (cause === undefined || !decision.tasks.includes(cause)) return { decision }
  const effect = (await route(linked.effect)).tasks[0]
  if (effect === undefined || effect === cause) return { decision }
  const tasks = [cause, ...decision.tasks.filter((task) => task !== cause)]
  if (decision.tasks.includes(effect)) return { decision: { ...decision, tasks } }
  const subject = retrySubject(linked.effect, actingFor ? 'their' : 'your')
  const retry = `${subject ?? 'again what was failing'}${subject ? ' again' : ''}`
  const note = actingFor
    ? `Once this is done, ask ${actingFor} to try ${retry}; if it still fails, tell me here and I'll look at that too.`
    : `Once this is done, try ${retry}; if it still fails, tell me here and I'll look at that too.`
  return { decision: { ...decision, tasks }, note }
}
