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
  for (const spec of current.parameters) {
    if (!DETAIL_KINDS.has(spec.kind)) continue
    const value =
      ownMachineAnswer(spec, context.message, context) ??
      validated(spec, context.message, 'message')
    if (value === undefined || context.known[spec.name] === value) continue
    return { kind: 'correction', taskType: current.id, parameter: spec.name, value }
  }
  return undefined
}
