import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import type { ActionSpec, ParameterSpec } from '../../knowledge/instructions/instruction-schema.ts'
import { type ExtractionMode, extractParameter } from './parameter-extraction.ts'
import { validateParameter } from './parameter-validation.ts'

/** A parameter the plan still needs, with the question to ask. */
export interface MissingParameter {
  taskType: string
  parameter: string
  question: string
  /** Set when a value was given but rejected: why. */
  problem?: string
}

export interface SlotState {
  values: Record<string, string>
  /** The values that came from the message itself (worth remembering for later turns). */
  fromMessage: Record<string, string>
  missing: MissingParameter[]
}

export interface SlotSources {
  /** The text to look in. */
  message: string
  /** `answer` when the message replies to our question about `answering`. */
  mode: ExtractionMode
  answering?: string
  /** Values already known in this conversation (parameter name -> value). */
  known: Readonly<Record<string, string>>
  /** The signed-in requester's username, for `defaultFromRequester` parameters. */
  requester?: string
}

/**
 * Fills a runbook's parameters from the message, the conversation and the requester, and lists
 * what is still missing in the order the questions should be asked: first the runbook's required
 * parameters, then anything the selected steps need (a step's target machine, say).
 */
export function fillSlots(instruction: Instruction, sources: SlotSources): SlotState {
  const values: Record<string, string> = {}
  const fromMessage: Record<string, string> = {}
  const problems = new Map<string, string>()
  // An answer to one question is that parameter's value, not also another's ("PRN-3F-EAST" given
  // as the computer must not become the printer too).
  const answeringSpec = instruction.parameters.find((spec) => spec.name === sources.answering)
  const answerValue = answeringSpec
    ? extractParameter(answeringSpec, sources.message, 'answer')
    : undefined
  for (const spec of instruction.parameters) {
    const isAnswer = sources.answering === spec.name
    const found = extractParameter(spec, sources.message, isAnswer ? 'answer' : 'message')
    const candidates: Array<{ value: string | undefined; from: 'message' | 'other' }> = [
      {
        value: !isAnswer && found !== undefined && found === answerValue ? undefined : found,
        from: 'message',
      },
      { value: sources.known[spec.name], from: 'other' },
      { value: spec.defaultFromRequester ? sources.requester : undefined, from: 'other' },
      { value: spec.default, from: 'other' },
    ]
    for (const candidate of candidates) {
      if (candidate.value === undefined) continue
      const result = validateParameter(spec, candidate.value)
      if (result.ok) {
        values[spec.name] = result.value
        if (candidate.from === 'message') fromMessage[spec.name] = result.value
        break
      }
      // Only a value the person just typed deserves a complaint; stale defaults are skipped.
      if (
        candidate.from === 'message' &&
        sources.mode === 'answer' &&
        sources.answering === spec.name
      ) {
        problems.set(spec.name, result.reason)
      }
    }
  }
  const needed = new Set(
    instruction.parameters.filter((spec) => spec.required).map((spec) => spec.name),
  )
  for (const action of selectActions(instruction.actions, values)) {
    for (const name of [...action.uses, ...(action.target ? [action.target] : [])]) needed.add(name)
  }
  const missing: MissingParameter[] = []
  for (const spec of instruction.parameters) {
    if (!needed.has(spec.name) || values[spec.name] !== undefined) continue
    const problem = problems.get(spec.name)
    missing.push({
      taskType: instruction.id,
      parameter: spec.name,
      question: spec.question,
      ...(problem ? { problem } : {}),
    })
  }
  return { values, fromMessage, missing }
}

/** The runbook actions whose `when` conditions hold for these values, in runbook order. */
export function selectActions(
  actions: readonly ActionSpec[],
  values: Readonly<Record<string, string>>,
): ActionSpec[] {
  return actions.filter((action) =>
    Object.entries(action.when ?? {}).every(([name, allowed]) => {
      const value = values[name]
      if (value === undefined) return false
      return (Array.isArray(allowed) ? allowed : [allowed]).includes(value)
    }),
  )
}

export function parameterSpec(instruction: Instruction, name: string): ParameterSpec | undefined {
  return instruction.parameters.find((spec) => spec.name === name)
}
