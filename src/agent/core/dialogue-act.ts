/**
 * What a message does in the conversation, decided once per turn before anything else is tried
 * (the shape of Rasa's forms): the open question names the parameter it asks for, and the
 * message is first checked as an answer to it; a message that is not an answer is classified
 * explicitly, so "windows" to "Windows/network, AWS or local?" is never routed as a new request,
 * "hello" never becomes a group name and "I don't know" never switches the topic.
 * @module
 */

import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import type { ParameterSpec } from '../../knowledge/instructions/instruction-schema.ts'
import { ACCOUNT_SYSTEMS, PLATFORMS } from '../../knowledge/instructions/parameter-kinds.ts'
import { splitClauses } from '../../retrieval/clause-splitter.ts'
import {
  CLARIFY,
  CORRECTION,
  DONT_KNOW,
  HANDOFF,
  isCorrectionOnly,
  NAMED_CORRECTION_WORDS,
  NEGATED_VALUE,
  RECORDS_QUESTION,
  type SmallTalkTopic,
  STRONG_CORRECTION,
  smallTalkOf,
  TRAILING_CORRECTION,
} from './dialogue-cues.ts'
import { type ClassedMachine, machineOfClassNamed } from './machine-class-words.ts'
import { optionNamedIn } from './option-synonyms.ts'
import { extractParameter } from './parameter-extraction.ts'
import { allowedValues, validateParameter } from './parameter-validation.ts'
import { restatedMachineOf } from './restated-machine.ts'
import { aboutTheTask } from './runbook-vocabulary.ts'
import { mostLike } from './value-tokens.ts'

export { type SmallTalkTopic, smallTalkOf } from './dialogue-cues.ts'

export type DialogueAct =
  /**
   * The open question's value. `remainder`: the message's other clauses, read for the task's
   * other values ("jdoe, active directory"); `request`: they name none, so they are a second
   * request to route ("LT-0423, and my vpn is down too").
   */
  | { kind: 'answer'; parameter: string; value: string; remainder?: string; request?: boolean }
  /** A new value for a parameter already given ("actually it's the AWS one", "no, LT-0424"). */
  | {
      kind: 'correction'
      taskType: string
      parameter: string
      value: string
      /**
       * The words that gave the value, read again for the task's other values ("a local account
       * on my workstation" gives the machine too); absent when only the value was said.
       */
      said?: string
      /** The machine said again after a plan, with no cue word (see restated-machine.ts). */
      restated?: true
    }
  /**
   * A correction to an option the current runbook does not have ("actually it's the AWS
   * console" for a lockout, which covers the directory and local accounts): asked again with
   * the options it has, never switched to another runbook.
   */
  | { kind: 'unsupported_value'; taskType: string; parameter: string; value: string }
  /** A new request, or anything that is not about the open question. */
  | {
      kind: 'new_request'
      /** A short reply that failed the open question's check: likely a mistyped answer. */
      invalidAnswer?: boolean
      /**
       * "sorry, I meant the finance one": it says a value was wrong, names no problem, and no
       * value it gives passes the open question's check. It stays with the question (asked
       * again), never routed as a request of its own.
       */
      correctionOnly?: boolean
    }
  | { kind: 'small_talk'; topic: SmallTalkTopic }
  /** "I don't know" to the open question (with nothing in the message that answers it). */
  | { kind: 'dont_know'; parameter: string }
  /**
   * A question about the open question ("where do I find that?", "what's the difference?"):
   * explained, and asked again; nothing is skipped or handed off for it.
   */
  | { kind: 'clarify'; parameter: string }
  /** "talk to a person": always handed off. */
  | { kind: 'handoff_request' }
  /**
   * A question about the company's records ("how many laptops do we have?"): nothing to fix,
   * so never routed to a runbook (it once planned an unlock for the person asking).
   */
  | { kind: 'records_question' }

export interface DialogueContext {
  message: string
  /** The open question: which parameter of which runbook. */
  pending?: { instruction: Instruction; parameter: string }
  /** The runbook the conversation is on (the open question's, or the one last planned). */
  current?: Instruction
  /** Values already given in this conversation. */
  known: Readonly<Record<string, string>>
  /**
   * The value "my laptop" stands for when the message says so (the requester's one assigned
   * machine), for an answer to a machine question.
   */
  ownMachine?: string
  /** The requester's own machines and their class: "the laptop" picks one of several. */
  ownMachines?: readonly ClassedMachine[]
}

/** A greeting before the real content: "hi, it's LT-0423". */
const LEADING_GREETING =
  /^\s*(?:hi|hello|hey|hiya|good\s+(?:morning|afternoon|evening))(?:\s+there)?\s*[,!.:;-]+\s*/i

/** A correction is short: "actually LT-0423 has no sound either" is a request of its own. */
const CORRECTION_WORDS = 6

/** A reply this short that fails the question's check is a mistyped answer, not a request. */
const SHORT_REPLY_WORDS = 6
/** Kinds named from a fixed list: read from an answer, even a correction's, by their names. */
const LISTED_KINDS: ReadonlySet<ParameterSpec['kind']> = new Set(['system', 'platform', 'enum'])

/** Decides what the message does: see `DialogueAct`. */
export function classifyMessage(context: DialogueContext): DialogueAct {
  const { message } = context
  if (HANDOFF.test(message)) return { kind: 'handoff_request' }
  const topic = smallTalkOf(message)
  if (topic) return { kind: 'small_talk', topic }
  if (RECORDS_QUESTION.test(message)) return { kind: 'records_question' }
  const text = message.replace(LEADING_GREETING, '')
  const pending = context.pending
  const spec = pending
    ? pending.instruction.parameters.find((each) => each.name === pending.parameter)
    : undefined
  if (pending && spec) {
    const unknown = DONT_KNOW.exec(text)
    if (unknown) {
      // "no idea, it's LT-0423" still answers; "no idea, my manager is Bob" does not.
      const rest = text.slice(unknown[0].length)
      const value = ownMachineAnswer(spec, rest, context) ?? validated(spec, rest, 'message')
      return value !== undefined
        ? { kind: 'answer', parameter: spec.name, value }
        : { kind: 'dont_know', parameter: spec.name }
    }
    if (CLARIFY.test(text)) return { kind: 'clarify', parameter: spec.name }
  }
  const correction = correctionOf(text, context)
  if (correction) return correction
  if (pending && spec && isCorrectionOnly(text))
    return { kind: 'new_request', invalidAnswer: true, correctionOnly: true }
  const restated = restatedMachineOf(text, context, (words) => {
    const machine = context.current?.parameters.find((each) => each.kind === 'hostname')
    return machine
      ? (ownMachineAnswer(machine, words, context) ?? validated(machine, words, 'message'))
      : undefined
  })
  if (restated) return restated
  if (!pending || !spec) return { kind: 'new_request' }
  const value = ownMachineAnswer(spec, text, context) ?? validated(spec, text, 'answer')
  if (value !== undefined) {
    const remainder = remainderOf(spec, text, value)
    return {
      kind: 'answer',
      parameter: spec.name,
      value,
      ...(remainder ? { remainder, ...requestIf(pending.instruction, spec, remainder) } : {}),
    }
  }
  const part = clauseAnswer(spec, text, context)
  if (part) {
    return {
      kind: 'answer',
      parameter: spec.name,
      value: part.value,
      remainder: part.remainder,
      ...requestIf(pending.instruction, spec, part.remainder),
    }
  }
  const attempted = extractParameter(spec, text, 'answer') !== undefined
  const short = text.trim().split(/\s+/).length <= SHORT_REPLY_WORDS
  return { kind: 'new_request', ...(attempted && short ? { invalidAnswer: true } : {}) }
}

function correctionOf(text: string, context: DialogueContext): DialogueAct | undefined {
  const current = context.current
  if (!current) return undefined
  const cue = CORRECTION.exec(text)
  const trailing = cue ? undefined : TRAILING_CORRECTION.exec(text)
  const opened = cue ? text.slice(cue[0].length) : trailing?.[1]
  if (opened === undefined) return undefined
  // "sorry, my own laptop then": the closing "then" is a cue too, no part of the value.
  const said = opened.replace(CLOSING_CUE, '')
  // "LT-0424 not LT-0423": the wrong value is set aside before the right one is read.
  const rest = said.replace(NEGATED_VALUE, ' ').trim() || said
  const words = rest.trim().split(/\s+/).length
  // "sorry" or "oops" alone says less than "actually" or "I meant": then only a value may follow.
  const strong = !cue || said !== opened || STRONG_CORRECTION.test(cue[0])
  if (!rest.trim()) return undefined
  const short = words <= (strong ? CORRECTION_WORDS : BARE_VALUE_WORDS)
  // "no sorry, it's my usual windows network login that's locked": longer, but it names the
  // other choice outright, which a new request about something else would not.
  const named = (spec: ParameterSpec, value: string) =>
    strong &&
    words <= NAMED_CORRECTION_WORDS &&
    NAMED_KINDS.has(spec.kind) &&
    namesOption(spec, rest, value)
  const pending = context.pending
  // The open question's own value first: "no, LT-0424" to "which computer?" is its answer.
  const ordered = [...current.parameters].sort(
    (left, right) =>
      Number(right.name === pending?.parameter) - Number(left.name === pending?.parameter),
  )
  const candidates: Array<Extract<DialogueAct, { kind: 'correction' }>> = []
  for (const spec of ordered) {
    const isPending = spec.name === pending?.parameter && pending.instruction.id === current.id
    // A listed value is read by its natural names ("the AWS one"): a correction is short.
    const mode = isPending || LISTED_KINDS.has(spec.kind) ? 'answer' : 'message'
    const value = ownMachineAnswer(spec, rest, context) ?? validated(spec, rest, mode)
    if (value === undefined || !(short || named(spec, value))) continue
    if (isPending) return { kind: 'answer', parameter: spec.name, value }
    // Another listed value must be named, not only described ("I meant my laptop" is no login).
    if (LISTED_KINDS.has(spec.kind) && !namesOption(spec, rest, value)) continue
    if (context.known[spec.name] === value) continue
    // "a local account on my workstation": the words name the machine too, so they are read again.
    const more = current.parameters.some(
      (other) =>
        other.name !== spec.name &&
        (ownMachineAnswer(other, rest, context) ?? validated(other, rest, 'message')) !== undefined,
    )
    candidates.push({
      kind: 'correction',
      taskType: current.id,
      parameter: spec.name,
      value,
      ...(more ? { said: rest } : {}),
    })
  }
  // A value more than one parameter would take replaces the one it is most like.
  const closest = mostLike(candidates, context.known)
  if (closest) return closest
  // "sorry, it's actually kwong": a bare name replaces the value of its kind given before.
  const bare = words <= BARE_VALUE_WORDS ? bareReplacement(current, rest, context) : undefined
  if (bare) return bare
  if (!short) return undefined
  for (const spec of current.parameters) {
    const every = EVERY_OPTION[spec.kind]
    const value = every ? optionNamedIn(every, rest) : undefined
    if (value !== undefined && !allowedValues(spec).includes(value))
      return { kind: 'unsupported_value', taskType: current.id, parameter: spec.name, value }
  }
  return undefined
}

/** "... then", "... instead" at the end of a correction. */
const CLOSING_CUE =
  /[,\s]+(?:then|instead|my\s+(?:mistake|bad|error)|sorry|(?:that\s+was\s+)?a\s+typo)\s*[.!]*\s*$/i
/** Choices named outright in a correction; the platform comes from the inventory instead. */
const NAMED_KINDS: ReadonlySet<ParameterSpec['kind']> = new Set(['system', 'enum'])
/** How long a bare value may be ("kwong", "the aws one"). */
const BARE_VALUE_WORDS = 3
/** Kinds a bare word may replace, most likely first: people correct the person, then the app. */
const REPLACEABLE_KINDS: readonly ParameterSpec['kind'][] = [
  'username',
  'hostname',
  'application',
  'package_name',
  'printer',
  'group',
]

function bareReplacement(
  current: Instruction,
  rest: string,
  context: DialogueContext,
): DialogueAct | undefined {
  const candidates: Array<Extract<DialogueAct, { kind: 'correction' }>> = []
  for (const kind of REPLACEABLE_KINDS) {
    for (const spec of current.parameters) {
      const known = context.known[spec.name]
      if (spec.kind !== kind || known === undefined) continue
      const value = validated(spec, rest, 'answer')
      if (value === undefined || value === known) continue
      candidates.push({ kind: 'correction', taskType: current.id, parameter: spec.name, value })
    }
  }
  // "jira-software-users" would do as a name too: it replaces the group it is most like.
  return mostLike(candidates, context.known)
}

function namesOption(spec: ParameterSpec, text: string, value: string): boolean {
  const named =
    optionNamedIn(allowedValues(spec), text, spec.values ?? {}, { described: false }) ??
    extractParameter(spec, text, 'message')
  return named === value
}

/** Every value a kind of listed parameter can have, in any runbook. */
const EVERY_OPTION: Partial<Record<ParameterSpec['kind'], readonly string[]>> = {
  system: ACCOUNT_SYSTEMS,
  platform: PLATFORMS,
}

export function validated(
  spec: ParameterSpec,
  text: string,
  mode: 'message' | 'answer',
): string | undefined {
  if (!text.trim()) return undefined
  const candidate = extractParameter(spec, text, mode)
  if (candidate === undefined) return undefined
  const result = validateParameter(spec, candidate)
  return result.ok ? result.value : undefined
}

const MY_MACHINE =
  /\b(?:my|mine|my own)\s+(?:own\s+)?(?:work\s+|company\s+|office\s+)?(?:laptop|computer|pc|machine|desktop|workstation|notebook|device)\b/i

/** A bare yes to a question that offered one machine: "yes", "yep that one", "that's it". */
const CONFIRMED =
  /^\s*(?:(?:yes|yeah|yep|yup|correct|right|exactly|sure)(?:\s+(?:please|it\s+is|that'?s\s+(?:it|the\s+one|right)|that\s+one))?|that'?s\s+(?:it|the\s+one|right)|that\s+one)\s*[.!]*\s*$/i

export function ownMachineAnswer(
  spec: ParameterSpec,
  text: string,
  context: DialogueContext,
): string | undefined {
  if (spec.kind !== 'hostname') return undefined
  if (context.ownMachine !== undefined && MY_MACHINE.test(text)) return context.ownMachine
  // "Is it the shared workstation WS-FIN-12?" offers their one machine: "yes" takes it.
  const offered = context.ownMachines?.length === 1 ? context.ownMachines[0] : undefined
  if (offered && CONFIRMED.test(text)) return offered.name
  return machineOfClassNamed(text, context.ownMachines ?? [])?.name
}

/** Where the parts of an answer meet: a comma or a full stop before a space, "and", "also". */
const PART_BREAK = /[,.!?:;]\s+|\s+[-–—]+\s+|\s+(?:and|also|plus|but)\s+/i
/** One token with a mark no plain word has: "jira-software-users", "LT-0423", "r.chen". */
const NAME_SHAPED = /^(?=\S*[-_.@\\\d])\S+$/
/** Characters no prose needs: a message with them is never cut into parts. */
const SHELL_CHARACTERS = /[;|&$`<>\\{}()[\]]/

/**
 * An answer given with more than the value, in parts split at commas and clause breaks:
 * "jdoe, active directory" answers "which account?" with jdoe. The value is one whole part (a
 * part is never cut, so "jdoe;rm" stays one value to refuse); exactly one part may give it.
 */
function clauseAnswer(
  spec: ParameterSpec,
  text: string,
  context: DialogueContext,
): { value: string; remainder: string } | undefined {
  // Only prose separators: "jdoe;rm -rf /" is one value to refuse, never "jdoe" and the rest.
  if (SHELL_CHARACTERS.test(text)) return undefined
  const parts = text
    .split(PART_BREAK)
    .map((part) => part.trim())
    .filter((part) => part !== '')
  if (parts.length < 2) return undefined
  const answers = parts.map(
    (part) => ownMachineAnswer(spec, part, context) ?? validated(spec, part, 'answer'),
  )
  const answered = answers.flatMap((value, index) => (value === undefined ? [] : [index]))
  // "only a licence, jira-software-users": a name-shaped part wins over words that could be one.
  const shaped = answered.filter((index) => NAME_SHAPED.test(parts[index] ?? ''))
  const given = answered.length > 1 && shaped.length === 1 ? shaped : answered
  const index = given[0]
  if (given.length !== 1 || index === undefined) return undefined
  const value = answers[index]
  if (value === undefined) return undefined
  return { value, remainder: parts.filter((_, each) => each !== index).join(', ') }
}

/**
 * `request: true` when the clauses beside the answer name no other value of the task: then
 * they are a request of their own, to be routed.
 */
function requestIf(
  instruction: Instruction,
  answered: ParameterSpec,
  remainder: string,
): { request?: true } {
  const values = instruction.parameters.some(
    (spec) => spec.name !== answered.name && validated(spec, remainder, 'message') !== undefined,
  )
  return values || aboutTheTask(instruction, remainder) ? {} : { request: true }
}

/** The clauses of an answer that are not the answer: "LT-0423, and also my vpn is down". */
function remainderOf(spec: ParameterSpec, text: string, value: string): string | undefined {
  const clauses = splitClauses(text)
  if (clauses.length < 2) return undefined
  const rest = clauses.filter((clause) => validated(spec, clause, 'answer') !== value)
  // Every clause names the value, or none alone does: nothing else was asked.
  if (rest.length === 0 || rest.length === clauses.length) return undefined
  return rest.join('. ')
}
