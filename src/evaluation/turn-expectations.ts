/**
 * Checks one turn's result against what the script says must hold. Each expectation reads one
 * field of the TurnResult, so a failure says exactly which field disagreed and what it held.
 * @module
 */
import type { TurnResult } from '../agent/core/turn.ts'
import type { TurnExpectation } from './conversation-script.ts'

/** A turn's result as the evaluation reads it. */
export type EvaluatedTurn = TurnResult

/** One expectation that did not hold: its key, what the script wanted, what the turn gave. */
export interface Mismatch {
  expectation: keyof TurnExpectation
  expected: unknown
  got: unknown
}

/** Every expectation of `expect` that `result` breaks; empty when the turn passes. */
export function checkTurn(expect: TurnExpectation, result: EvaluatedTurn): Mismatch[] {
  const mismatches: Mismatch[] = []
  const check = (expectation: keyof TurnExpectation, holds: boolean, got: unknown): void => {
    if (!holds) mismatches.push({ expectation, expected: expect[expectation], got })
  }
  const planned = result.plan.length > 0
  const planValues = result.plan.flatMap((plan) => Object.values(plan.parameters))
  const hasValue = (wanted: string) =>
    planValues.some((value) => value.toLowerCase() === wanted.toLowerCase())
  const refusals = result.refused ?? []
  const asked = result.missing[0]?.parameter
  const reply = result.reply.toLowerCase()

  if (expect.tasks !== undefined) check('tasks', sameSet(result.tasks, expect.tasks), result.tasks)
  if (expect.asks !== undefined) check('asks', (asked !== undefined) === expect.asks, asked ?? null)
  if (expect.asksFor !== undefined) check('asksFor', asked === expect.asksFor, asked ?? null)
  if (expect.plan !== undefined) check('plan', planned === expect.plan, result.plan.length)
  if (expect.values !== undefined) check('values', expect.values.every(hasValue), planValues)
  if (expect.notValues !== undefined)
    check('notValues', !expect.notValues.some(hasValue), planValues)
  if (expect.outOfScope !== undefined)
    check('outOfScope', (result.outOfScope !== undefined) === expect.outOfScope, result.outOfScope)
  if (expect.refused !== undefined) {
    // "Refused" means nothing was planned for the refused request; a turn that also plans
    // something else says so with `plan: true`. "Not refused" means no refusal at all.
    const holds = expect.refused
      ? refusals.length > 0 && (!planned || expect.plan === true)
      : refusals.length === 0
    check('refused', holds, { refused: refusals, plans: result.plan.length })
  }
  if (expect.answered !== undefined) {
    // An answer counts only with its text and at least one cited runbook section.
    const answered =
      result.answer !== undefined &&
      result.answer.text.trim() !== '' &&
      result.answer.sources.length > 0 &&
      !planned
    check('answered', answered === expect.answered, result.answer ?? null)
  }
  if (expect.handoff !== undefined) {
    const handedOff = result.outOfScope !== undefined || present(result.handoff)
    check('handoff', handedOff === expect.handoff, result.handoff ?? result.outOfScope ?? null)
  }
  if (expect.replyIncludes !== undefined) {
    const absent = expect.replyIncludes.filter((text) => !reply.includes(text.toLowerCase()))
    check('replyIncludes', absent.length === 0, { missing: absent })
  }
  if (expect.replyExcludes !== undefined) {
    const found = expect.replyExcludes.filter((text) => reply.includes(text.toLowerCase()))
    check('replyExcludes', found.length === 0, { found })
  }
  return mismatches
}

/** Set equality; the order and repeats of routed tasks do not matter. */
function sameSet(got: readonly string[], wanted: readonly string[]): boolean {
  const left = new Set(got)
  const right = new Set(wanted)
  return left.size === right.size && [...left].every((each) => right.has(each))
}

/** A field that says something: not missing, not null, false, an empty string or an empty list. */
function present(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return false
  return !(Array.isArray(value) && value.length === 0)
}
