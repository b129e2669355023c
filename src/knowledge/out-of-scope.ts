import { readFile } from 'node:fs/promises'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { HelpdeskError } from '../errors/index.ts'
import { findInvisibleCharacter } from '../rendering/invisible-characters.ts'

const topicSchema = z
  .object({
    topic: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower_snake_case'),
    handoff: z.string().trim().min(1),
    near: z.array(z.string()).default([]),
    examples: z.array(z.string().trim().min(1)).min(1),
  })
  .strict()

const fileSchema = z.object({ topics: z.array(topicSchema).min(1) }).strict()

export type OutOfScopeTopic = z.infer<typeof topicSchema>

/**
 * Loads the requests known to be out of scope. The router indexes them next to the runbooks so
 * that a near miss (a toner order next to "printer not working") is recognised as such.
 * @throws {HelpdeskError} INVALID_INSTRUCTION naming the file, field and reason.
 */
export async function loadOutOfScopeTopics(file: string): Promise<OutOfScopeTopic[]> {
  let raw: unknown
  try {
    raw = parseYaml(await readFile(file, 'utf8'), { uniqueKeys: true })
  } catch (error) {
    throw new HelpdeskError({
      code: 'INVALID_INSTRUCTION',
      message: `${file}: cannot read the out-of-scope file: ${(error as Error).message}`,
      details: { file },
      cause: error,
    })
  }
  const parsed = fileSchema.safeParse(raw)
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `${file}: ${issue.path.join('.')}: ${issue.message}`,
    )
    throw new HelpdeskError({
      code: 'INVALID_INSTRUCTION',
      message: `${lines.length} problem(s) in the out-of-scope file:\n  ${lines.join('\n  ')}`,
      details: { problems: lines },
    })
  }
  return parsed.data.topics
}

/** One problem of an out-of-scope text: the dotted field and what is wrong. */
export interface OutOfScopeProblem {
  field: string
  reason: string
}

/**
 * Validates the out-of-scope topics given as text (the format of `data/routing/out-of-scope.yaml`),
 * for the instruction manager. Never throws for bad content; returns every problem.
 */
export function parseOutOfScopeText(
  text: string,
): { ok: true; topics: OutOfScopeTopic[] } | { ok: false; problems: OutOfScopeProblem[] } {
  // Hand-off texts are read by employees: a bidi control or zero width character would reorder
  // or hide what they say, so the text is refused whole, as runbooks and chat messages are.
  const invisible = findInvisibleCharacter(text, { allowEmojiJoiner: true })
  if (invisible) {
    const line = text.slice(0, invisible.index).split('\n').length
    const reason = `line ${line}: contains ${invisible.description}, an invisible or format character that can make a text read otherwise than it is; remove it`
    return { ok: false, problems: [{ field: '(file)', reason }] }
  }
  let raw: unknown
  try {
    raw = parseYaml(text, { uniqueKeys: true, prettyErrors: true })
  } catch (error) {
    return {
      ok: false,
      problems: [{ field: '(file)', reason: `invalid YAML: ${(error as Error).message}` }],
    }
  }
  const parsed = fileSchema.safeParse(raw)
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        field: issue.path.join('.') || '(file)',
        reason: issue.message,
      })),
    }
  }
  const seen = new Set<string>()
  const problems: OutOfScopeProblem[] = []
  parsed.data.topics.forEach((topic, index) => {
    if (seen.has(topic.topic))
      problems.push({ field: `topics.${index}.topic`, reason: `duplicate topic "${topic.topic}"` })
    seen.add(topic.topic)
  })
  return problems.length > 0 ? { ok: false, problems } : { ok: true, topics: parsed.data.topics }
}
