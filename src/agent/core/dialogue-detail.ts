/**
 * More about the task in hand, said after its plan ("it keeps happening every day" after an
 * unlock): read as a correction of that task rather than handed off. Split from
 * dialogue-act.ts; helpdesk-core.ts asks for it when the router places a message nowhere.
 * @module
 */

import type { ParameterSpec } from '../../knowledge/instructions/instruction-schema.ts'
import {
  type DialogueAct,
  type DialogueContext,
  ownMachineAnswer,
  validated,
} from './dialogue-act.ts'
import { optionNamedIn } from './option-synonyms.ts'
import { allowedValues } from './parameter-validation.ts'

/** Kinds whose value a detail may add to the task in hand: named from a list, or a machine. */
const DETAIL_KINDS: ReadonlySet<ParameterSpec['kind']> = new Set([
  'system',
  'platform',
  'enum',
  'hostname',
])
/** A detail is said in a sentence, not a paragraph. */
const DETAIL_WORDS = 12

/**
 * More about the task in hand, said after its plan ("it keeps happening every day" after an
 * unlock): a message the router places nowhere that names a new value of one of the task's
 * listed parameters (or its machine) is a correction of that task, never a hand-off.
 */
export function detailOf(
  context: DialogueContext,
): Extract<DialogueAct, { kind: 'correction' }> | undefined {
  const current = context.current
  if (!current || context.pending) return undefined
  if (context.message.trim().split(/\s+/).length > DETAIL_WORDS) return undefined
  let confirmed: Extract<DialogueAct, { kind: 'correction' }> | undefined
  for (const spec of current.parameters) {
    const value =
      ownMachineAnswer(spec, context.message, context) ??
      validated(spec, context.message, 'message') ??
      shapedAnswer(spec, context.message)
    if (value === undefined) continue
    // "jira-fin-users i think": a name-shaped value of any kind is as clear as a listed one.
    if (!DETAIL_KINDS.has(spec.kind) && !NAME_SHAPED.test(value)) continue
    const correction = {
      kind: 'correction' as const,
      taskType: current.id,
      parameter: spec.name,
      value,
    }
    // The value the plan already has, said again: the task confirmed, planned again, not handed off.
    if (context.known[spec.name] === value) confirmed ??= correction
    else return correction
  }
  return confirmed
}

/**
 * "jira-fin-users i think": a name-shaped token said on its own carries no cue, so it is read
 * as an answer would be; only one such token may give a value.
 */
function shapedAnswer(spec: ParameterSpec, message: string): string | undefined {
  // A person is named with a cue ("for r.chen"): without one, "jira-fin-users" is no account.
  if (spec.kind === 'username') return undefined
  const values = message
    .split(/\s+/)
    .map((token) => token.replace(/[,.!?;:]+$/, ''))
    .filter((token) => NAME_SHAPED.test(token))
    .map((token) => validated(spec, token, 'answer'))
    .filter((value) => value !== undefined)
  return values.length === 1 ? values[0] : undefined
}

/** A token with a mark no plain word has: "jira-fin-users", "LT-0423". */
const NAME_SHAPED = /^(?=\S*[-_.@\d])\S+$/
/** Kinds whose options an employee names in a few words after the plan. */
const NAMED_OPTION_KINDS: ReadonlySet<ParameterSpec['kind']> = new Set(['system', 'enum'])
/** How long a bare naming of an option may be ("the normal windows login one"). */
const NAMED_OPTION_WORDS = 6
/** Words around an option's name that say nothing else: "the ... one i think". */
const OPTION_FILLER = new Set(
  (
    "the a an my our it its it's is was that this one ones i think guess believe probably maybe " +
    'please pls yes yeah ok okay login logon log sign account password normal usual regular main ' +
    'everyday standard same'
  ).split(' '),
)

/**
 * "the normal windows login one" after the plan of an unlock: the message only names an option
 * of one of the task's listed parameters (every word is the option's name or filler), so it
 * is that task's value, whatever a router would make of the words alone.
 */
export function namedOptionOf(
  context: DialogueContext,
): Extract<DialogueAct, { kind: 'correction' }> | undefined {
  const current = context.current
  // An open question (a machine asked as a note after the plan) does not stop it: the message
  // was already found to be no answer to it.
  if (!current) return undefined
  const words = context.message
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .filter((word) => word !== '')
  if (words.length === 0 || words.length > NAMED_OPTION_WORDS) return undefined
  for (const spec of current.parameters) {
    if (!NAMED_OPTION_KINDS.has(spec.kind)) continue
    const allowed = allowedValues(spec)
    const extra = spec.values ?? {}
    const value = optionNamedIn(allowed, context.message, extra, { described: false })
    if (value === undefined) continue
    const onlyNames = words.every(
      (word) => OPTION_FILLER.has(word) || optionNamedIn(allowed, word, extra) === value,
    )
    if (onlyNames) return { kind: 'correction', taskType: current.id, parameter: spec.name, value }
  }
  return undefined
}
