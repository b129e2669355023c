/**
 * Optional parameters that must not hold a plan up: one the person does not know is skipped
 * (its steps are left out), and one only some extra steps need is not asked before the main
 * ones are planned ("my windows login keeps locking" plans the directory unlock at once; the
 * computer is only needed to hunt for saved old passwords on it).
 * @module
 */

import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import type { ActionSpec } from '../../knowledge/instructions/instruction-schema.ts'
import type { Session } from './session.ts'
import { type MissingParameter, selectActions } from './slot-filling.ts'

/** The runbook less the actions that need any of these parameters, and what was left out. */
export function withoutActionsNeeding(
  instruction: Instruction,
  names: ReadonlySet<string>,
): { instruction: Instruction; left: ActionSpec[] } {
  if (names.size === 0) return { instruction, left: [] }
  const needs = (action: ActionSpec) =>
    [...action.uses, ...(action.target ? [action.target] : [])].some((name) => names.has(name))
  return {
    instruction: { ...instruction, actions: instruction.actions.filter((each) => !needs(each)) },
    left: instruction.actions.filter(needs),
  }
}

/** The parameters of this task the person said they don't know. */
export function skippedOf(skipped: readonly string[] | undefined, taskType: string): Set<string> {
  const prefix = `${taskType}:`
  return new Set(
    (skipped ?? [])
      .filter((each) => each.startsWith(prefix))
      .map((each) => each.slice(prefix.length)),
  )
}

/** Whether leaving out this parameter's actions still leaves something to plan. */
export function canSkip(instruction: Instruction, parameter: string): boolean {
  const spec = instruction.parameters.find((each) => each.name === parameter)
  if (spec?.required !== false) return false
  return withoutActionsNeeding(instruction, new Set([parameter])).instruction.actions.length > 0
}

/**
 * When every missing parameter is optional and the plan without the steps needing them still
 * changes something (the unlock itself), that smaller plan now, and the question as a note after
 * it; otherwise undefined (ask first, as usual).
 */
export function deferOptional(
  instruction: Instruction,
  missing: readonly MissingParameter[],
  values: Readonly<Record<string, string>>,
): { instruction: Instruction; left: ActionSpec[]; parameter: string } | undefined {
  const first = missing[0]
  if (!first || missing.some((each) => each.problem !== undefined)) return undefined
  const optional = missing.every(
    (each) =>
      instruction.parameters.find((spec) => spec.name === each.parameter)?.required === false,
  )
  if (!optional) return undefined
  const reduced = withoutActionsNeeding(instruction, new Set(missing.map((each) => each.parameter)))
  const kept = selectActions(reduced.instruction.actions, values)
  const changes = kept.some((each) => !each.readOnly)
  // An access group is seldom known to the person asking for the access, and the runbook's
  // approval step finds it: the request is planned first, the group asked for after it.
  const seldomKnown = missing.every((each) =>
    SELDOM_KNOWN_KINDS.has(kindOf(instruction, each) ?? ''),
  )
  // Only the steps these values would have run are worth offering.
  return changes || (seldomKnown && kept.length > 0)
    ? { ...reduced, left: selectActions(reduced.left, values), parameter: first.parameter }
    : undefined
}

/** Kinds of value a requester seldom knows (and a runbook step can find). */
const SELDOM_KNOWN_KINDS: ReadonlySet<string> = new Set(['group'])

function kindOf(instruction: Instruction, missing: MissingParameter): string | undefined {
  return instruction.parameters.find((spec) => spec.name === missing.parameter)?.kind
}

/** The action ids a follow-up question about this task was asked for, when it is open. */
export function followUpOf(
  session: Pick<Session, 'pending'>,
  taskType: string,
): readonly string[] | undefined {
  return session.pending?.taskType === taskType ? session.pending.only : undefined
}

/** The runbook with only these actions (all of them when `ids` is undefined). */
export function onlyActions(
  instruction: Instruction,
  ids: readonly string[] | undefined,
): Instruction {
  if (!ids) return instruction
  return {
    ...instruction,
    actions: instruction.actions.filter((action) => ids.includes(action.id)),
  }
}
