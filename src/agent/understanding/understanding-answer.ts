/**
 * The model's answer to "which runbooks, which values, which parts", checked whole before any of
 * it is used: the closed set of candidates, the shape, and every value by its parameter's kind.
 * @module
 */
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import type { RankedTask } from '../../retrieval/request-router.ts'
import { validateParameter } from '../core/parameter-validation.ts'

/** One retrieved runbook as the model sees it: never a script, an executor or a target. */
export interface UnderstandingCandidate {
  id: string
  title: string
  /** The runbook's summary: what it covers. */
  scope: string
  score: number
  parameters: Array<{ name: string; kind: string; description: string }>
}

/** The JSON schema of the `understand_request` tool's arguments. */
export const UNDERSTANDING_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['tasks', 'parameters'],
  properties: {
    tasks: {
      type: 'array',
      description:
        'The ids of the candidate runbooks the request asks for, in the order asked; [] when none applies.',
      items: { type: 'string' },
    },
    parameters: {
      type: 'object',
      description:
        'Parameter values read from the message or the conversation, by parameter name, exactly as written there. Omit what was not said.',
      additionalProperties: { type: 'string' },
    },
    parts: {
      type: 'array',
      description: 'For a request of several tasks: each part of the message and its task id.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['text', 'task'],
        properties: { text: { type: 'string' }, task: { type: 'string' } },
      },
    },
  },
} as const

/** Longer than any parameter kind accepts (URLs stop at 2048): not a value, a rejected answer. */
const MAX_VALUE_CHARACTERS = 2048
const MAX_PARTS = 10

export type CheckedAnswer =
  | {
      ok: true
      tasks: string[]
      /** Values that passed their kind's validation, canonicalised. */
      values: Record<string, string>
      /** Values that failed: as given, with the reason (they are asked for, never used). */
      refused: Record<string, { value: string; reason: string }>
      /** Parameter names no chosen runbook has: not used. */
      ignored: string[]
      parts?: Array<{ text: string; task: string }>
    }
  | { ok: false; reason: string }

/**
 * A runbook the router gives less than this probability is not offered to the model: the
 * router's scores are calibrated probabilities, and a message about the weather should not make
 * the model choose among runbooks that each have a few percent.
 */
export const MINIMUM_CANDIDATE_SCORE = 0.05

/** The candidates the model may choose from: the router's ranking, with each runbook's scope. */
export function candidatesOf(
  ranked: readonly RankedTask[],
  instructions: ReadonlyMap<string, Instruction>,
): UnderstandingCandidate[] {
  return ranked.flatMap(({ taskType, score }) => {
    const instruction = instructions.get(taskType)
    if (!instruction || score < MINIMUM_CANDIDATE_SCORE) return []
    return [
      {
        id: instruction.id,
        title: instruction.title,
        scope: instruction.summary,
        score: Math.round(score * 1000) / 1000,
        parameters: instruction.parameters.map((spec) => ({
          name: spec.name,
          kind: spec.kind,
          description: spec.description,
        })),
      },
    ]
  })
}

/**
 * Checks the model's answer against the candidates and the chosen runbooks' parameters. The
 * answer is rejected whole (with the reason) when it names a runbook outside the candidates or is
 * not of the expected shape; a single value that fails its kind is refused on its own.
 */
export function checkAnswer(
  answer: unknown,
  candidates: readonly string[],
  instructions: ReadonlyMap<string, Instruction>,
): CheckedAnswer {
  if (!isRecord(answer)) return { ok: false, reason: 'the answer is not a JSON object' }
  const { tasks, parameters, parts } = answer
  if (!Array.isArray(tasks) || !tasks.every((task) => typeof task === 'string'))
    return { ok: false, reason: '"tasks" is not a list of runbook ids' }
  const seen = new Set<string>()
  for (const task of tasks as string[]) {
    if (!candidates.includes(task)) {
      return {
        ok: false,
        reason: `the model chose "${printable(task)}", which is not among the candidates (${candidates.join(', ') || 'none'})`,
      }
    }
    if (seen.has(task)) return { ok: false, reason: `"tasks" lists "${task}" twice` }
    seen.add(task)
  }
  const given = parameters ?? {}
  if (!isRecord(given)) return { ok: false, reason: '"parameters" is not an object of values' }
  const specs = (tasks as string[]).flatMap((task) => instructions.get(task)?.parameters ?? [])
  const values: Record<string, string> = {}
  const refused: Record<string, { value: string; reason: string }> = {}
  const ignored: string[] = []
  for (const [name, value] of Object.entries(given)) {
    if (typeof value !== 'string')
      return { ok: false, reason: `parameter "${printable(name)}" is not a string` }
    if (value.length > MAX_VALUE_CHARACTERS)
      return {
        ok: false,
        reason: `parameter "${printable(name)}" is longer than ${MAX_VALUE_CHARACTERS} characters`,
      }
    const named = specs.filter((spec) => spec.name === name)
    if (named.length === 0) {
      ignored.push(name)
      continue
    }
    // Valid for every chosen runbook that has it, or refused: one value, one meaning.
    const results = named.map((spec) => validateParameter(spec, value))
    const failed = results.find((result) => !result.ok)
    const first = results[0]
    if (failed && !failed.ok) refused[name] = { value, reason: failed.reason }
    else if (first?.ok) values[name] = first.value
  }
  const checkedParts = checkParts(parts, tasks as string[])
  if (typeof checkedParts === 'string') return { ok: false, reason: checkedParts }
  return {
    ok: true,
    tasks: tasks as string[],
    values,
    refused,
    ignored,
    ...(checkedParts ? { parts: checkedParts } : {}),
  }
}

function checkParts(
  parts: unknown,
  tasks: readonly string[],
): Array<{ text: string; task: string }> | undefined | string {
  if (parts === undefined || parts === null) return undefined
  if (!Array.isArray(parts) || parts.length > MAX_PARTS)
    return `"parts" is not a list of at most ${MAX_PARTS} parts`
  const checked: Array<{ text: string; task: string }> = []
  for (const part of parts) {
    if (!isRecord(part) || typeof part.text !== 'string' || typeof part.task !== 'string')
      return 'a part is not {"text", "task"}'
    if (!tasks.includes(part.task))
      return `a part names "${printable(part.task)}", which is not among the chosen tasks`
    checked.push({ text: part.text, task: part.task })
  }
  return checked
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A model's text in a log line: one line, bounded. */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat
}
