import type { Context } from 'hono'
import type { z } from 'zod'
import { HelpdeskError } from '../errors/index.ts'

/**
 * Parses and validates a JSON body.
 * @throws {HelpdeskError} MALFORMED_JSON or INVALID_INPUT naming each field and what was expected.
 */
export async function readJsonBody<Schema extends z.ZodType>(
  context: Context,
  schema: Schema,
): Promise<z.infer<Schema>> {
  let raw: unknown
  try {
    raw = JSON.parse(await context.req.text())
  } catch (error) {
    throw new HelpdeskError({
      code: 'MALFORMED_JSON',
      message: `the request body is not valid JSON: ${(error as Error).message}`,
    })
  }
  const parsed = schema.safeParse(raw)
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`,
    )
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: lines.join('; '),
      details: { problems: lines },
    })
  }
  return parsed.data
}
