import { readFile } from 'node:fs/promises'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { HelpdeskError } from '../errors/index.ts'

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
    raw = parseYaml(await readFile(file, 'utf8'))
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
