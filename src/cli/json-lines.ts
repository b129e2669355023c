import type { z } from 'zod'

/**
 * Parses JSON Lines text against a schema, line by line, collecting every problem (file, line,
 * field) rather than stopping at the first, so a caller can refuse a bad file whole. Blank lines
 * are skipped. `accept` adds a caller's own check of a valid line: a value to keep (possibly
 * changed) or a problem.
 */
export function parseJsonLines<Schema extends z.ZodType>(
  text: string,
  file: string,
  schema: Schema,
  accept: (
    value: z.infer<Schema>,
    line: number,
  ) => { value: z.infer<Schema> } | { problem: string } = (value) => ({ value }),
): { values: Array<z.infer<Schema>>; problems: string[] } {
  const values: Array<z.infer<Schema>> = []
  const problems: string[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === '') return
    const where = `${file}:${index + 1}`
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch {
      problems.push(`${where}: not valid JSON`)
      return
    }
    const parsed = schema.safeParse(value)
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`${where}: ${issue.path.join('.') || '(line)'}: ${issue.message}`)
      return
    }
    const accepted = accept(parsed.data, index + 1)
    if ('problem' in accepted) problems.push(`${where}: ${accepted.problem}`)
    else values.push(accepted.value)
  })
  return { values, problems }
}
