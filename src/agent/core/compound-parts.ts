/**
 * The parts of a compound request that are no request of their own: "LT-0423 is overheating and
 * shutting itself down", "access denied - I've never had access to it, I need it for the new
 * project". A part that only points back at what was said before ("itself", "it") and names no
 * value of the task it brushes against says more about the request before it; so does a part
 * that only says where the person is ("I am on a colleague pc now"). Called by
 * helpdesk-core.ts on the router's decision, before the tasks are queued.
 * @module
 */

import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { splitMarkedClauses } from '../../retrieval/clause-splitter.ts'
import type { RouteDecision } from '../../retrieval/request-router.ts'
import { extractParameter } from './parameter-extraction.ts'

/** Words that point back at what the message said before. */
const POINTS_BACK = /\b(?:it|itself|its|that|this|them|they|those|these)\b/i

/** "on top of that teams won't sign in": the joining words point back, the request does not. */
const JOINING_PHRASE =
  /^\W*(?:and\s+)?(?:on\s+top\s+of|apart\s+from|besides|after|other\s+than|with|as\s+well\s+as)\s+(?:that|this|it)\b/i

/**
 * A part that only says where the person is or what they are using ("I am on a colleague pc
 * now", "I'm working from home today"): the setting of the request, not a request of its own.
 */
const SITUATION =
  /^\W*(?:(?:and|but|so|btw|also)\s+)?(?:i\s*(?:am|'m|’m)|im)\s+(?:currently\s+|now\s+|just\s+|only\s+|still\s+)?(?:on|at|in|using|working\s+(?:from|on|at|in)|sitting\s+at|typing\s+(?:this\s+)?(?:from|on)|logged\s+(?:in|on)\s+(?:on|at|from|to))\s+(?:[\w'’-]+\s*){1,6}[.!]*$/i

/** Words that make a part a problem after all: "I'm on the vpn and nothing loads" is not a setting. */
const PROBLEM_WORD =
  /\b(?:not|no|never|nothing|can'?t|cannot|won'?t|doesn'?t|isn'?t|error|fail\w*|broken|slow|crash\w*|stuck|frozen|issue|problem|help|need|locked|down)\b|n't\b/i

/**
 * "because of that the vpn won't connect", "that's why outlook asks again": the pointer names the
 * cause, the other part, and the part keeps a subject of its own.
 */
const CAUSE_LINK =
  /\b(?:because\s+of|due\s+to|as\s+a\s+result\s+of|thanks\s+to)\s+(?:that|this|it)\b|\b(?:that|this|it)(?:'s|’s|\s+is|\s+was)\s+(?:why|because|what)\b/gi

/** "onedrive shows a red x on it": where the problem is (the machine just named), not its subject. */
const PLACE_POINTER = /\b(?:on|in|with|from|at)\s+(?:it|that|this|them)(?:\s+too|\s+as\s+well)?\b/gi

/** A part that adds a problem ("it's slow too", "it also freezes", "it's overheating as well"). */
const ANOTHER_PROBLEM = /\b(?:too|also|either)\b|\bas\s+well\b/i

/** The part without the words that only link it to another: what is left may point back. */
function withoutLinks(text: string): string {
  return text.replace(JOINING_PHRASE, '').replace(CAUSE_LINK, '').replace(PLACE_POINTER, '')
}

/** Whether a part only sets the scene (where the person is, which device they are on). */
export function onlySetsTheScene(text: string): boolean {
  return SITUATION.test(text.trim()) && !PROBLEM_WORD.test(text)
}

/** The decision without tasks that only a part pointing back brought in (at least one stays). */
export function withoutDetailParts(
  decision: RouteDecision,
  instruction: (taskType: string) => Instruction | undefined,
): RouteDecision {
  const parts = decision.parts
  if (!parts || decision.tasks.length < 2) return decision
  const first = decision.tasks[0]
  const details = new Set<string>()
  for (const part of parts) {
    const taskType = part.taskType
    if (!taskType || taskType === first || !decision.tasks.includes(taskType)) continue
    // Another part of the message that is about the same task makes it a request after all.
    if (parts.some((other) => other !== part && other.taskType === taskType)) continue
    if (onlySetsTheScene(part.text)) {
      details.add(taskType)
      continue
    }
    // "... and it's slow too": a second problem of the same thing, said as one.
    if (ANOTHER_PROBLEM.test(part.text)) continue
    if (!POINTS_BACK.test(withoutLinks(part.text))) continue
    const spec = instruction(taskType)
    const named = spec?.parameters.some(
      (parameter) =>
        !parameter.defaultFromRequester &&
        extractParameter(parameter, part.text, 'message') !== undefined,
    )
    if (!named) details.add(taskType)
  }
  if (details.size === 0) return decision
  return { ...decision, tasks: decision.tasks.filter((task) => !details.has(task)) }
}

/** Kinds whose values have a shape of their own: naming one is evidence of a request for it. */
const TELLING_KINDS: ReadonlySet<string> = new Set([
  'group',
  'unc_path',
  'printer',
  'package_name',
  'email',
])

/**
 * A second request the router took for a detail: "jdoe is locked out, and he also needs adding
 * to jira-fin-users". A clause the writer set apart as a request ("also", "btw", "while you're
 * at it") that, routed alone, places another task confidently and names a value of that task
 * with a shape of its own (a group, a share, a printer, a package, an address) adds that task.
 * Only for a decision of one task without parts; a detail ("also says error 809") names no such
 * value and is left alone.
 */
export async function withValuedParts(
  decision: RouteDecision,
  text: string,
  route: (clause: string) => Promise<RouteDecision>,
  instruction: (taskType: string) => Instruction | undefined,
  minimumScore: number,
): Promise<RouteDecision> {
  if (decision.parts || decision.tasks.length !== 1) return decision
  const clauses = splitMarkedClauses(text)
  if (clauses.length < 2) return decision
  const added: string[] = []
  for (const clause of clauses) {
    if (!clause.announced) continue
    const alone = await route(clause.text)
    const taskType = alone.tasks[0]
    if (taskType === undefined || alone.tasks.length !== 1) continue
    if (decision.tasks.includes(taskType) || added.includes(taskType)) continue
    if ((alone.ranked[0]?.score ?? 0) < minimumScore) continue
    const named = instruction(taskType)?.parameters.some(
      (parameter) =>
        TELLING_KINDS.has(parameter.kind) &&
        !parameter.defaultFromRequester &&
        extractParameter(parameter, clause.text, 'message') !== undefined,
    )
    if (named) added.push(taskType)
  }
  return added.length > 0 ? { ...decision, tasks: [...decision.tasks, ...added] } : decision
}
