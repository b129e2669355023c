import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import { HelpdeskError } from '../errors/index.ts'
import { type OperationDefinition, operationSchema } from './operation-schema.ts'

/**
 * The operations catalog: one YAML file per operation in `data/operations/`, like runbooks are
 * files, each validated by the one schema of operation-schema.ts. Loading collects every problem
 * of every file before failing, so one run tells the author everything that is wrong.
 * @module
 */

export interface OperationProblem {
  file: string
  field: string
  reason: string
}

export const DEFAULT_OPERATIONS_DIRECTORY = 'data/operations'

export class OperationCatalog {
  private readonly byId: ReadonlyMap<string, OperationDefinition>

  constructor(operations: readonly OperationDefinition[]) {
    this.byId = new Map(operations.map((operation) => [operation.id, operation]))
  }

  /** @throws {HelpdeskError} INVALID_INSTRUCTION listing each file, field and reason. */
  static async load(directory = DEFAULT_OPERATIONS_DIRECTORY): Promise<OperationCatalog> {
    return new OperationCatalog(await loadOperations(directory))
  }

  list(): OperationDefinition[] {
    return [...this.byId.values()].sort((left, right) => left.id.localeCompare(right.id))
  }

  find(id: string): OperationDefinition | undefined {
    return this.byId.get(id)
  }

  /** @throws {HelpdeskError} INVALID_INPUT naming the known operations. */
  get(id: string): OperationDefinition {
    const operation = this.byId.get(id)
    if (!operation) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: `unknown operation "${id.slice(0, 80)}"; the catalog has: ${[...this.byId.keys()].join(', ')}`,
      })
    }
    return operation
  }
}

/** Parses and validates one operation file's text; never throws for bad content. */
export function parseOperation(
  file: string,
  text: string,
): { ok: true; operation: OperationDefinition } | { ok: false; problems: OperationProblem[] } {
  let raw: unknown
  try {
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true })
  } catch (error) {
    const reason = error instanceof YAMLParseError ? error.message : String(error)
    return { ok: false, problems: [{ file, field: '(file)', reason: `invalid YAML: ${reason}` }] }
  }
  const parsed = operationSchema.safeParse(raw)
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        file,
        field: issue.path.length > 0 ? issue.path.join('.') : '(file)',
        reason: issue.message,
      })),
    }
  }
  const expectedId = path.basename(file).replace(/\.ya?ml$/, '')
  if (parsed.data.id !== expectedId) {
    return {
      ok: false,
      problems: [{ file, field: 'id', reason: `id "${parsed.data.id}" must match the file name` }],
    }
  }
  return { ok: true, operation: parsed.data }
}

export async function loadOperations(directory: string): Promise<OperationDefinition[]> {
  let names: string[]
  try {
    names = (await readdir(directory)).filter((name) => /\.ya?ml$/.test(name)).sort()
  } catch (error) {
    throw new HelpdeskError({
      code: 'INVALID_INSTRUCTION',
      category: 'SYSTEM',
      message: `cannot read the operations directory ${directory}: ${(error as Error).message}`,
      details: { directory },
      cause: error,
    })
  }
  const operations: OperationDefinition[] = []
  const problems: OperationProblem[] = []
  for (const name of names) {
    const file = path.join(directory, name)
    const result = parseOperation(file, await readFile(file, 'utf8'))
    if (result.ok) operations.push(result.operation)
    else problems.push(...result.problems)
  }
  if (problems.length > 0) {
    const lines = problems.map((each) => `${each.file}: ${each.field}: ${each.reason}`)
    throw new HelpdeskError({
      code: 'INVALID_INSTRUCTION',
      message: `${problems.length} problem(s) in operation files:\n  ${lines.join('\n  ')}`,
      details: { problems: lines },
    })
  }
  if (operations.length === 0) {
    throw new HelpdeskError({
      code: 'INVALID_INSTRUCTION',
      message: `no operations (*.yaml) found in ${directory}`,
      details: { directory },
    })
  }
  return operations
}
