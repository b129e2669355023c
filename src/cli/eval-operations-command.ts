import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { operationsReaderFromEnvironment } from '../app/build-operations-reader.ts'
import { loadYamlSettings } from '../config/yaml-settings-file.ts'
import { HelpdeskError } from '../errors/index.ts'
import { inventorySchema } from '../inventory/inventory-schema.ts'
import { OperationCatalog } from '../operations/operation-catalog.ts'
import type { OperationRequestReader } from '../operations/operation-request-reader.ts'
import {
  type LabelledOperationRequest,
  scoreOperationRequests,
} from '../operations/operations-evaluation.ts'
import type { ReadRequest } from '../operations/request-reader.ts'
import { fleetOf } from '../operations/request-targets.ts'
import { parseJsonLines } from './json-lines.ts'

/**
 * `helpdesk eval --operations FILE --inventory FILE`: the reader of operation requests on
 * labelled requests (docs/operations.md): the offline rules, or with an LLM configured
 * (`LLM_BASE_URL`, `LLM_MODEL`) the model's checked reading. No Chroma, no machine is contacted.
 * @module
 */

const targetsSchema = z.object({
  machines: z.array(z.string()),
  groups: z.array(z.string()),
  all: z.boolean(),
  os: z.enum(['linux', 'windows']).nullable(),
  // Left out of the targets ("all web servers except web04"); absent when nothing is.
  except: z
    .object({ machines: z.array(z.string()), groups: z.array(z.string()) })
    .strict()
    .optional(),
})

const lineSchema = z.object({
  id: z.string().min(1),
  text: z.string().min(1),
  expected: z.object({
    kind: z.enum(['operation', 'inventory', 'employee']),
    operations: z.array(
      z.object({
        operation: z.string(),
        parameters: z.record(z.string(), z.union([z.string(), z.number()])),
      }),
    ),
    targets: targetsSchema,
    condition: z
      .enum([
        'only-where-running',
        'only-where-stopped',
        'only-where-installed',
        'only-where-missing',
      ])
      .nullable(),
  }),
})

export interface EvalOperationsOptions {
  operations: string
  inventory?: string
  /** A routing file ({id, text, labels}) of employee requests: how many read as operations. */
  employeeRequests?: string
  json?: boolean
  errors?: boolean
  /** The operations catalog (default data/operations), for the model reader's check. */
  operationsDirectory?: string
}

export async function evalOperationsCommand(options: EvalOperationsOptions): Promise<void> {
  if (!options.inventory)
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: 'eval --operations: give --inventory FILE (the fleet the requests name)',
    })
  const fleet = fleetOf(await loadYamlSettings(options.inventory, inventorySchema))
  const text = await readFile(options.operations, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `--operations ${options.operations}: cannot read the file (${error.code ?? error.message})`,
    })
  })
  const { values, problems } = parseJsonLines(text, options.operations, lineSchema)
  if (problems.length > 0 || values.length === 0)
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: problems.length
        ? `${problems.length} invalid line(s):\n  ${problems.slice(0, 20).join('\n  ')}`
        : `--operations ${options.operations}: the file has no requests`,
    })
  // With an LLM configured the model reads (checked, the rules' reading kept when refused).
  const refusedAnswers: string[] = []
  const reader = operationsReaderFromEnvironment(
    await OperationCatalog.load(options.operationsDirectory),
    (line) => refusedAnswers.push(line),
  )
  const results: Array<{ request: LabelledOperationRequest; got: ReadRequest }> = []
  for (const request of values) {
    results.push({
      request: request as LabelledOperationRequest,
      got: await reader.read(request.text, fleet),
    })
  }
  const report = {
    ...scoreOperationRequests(results),
    ...(options.employeeRequests
      ? { employeeFile: await employeeCheck(options.employeeRequests, fleet, reader) }
      : {}),
  }
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify(options.errors ? report : { ...report, errors: report.errors.length })}\n`,
    )
    return
  }
  const lines = [
    `reader: ${reader.description}${refusedAnswers.length > 0 ? ` (${refusedAnswers.length} model answers refused or failed, the rules' reading kept)` : ''}`,
    `requests: ${report.count}`,
    `accuracy (exactly right): ${report.accuracy} (${report.correct}/${report.count})`,
    `by kind: ${Object.entries(report.byKind)
      .map(([kind, tally]) => `${kind} ${tally.correct}/${tally.count}`)
      .join(', ')}`,
    `field errors: kind ${report.fieldErrors.kind}, operations ${report.fieldErrors.operations}, targets ${report.fieldErrors.targets}, condition ${report.fieldErrors.condition}`,
    `operation/inventory requests routed to an employee runbook: ${report.routedToEmployee}`,
    `employee requests taken as operations: ${report.employeeTakenAsOperation}`,
  ]
  if (report.employeeFile) {
    lines.push(
      `employee requests in ${options.employeeRequests} read as operation/inventory: ${report.employeeFile.takenAsOperation.length}/${report.employeeFile.count}`,
    )
    if (options.errors)
      for (const taken of report.employeeFile.takenAsOperation) lines.push(`  ${taken}`)
  }
  if (options.errors) {
    for (const line of refusedAnswers) lines.push(`  ${line}`)
    for (const error of report.errors) {
      lines.push(`  ${error.id} [${error.fields.join(', ')}]: ${error.text}`)
      lines.push(`    expected ${JSON.stringify(error.expected)}`)
      lines.push(`    got      ${JSON.stringify(error.got)}`)
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

const routingLineSchema = z.object({ id: z.string().min(1), text: z.string().min(1) })

/** Reads an employee routing set with the operations reader; none of it should read as fleet work. */
async function employeeCheck(
  file: string,
  fleet: ReturnType<typeof fleetOf>,
  reader: OperationRequestReader,
): Promise<{ count: number; takenAsOperation: string[] }> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `--employee-requests ${file}: cannot read the file (${error.code ?? error.message})`,
    })
  })
  const { values, problems } = parseJsonLines(text, file, routingLineSchema)
  if (problems.length > 0)
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `${problems.length} invalid line(s):\n  ${problems.slice(0, 20).join('\n  ')}`,
    })
  const takenAsOperation: string[] = []
  for (const line of values) {
    if ((await reader.read(line.text, fleet)).kind !== 'employee')
      takenAsOperation.push(`${line.id}: ${line.text.slice(0, 120)}`)
  }
  return { count: values.length, takenAsOperation }
}
