import { z } from 'zod'
import { validateParameter } from '../agent/core/parameter-validation.ts'
import { PROPOSAL_SCHEMA } from '../agent/proposal-schema.ts'
import { checkTargets, writtenIn } from './model-request-targets.ts'
import type { OperationCatalog } from './operation-catalog.ts'
import { OPERATION_CONDITIONS } from './operation-schema.ts'
import { whichMachines } from './request-fallback.ts'
import type { ReadOperation } from './request-operations.ts'
import { employeeRequest, type ReadRequest } from './request-reader.ts'
import { type Fleet, hasTarget } from './request-targets.ts'

/**
 * The check of a model's composed request (model-request-reader.ts). The answer is taken whole
 * or refused with the reason, never mended: catalog ids only, only the parameters an operation
 * declares, each value valid for its kind (the closed character sets) and written in the
 * message itself (a model may not add a service, a path or a port nobody typed), machines and
 * groups from the inventory (a name typed in the message but unknown is reported as unknown,
 * any other is a refusal), a scripted proposal only within the proposal schema's limits.
 * @module
 */

export const INVENTORY_OPERATIONS = ['inventory.count', 'inventory.describe', 'inventory.list']

const names = z.array(z.string().min(1).max(128)).max(500)

const answerSchema = z
  .object({
    kind: z.enum(['operation', 'inventory', 'employee', 'script']),
    operations: z
      .array(
        z
          .object({
            operation: z.string().min(1).max(64),
            parameters: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
          })
          .strict(),
      )
      .max(12)
      .default([]),
    targets: z
      .object({
        machines: names.default([]),
        groups: names.default([]),
        all: z.boolean().default(false),
        os: z.enum(['linux', 'windows']).nullable().default(null),
        except: z.object({ machines: names.default([]), groups: names.default([]) }).optional(),
      })
      .strict()
      .default({ machines: [], groups: [], all: false, os: null }),
    condition: z.enum(OPERATION_CONDITIONS).nullable().default(null),
    script: z
      .object({
        reason: PROPOSAL_SCHEMA.shape.reason,
        linux: PROPOSAL_SCHEMA.shape.script.optional(),
        windows: PROPOSAL_SCHEMA.shape.script.optional(),
      })
      .strict()
      .optional(),
  })
  .strict()

/** The tool's parameters as a JSON schema, from the same zod schema the answer is checked with. */
export const COMPOSE_SCHEMA = z.toJSONSchema(answerSchema, { io: 'input' })

export type CheckedRequest = { ok: true; read: ReadRequest } | { ok: false; reason: string }

/** Kinds whose values are free text, so they must be found in the message as written. */
const WRITTEN_KINDS = new Set([
  'service',
  'process',
  'package',
  'path',
  'file_name',
  'hostname',
  'version',
])

export function checkComposedRequest(
  answer: unknown,
  context: { message: string; catalog: OperationCatalog; fleet: Fleet },
): CheckedRequest {
  const parsed = answerSchema.safeParse(answer)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return {
      ok: false,
      reason: `the answer does not fit the schema: ${issue?.path.join('.') || '(top)'}: ${issue?.message}`,
    }
  }
  const composed = parsed.data
  const nothing = employeeRequest()
  if (composed.kind === 'employee') {
    return composed.operations.length === 0
      ? { ok: true, read: nothing }
      : { ok: false, reason: "an employee's request lists operations" }
  }
  const targets = checkTargets(composed.targets, context.message, context.fleet)
  if (!targets.ok) return targets
  if (composed.kind === 'inventory') {
    const [only, ...more] = composed.operations
    if (!only || more.length > 0 || !INVENTORY_OPERATIONS.includes(only.operation))
      return { ok: false, reason: 'an inventory question needs exactly one inventory.* operation' }
    return {
      ok: true,
      read: {
        ...nothing,
        kind: 'inventory',
        operations: [{ operation: only.operation, parameters: {} }],
        targets: targets.targets,
        unknownMachines: targets.unknown,
        machineClass: targets.machineClass,
      },
    }
  }
  const named = hasTarget({ targets: targets.targets, unknownMachines: targets.unknown })
  if (composed.kind === 'script') {
    const script = composed.script
    if (!script || (!script.linux && !script.windows))
      return { ok: false, reason: 'a script answer needs a Linux or a Windows script' }
    if (composed.operations.length > 0)
      return { ok: false, reason: 'a script answer lists catalog operations too' }
    if (!named) return { ok: false, reason: 'a script answer names no machine' }
    const scripts = {
      ...(script.linux ? { linux: script.linux } : {}),
      ...(script.windows ? { windows: script.windows } : {}),
    }
    return {
      ok: true,
      read: {
        ...nothing,
        kind: 'operation',
        targets: targets.targets,
        unknownMachines: targets.unknown,
        machineClass: targets.machineClass,
        proposal: { reason: script.reason, scripts },
      },
    }
  }
  if (composed.operations.length === 0)
    return { ok: false, reason: 'an operation answer lists no operation' }
  const operations: ReadOperation[] = []
  let missing: string | null = null
  for (const step of composed.operations) {
    const checked = checkStep(step, context)
    if (!checked.ok) return checked
    operations.push(checked.step)
    missing ??= checked.missing
  }
  const clarify = !named
    ? whichMachines(operations, context.fleet)
    : missing !== null
      ? missing
      : null
  return {
    ok: true,
    read: {
      ...nothing,
      kind: 'operation',
      operations,
      targets: targets.targets,
      condition: composed.condition,
      unknownMachines: targets.unknown,
      machineClass: targets.machineClass,
      clarify,
    },
  }
}

function checkStep(
  step: { operation: string; parameters: Record<string, string | number> },
  context: { message: string; catalog: OperationCatalog },
): { ok: true; step: ReadOperation; missing: string | null } | { ok: false; reason: string } {
  const definition = context.catalog.find(step.operation)
  if (!definition)
    return { ok: false, reason: `"${step.operation.slice(0, 64)}" is not a catalog operation` }
  const parameters: Record<string, string | number> = {}
  for (const [name, value] of Object.entries(step.parameters)) {
    const spec = definition.parameters.find((each) => each.name === name)
    if (!spec) return { ok: false, reason: `${definition.id} has no parameter "${name}"` }
    const checked = validateParameter(spec, String(value))
    if (!checked.ok) return { ok: false, reason: `${definition.id} ${name}: ${checked.reason}` }
    if (
      (WRITTEN_KINDS.has(spec.kind) || spec.kind === 'port' || spec.kind === 'hours') &&
      !writtenIn(context.message, checked.value)
    )
      return { ok: false, reason: `${definition.id} ${name}: the message does not say it` }
    // Values as written (a host name is not upper-cased as an account system would have it);
    // an enum's the canonical one.
    parameters[name] =
      spec.kind === 'port' || spec.kind === 'hours'
        ? Number(checked.value)
        : spec.kind === 'enum'
          ? checked.value
          : String(value).trim()
  }
  const absent = definition.parameters.find(
    (spec) => spec.required && spec.default === undefined && parameters[spec.name] === undefined,
  )
  return {
    ok: true,
    step: { operation: definition.id, parameters },
    missing: absent ? absent.question : null,
  }
}
