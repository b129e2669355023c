import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import { HelpdeskError } from '../../errors/index.ts'
import { findInvisibleCharacter } from '../../rendering/invisible-characters.ts'
import type { Instruction, InstructionProblem, InstructionSection } from './instruction.ts'
import { frontMatterSchema } from './instruction-schema.ts'

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/

export type ParseResult =
  | { ok: true; instruction: Instruction }
  | { ok: false; problems: InstructionProblem[] }

/** Parses and validates one runbook's text. Never throws for bad content; returns the problems. */
export function parseInstruction(file: string, text: string): ParseResult {
  // A bidi control or zero width character shows the approver of a step other text than what
  // runs ("Trojan Source"), and a runbook is text a technician writes for others to run.
  const invisible = findInvisibleCharacter(text, { allowEmojiJoiner: true })
  if (invisible) {
    const line = text.slice(0, invisible.index).split('\n').length
    return problem(
      file,
      '(file)',
      `line ${line}: contains ${invisible.description}, an invisible or format character that can make a script or text read otherwise than it runs; remove it`,
    )
  }
  const match = FRONT_MATTER.exec(text)
  if (!match) {
    return problem(file, '(file)', 'no YAML front matter: the file must start with a line "---"')
  }
  const [, yamlText = '', body = ''] = match
  let raw: unknown
  try {
    raw = parseYaml(yamlText, { prettyErrors: true, uniqueKeys: true })
  } catch (error) {
    const reason = error instanceof YAMLParseError ? error.message : String(error)
    return problem(file, '(front matter)', `invalid YAML: ${reason}`)
  }
  const parsed = frontMatterSchema.safeParse(raw)
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        file,
        field: issue.path.length > 0 ? issue.path.join('.') : '(front matter)',
        reason: issue.message,
      })),
    }
  }
  const expectedId = path.basename(file, '.md')
  if (parsed.data.id !== expectedId) {
    return problem(file, 'id', `id "${parsed.data.id}" must match the file name "${expectedId}"`)
  }
  const sections = splitSections(body)
  if (sections.length === 0) {
    return problem(file, '(body)', 'the body needs at least one "## " section of prose')
  }
  return {
    ok: true,
    instruction: {
      ...parsed.data,
      file,
      body,
      sections,
      contentHash: createHash('sha256').update(text).digest('hex'),
    },
  }
}

/**
 * Loads every `*.md` runbook in a directory. Collects all problems in all files before failing, so
 * one run tells the author everything that is wrong.
 * @throws {HelpdeskError} INVALID_INSTRUCTION listing each file, field and reason.
 */
export async function loadInstructions(directory: string): Promise<Instruction[]> {
  let names: string[]
  try {
    names = (await readdir(directory)).filter((name) => name.endsWith('.md')).sort()
  } catch (error) {
    throw new HelpdeskError({
      code: 'INVALID_INSTRUCTION',
      category: 'SYSTEM',
      message: `cannot read the instructions directory ${directory}: ${(error as Error).message}`,
      details: { directory },
      cause: error,
    })
  }
  const instructions: Instruction[] = []
  const problems: InstructionProblem[] = []
  for (const name of names) {
    const file = path.join(directory, name)
    const result = parseInstruction(displayPath(file), await readFile(file, 'utf8'))
    if (result.ok) instructions.push(result.instruction)
    else problems.push(...result.problems)
  }
  if (problems.length > 0) throw invalidInstructionsError(problems)
  if (instructions.length === 0) {
    throw new HelpdeskError({
      code: 'INVALID_INSTRUCTION',
      message: `no runbooks (*.md) found in ${directory}`,
      details: { directory },
    })
  }
  return instructions
}

export function invalidInstructionsError(problems: InstructionProblem[]): HelpdeskError {
  const lines = problems.map((each) => `  ${each.file}: ${each.field}: ${each.reason}`)
  return new HelpdeskError({
    code: 'INVALID_INSTRUCTION',
    message: `${problems.length} problem(s) in runbook files:\n${lines.join('\n')}`,
    details: { problems: lines.map((line) => line.trim()) },
  })
}

function splitSections(body: string): InstructionSection[] {
  const sections: InstructionSection[] = []
  for (const block of body.split(/^## /m).slice(1)) {
    const newline = block.indexOf('\n')
    const heading = (newline === -1 ? block : block.slice(0, newline)).trim()
    const text = newline === -1 ? '' : block.slice(newline + 1).trim()
    if (heading && text) sections.push({ heading, text })
  }
  return sections
}

function problem(file: string, field: string, reason: string): ParseResult {
  return { ok: false, problems: [{ file, field, reason }] }
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file)
  return relative.startsWith('..') ? file : relative
}
