import { accountNameProblem } from '../../executors/account-name-rules.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import type { ActionSpec, ParameterSpec } from '../../knowledge/instructions/instruction-schema.ts'
import { type ExtractionMode, extractParameter } from './parameter-extraction.ts'
import { validateParameter } from './parameter-validation.ts'
import { repeatSubject } from './repeat-request.ts'
import type { Session } from './session.ts'

/** A parameter the plan still needs, with the question to ask. */
export interface MissingParameter {
  taskType: string
  parameter: string
  question: string
  /** Set when a value was given but rejected: why. */
  problem?: string
  /**
   * What the value is for, when only a technician's change by hand needs it ("grant Full Access
   * to the shared mailbox after the owner's approval"): the employee is told who acts and why
   * the detail is asked, not only asked.
   */
  purpose?: string
  /**
   * For a parameter with a fixed list of values (enum, system, platform): each value, its label
   * for a quick-reply button, and the words to send as the answer (they are recognised as it).
   */
  options?: ParameterOption[]
}

export interface ParameterOption {
  value: string
  label: string
  /** The text a quick-reply button sends as the answer: `extractParameter` reads it as `value`. */
  answer: string
}

const SYSTEM_LABELS: Readonly<Record<string, string>> = {
  active_directory: 'My normal Windows/network (Active Directory) login',
  aws_iam: 'An AWS account',
  local: 'A local account on one computer',
}
const PLATFORM_LABELS: Readonly<Record<string, string>> = {
  windows: 'Windows',
  linux: 'Linux',
  macos: 'macOS',
}

/** The fixed values a parameter accepts, as quick replies; undefined for freely named kinds. */
export function parameterOptions(spec: ParameterSpec): ParameterOption[] | undefined {
  // The label itself is the answer: it names the value in words the extraction recognises
  // (checked for every runbook by employee-reply.test.ts), and reads well in the conversation.
  const option = (value: string, label: string): ParameterOption => ({
    value,
    label,
    answer: label,
  })
  if (spec.kind === 'system')
    return spec.systems?.map((value) => option(value, SYSTEM_LABELS[value] ?? value))
  if (spec.kind === 'platform')
    return spec.platforms?.map((value) => option(value, PLATFORM_LABELS[value] ?? value))
  if (spec.kind === 'enum' && spec.values) {
    return Object.keys(spec.values).map((value) => {
      const words = value.replaceAll('_', ' ')
      return option(value, `${words.charAt(0).toUpperCase()}${words.slice(1)}`)
    })
  }
  return undefined
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
  /** Facts that win over the message: the inventory's operating system of a named machine. */
  overrides?: Readonly<Record<string, string>>
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
    // `given`: named in the message or by the caller (known values, an API's or a model's
    // parameters); `fallback`: the requester or the runbook's default.
    const candidates: Array<{ value: string | undefined; from: 'message' | 'given' | 'fallback' }> =
      [
        { value: sources.overrides?.[spec.name], from: 'given' },
        {
          value: !isAnswer && found !== undefined && found === answerValue ? undefined : found,
          from: 'message',
        },
        { value: sources.known[spec.name], from: 'given' },
        { value: spec.defaultFromRequester ? sources.requester : undefined, from: 'fallback' },
        { value: spec.default, from: 'fallback' },
      ]
    for (const candidate of candidates) {
      if (candidate.value === undefined) continue
      const result = validateParameter(spec, candidate.value)
      if (result.ok) {
        values[spec.name] = result.value
        if (candidate.from === 'message') fromMessage[spec.name] = result.value
        break
      }
      // A value someone gave is refused and asked for again, never replaced: falling back to
      // the requester or a default would act on someone or something nobody named ("unlock
      // user jdoe;rm" must not unlock the requester). Only a stale fallback is skipped quietly.
      if (candidate.from !== 'fallback') {
        problems.set(spec.name, result.reason)
        break
      }
    }
  }
  const subject = sources.mode === 'message' ? repeatSubject(sources.message) : undefined
  if (subject !== undefined && Object.keys(fromMessage).length === 0 && problems.size === 0) {
    placeSubject(instruction, subject, { values, fromMessage, problems })
  }
  for (const [name, reason] of accountNameProblems(instruction, values)) {
    delete values[name]
    delete fromMessage[name]
    problems.set(name, reason)
  }
  const needed = new Set(
    instruction.parameters.filter((spec) => spec.required).map((spec) => spec.name),
  )
  const neededBy = new Map<string, ActionSpec[]>()
  for (const action of selectActions(instruction.actions, values)) {
    for (const name of [...action.uses, ...(action.target ? [action.target] : [])]) {
      needed.add(name)
      neededBy.set(name, [...(neededBy.get(name) ?? []), action])
    }
  }
  const missing: MissingParameter[] = []
  for (const spec of instruction.parameters) {
    if (!needed.has(spec.name) || values[spec.name] !== undefined) continue
    const problem = problems.get(spec.name)
    const options = parameterOptions(spec)
    const purpose = spec.required ? undefined : changeByHand(neededBy.get(spec.name) ?? [])
    missing.push({
      taskType: instruction.id,
      parameter: spec.name,
      question: spec.question,
      ...(problem ? { problem } : {}),
      ...(purpose ? { purpose } : {}),
      ...(options ? { options } : {}),
    })
  }
  // A refused value is asked about first, while the person still has it in mind.
  missing.sort(
    (left, right) => Number(right.problem !== undefined) - Number(left.problem !== undefined),
  )
  return { values, fromMessage, missing }
}

/** Kinds whose values are recognised from a fixed list, never named freely. */
const LISTED_KINDS: ReadonlySet<ParameterSpec['kind']> = new Set(['system', 'platform', 'enum'])

/**
 * The X of "same for X" for the first freely named parameter that accepts it; if none does,
 * the first one is asked for again with why X was refused. Never dropped: repeating the previous
 * values would act on someone or something the person did not name this time.
 */
function placeSubject(
  instruction: Instruction,
  subject: string,
  state: {
    values: Record<string, string>
    fromMessage: Record<string, string>
    problems: Map<string, string>
  },
): void {
  const named = instruction.parameters.filter((spec) => !LISTED_KINDS.has(spec.kind))
  for (const spec of named) {
    const result = validateParameter(spec, subject)
    if (!result.ok) continue
    state.values[spec.name] = result.value
    state.fromMessage[spec.name] = result.value
    return
  }
  const first = named[0]
  if (!first) return
  const result = validateParameter(first, subject)
  delete state.values[first.name]
  state.problems.set(first.name, result.ok ? '' : result.reason)
}

/**
 * Usernames the runbook's chosen account system would refuse: "Enterprise.Administrator01" is a
 * valid username in general but not an Active Directory sAMAccountName (over 20 characters).
 */
export function accountNameProblems(
  instruction: Instruction,
  values: Readonly<Record<string, string>>,
): Array<[name: string, reason: string]> {
  const systems = instruction.parameters
    .filter((spec) => spec.kind === 'system')
    .map((spec) => values[spec.name])
  const problems: Array<[string, string]> = []
  for (const spec of instruction.parameters) {
    const name = values[spec.name]
    if (spec.kind !== 'username' || name === undefined) continue
    for (const system of systems) {
      const problem = system === undefined ? undefined : accountNameProblem(system, name)
      if (problem) problems.push([spec.name, problem])
    }
  }
  return problems
}

/**
 * The change a technician makes by hand (a guidance step that is not read-only) when that is
 * all the actions needing a value are, as a phrase from its title without the "(technician, by
 * hand)" remark; undefined otherwise.
 */
function changeByHand(actions: readonly ActionSpec[]): string | undefined {
  const first = actions[0]
  if (!first || !actions.every((action) => action.executor === 'guidance' && !action.readOnly))
    return undefined
  return changePhrase(first.title)
}

/** A step's title as a phrase after "to": "Grant X (technician, by hand)" -> "grant X". */
export function changePhrase(title: string): string | undefined {
  const phrase = title.replace(/\s*\([^)]*\)\s*$/, '').trim()
  return phrase ? `${phrase.charAt(0).toLowerCase()}${phrase.slice(1)}` : undefined
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

/**
 * The parameters still missing: the question being asked first, then what the tasks queued
 * behind it will need, from what the conversation knows so far.
 */
export function missingAfter(
  instructions: ReadonlyMap<string, Instruction>,
  session: Pick<Session, 'queue' | 'known' | 'requester'>,
  first: MissingParameter,
): MissingParameter[] {
  const missing = [first]
  for (const taskType of session.queue.slice(1)) {
    const instruction = instructions.get(taskType)
    if (!instruction) continue
    const slots = fillSlots(instruction, {
      message: '',
      mode: 'message',
      known: session.known,
      ...(session.requester ? { requester: session.requester } : {}),
    })
    missing.push(...slots.missing)
  }
  return missing
}
