import { readFile } from 'node:fs/promises'
import { parse as parseYaml } from 'yaml'
import type { z } from 'zod'
import { HelpdeskError } from '../errors/index.ts'

/**
 * Reads a YAML settings file (the inventory, the account map) and checks it against its schema.
 * Keys may not repeat; an empty file is an empty object.
 * @throws {HelpdeskError} INVALID_CONFIGURATION naming the file, and each field with its reason.
 */
export async function loadYamlSettings<Schema extends z.ZodType>(
  file: string,
  schema: Schema,
): Promise<z.infer<Schema>> {
  let raw: unknown
  try {
    raw = parseYaml(await readFile(file, 'utf8'), { uniqueKeys: true })
  } catch (error) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: `${file}: ${(error as Error).message}`,
      details: { file },
    })
  }
  const parsed = schema.safeParse(raw ?? {})
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `${file}: ${issue.path.join('.') || '(file)'}: ${issue.message}`,
    )
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: lines.join('\n'),
      details: { problems: lines },
    })
  }
  return parsed.data
}
