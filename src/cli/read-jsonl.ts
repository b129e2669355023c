import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { HelpdeskError } from '../errors/index.ts'
import { OUT_OF_SCOPE_LABEL } from '../retrieval/routing-evaluation.ts'
import { parseJsonLines } from './json-lines.ts'

const lineSchema = z.object({
  id: z.string({ error: 'expected a string' }).min(1, 'must not be empty'),
  text: z.string({ error: 'expected a string' }).min(1, 'must not be empty'),
  labels: z.array(z.string()).optional(),
})

export type RequestLine = z.infer<typeof lineSchema>

/**
 * Reads a JSON Lines file of requests. Validates every line before returning any, so a bad file
 * produces no partial output.
 * @throws {HelpdeskError} INVALID_INPUT naming the file, each bad line and field.
 */
export async function readRequestLines(
  file: string,
  requireLabels: boolean,
): Promise<RequestLine[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `--input ${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    })
  }
  const { values: lines, problems } = parseJsonLines(text, file, lineSchema, (line) => {
    if (requireLabels && !line.labels)
      return { problem: 'labels: expected an array of task types (or "out_of_scope")' }
    // An empty list says "none of these task types": the same as ["out_of_scope"].
    if (requireLabels && line.labels?.length === 0)
      return { value: { ...line, labels: [OUT_OF_SCOPE_LABEL] } }
    return { value: line }
  })
  if (problems.length > 0) {
    const shown = problems.slice(0, 20)
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `${problems.length} invalid line(s):\n  ${shown.join('\n  ')}${problems.length > shown.length ? '\n  ...' : ''}`,
      details: { problems: shown },
    })
  }
  if (lines.length === 0) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `--input ${file}: the file has no requests`,
    })
  }
  return lines
}
