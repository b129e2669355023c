import { isMap, isSeq, LineCounter, parseDocument } from 'yaml'
import type { Instruction } from './instruction.ts'
import { parseInstruction } from './instruction-loader.ts'

/**
 * Validation of one runbook given as text (the exact format of `data/instructions/<id>.md`), for
 * the editor and the API: the loader's schema and checks, every problem with the 1-based line of
 * the whole text it is about when one can be found.
 * @module
 */

/** One problem in one runbook text. */
export interface RunbookProblem {
  /** Dotted path into the front matter (`actions.2.script`), `(file)`, `(front matter)` or `(body)`. */
  field: string
  /** 1-based line of the whole text, when the problem has a place. */
  line?: number
  reason: string
}

export type RunbookValidation =
  | { ok: true; instruction: Instruction }
  | { ok: false; id: string | undefined; problems: RunbookProblem[] }

/** A runbook text larger than this is refused whole (the largest shipped one is under 23 KB; the API refuses bodies over 64 KB anyway). */
export const MAX_RUNBOOK_BYTES = 64 * 1024

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/
const ID_PATTERN = /^[a-z][a-z0-9_]{0,79}$/
/**
 * Words the API's paths use after `/api/instructions/` (`GET .../export`, `POST .../import`,
 * `.../validate`, `.../route`): a runbook of that id could never be read or changed by its path.
 */
export const RESERVED_RUNBOOK_IDS: readonly string[] = ['export', 'import', 'validate', 'route']

/**
 * Validates one runbook text. `expectedId` (the id in a `PUT` path, or the file name of an
 * imported file) must equal the front matter's id; without it the front matter's id names the
 * runbook. Never throws for bad content.
 */
export function validateRunbookText(text: string, expectedId?: string): RunbookValidation {
  if (Buffer.byteLength(text, 'utf8') > MAX_RUNBOOK_BYTES) {
    return failed(undefined, [
      { field: '(file)', reason: `larger than ${MAX_RUNBOOK_BYTES} bytes` },
    ])
  }
  const match = FRONT_MATTER.exec(text)
  const frontId = match ? idOf(match[1] ?? '') : undefined
  const id = expectedId ?? frontId
  if (id !== undefined && !ID_PATTERN.test(id)) {
    return failed(undefined, [
      {
        field: 'id',
        ...(frontId !== undefined ? { line: lineOfPath(match?.[1] ?? '', ['id']) } : {}),
        reason:
          'must be lower_snake_case (a-z, 0-9, _), starting with a letter, at most 80 characters',
      },
    ])
  }
  if (id !== undefined && RESERVED_RUNBOOK_IDS.includes(id)) {
    return failed(id, [
      {
        field: 'id',
        ...(frontId !== undefined ? { line: lineOfPath(match?.[1] ?? '', ['id']) } : {}),
        reason: `"${id}" is a word of the API's paths (${RESERVED_RUNBOOK_IDS.join(', ')}); choose another id`,
      },
    ])
  }
  // Without an id the loader still reports everything else; the id problem comes from its schema.
  const result = parseInstruction(`${id ?? frontId ?? 'runbook'}.md`, text)
  if (result.ok) return result
  const yamlText = match?.[1] ?? ''
  const problems: RunbookProblem[] = result.problems.map((problem) => {
    const located = locate(problem.field, problem.reason, yamlText)
    return { field: problem.field, ...(located ? { line: located } : {}), reason: problem.reason }
  })
  // The loader stops at the front matter; the body's rule is reported too, so one save shows all.
  const body = match?.[2]
  if (
    body !== undefined &&
    !problems.some((each) => each.field === '(body)') &&
    !/^## \S/m.test(body)
  ) {
    problems.push({
      field: '(body)',
      line: lineCount(`---\n${yamlText}\n---\n`) + 1,
      reason: 'the body needs at least one "## " section of prose',
    })
  }
  return failed(id, problems)
}

function failed(id: string | undefined, problems: RunbookProblem[]): RunbookValidation {
  return { ok: false, id, problems }
}

function idOf(yamlText: string): string | undefined {
  const found = /^id:\s*['"]?([^'"\s#]+)['"]?\s*(#.*)?$/m.exec(yamlText)
  return found?.[1]
}

/** The line of a problem: the YAML parser's own position, or the node its field path names. */
function locate(field: string, reason: string, yamlText: string): number | undefined {
  if (field === '(file)') return Number(/^line (\d+):/.exec(reason)?.[1] ?? 1)
  if (field === '(front matter)') {
    const position = /at line (\d+), column/.exec(reason)
    return position ? Number(position[1]) + 1 : 2
  }
  if (field.startsWith('(')) return undefined
  return lineOfPath(yamlText, field.split('.'))
}

/**
 * The 1-based line (of the whole text: the opening `---` is line 1) of the deepest node the path
 * reaches; a missing key points at the map that lacks it.
 */
function lineOfPath(yamlText: string, path: readonly string[]): number | undefined {
  const lines = new LineCounter()
  const document = parseDocument(yamlText, { lineCounter: lines, keepSourceTokens: false })
  let node: unknown = document.contents
  let offset: number | undefined = rangeStart(node)
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => String((item.key as { value?: unknown })?.value) === segment,
      )
      if (!pair) break
      offset = rangeStart(pair.key) ?? offset
      node = pair.value
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)]
      if (item === undefined) break
      offset = rangeStart(item) ?? offset
      node = item
    } else break
  }
  if (offset === undefined) return undefined
  return lines.linePos(offset).line + 1
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range
  return range ? range[0] : undefined
}

function lineCount(text: string): number {
  return text.split('\n').length - 1
}
