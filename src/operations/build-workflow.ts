import { isHelpdeskError } from '../errors/index.ts'
import type { InventoryData, Target } from '../inventory/inventory-schema.ts'
import { machineClassOf } from '../inventory/inventory-schema.ts'
import { type ApprovalLevel, approvalLevelFor } from '../policy/approval-policy.ts'
import type { OperationCatalog } from './operation-catalog.ts'
import { renderOperation } from './render-operation.ts'
import type { ReadRequest } from './request-reader.ts'
import type { Workflow, WorkflowPlatform, WorkflowStep } from './workflow.ts'

/**
 * From a read request to a Workflow the job engine runs: targets resolved against the inventory
 * (machines, group members, every machine of an OS), each operation rendered from the catalog
 * with validated values, the request's condition attached as a per-target condition script to
 * the changing steps that support it, the copy's backup, verification and rollback scripts.
 * Nothing runs here.
 * @module
 */

export interface WorkflowPlan {
  workflow: Workflow
  /** Target names by operating system. */
  targetsByOs: Record<WorkflowPlatform, string[]>
  /** Named in the request, not in the inventory: skipped. */
  unknownMachines: string[]
  /** In the inventory, but no step has a script for their operating system (macOS). */
  unsupported: string[]
  /** The approval each step needs (src/policy approval levels from risk). */
  approvals: ApprovalLevel[]
  /** Steps the request's condition could not be attached to (the operation has no such check). */
  conditionIgnored: string[]
  /** Seconds, for the preview: per step, targets in waves of `PARALLEL_TARGETS`. */
  estimatedSeconds: number
}

export type WorkflowBuild = { ok: true; plan: WorkflowPlan } | { ok: false; reason: string }

/** How many targets the estimate assumes run at once. */
export const PARALLEL_TARGETS = 10
/** Connecting and starting a shell, per target and step. */
const CONNECT_SECONDS = 1

export function buildWorkflow(
  request: ReadRequest,
  catalog: OperationCatalog,
  inventory: Pick<InventoryData, 'targets' | 'groups'>,
): WorkflowBuild {
  if (request.kind !== 'operation' || request.operations.length === 0)
    return { ok: false, reason: 'the request names no operation on machines' }
  const steps: WorkflowStep[] = []
  const conditionIgnored: string[] = []
  for (const [index, read] of request.operations.entries()) {
    const definition = catalog.find(read.operation)
    if (!definition) return { ok: false, reason: `the catalog has no operation ${read.operation}` }
    let rendered: ReturnType<typeof renderOperation>
    try {
      rendered = renderOperation(definition, read.parameters)
    } catch (error) {
      if (isHelpdeskError(error)) return { ok: false, reason: error.message }
      throw error
    }
    const conditionScripts =
      request.condition && definition.changes ? rendered.conditions[request.condition] : undefined
    if (request.condition && definition.changes && !conditionScripts)
      conditionIgnored.push(rendered.title)
    steps.push({
      id: `step-${index + 1}`,
      operation: definition.id,
      parameters: rendered.parameters,
      title: rendered.title,
      risk: definition.risk,
      changes: definition.changes,
      scripts: rendered.scripts,
      ...(conditionScripts && request.condition
        ? { condition: { kind: request.condition, scripts: conditionScripts } }
        : {}),
      ...(rendered.backup ? { backup: rendered.backup } : {}),
      ...(rendered.verify ? { verify: rendered.verify } : {}),
      ...(rendered.rollback ? { rollback: rendered.rollback } : {}),
      ...(definition.transfer
        ? {
            transfer: {
              source: String(rendered.parameters[definition.transfer.source] ?? ''),
              destination: String(rendered.parameters[definition.transfer.destination] ?? ''),
            },
          }
        : {}),
      timeoutSeconds: definition.timeoutSeconds,
    })
  }
  const resolved = resolveTargets(request, inventory)
  const targetsByOs: Record<WorkflowPlatform, string[]> = { linux: [], windows: [] }
  const unsupported: string[] = []
  const runnable: string[] = []
  for (const target of resolved) {
    if (target.os === 'linux' || target.os === 'windows') {
      targetsByOs[target.os].push(target.name)
      runnable.push(target.name)
    } else unsupported.push(target.name)
  }
  const waves = Math.max(1, Math.ceil(runnable.length / PARALLEL_TARGETS))
  const estimatedSeconds = steps.reduce(
    (total, step) =>
      total + waves * ((catalog.find(step.operation)?.typicalSeconds ?? 5) + CONNECT_SECONDS),
    0,
  )
  return {
    ok: true,
    plan: {
      workflow: { steps, targets: runnable, continueOnFailure: true },
      targetsByOs,
      unknownMachines: request.unknownMachines,
      unsupported,
      approvals: steps.map((step) =>
        approvalLevelFor({ risk: step.risk, readOnly: !step.changes, executor: 'operations' }),
      ),
      conditionIgnored,
      estimatedSeconds,
    },
  }
}

/**
 * The inventory machines a request names: its machines, the members of its groups, or every
 * machine (of one OS; only servers when the request said "all servers"), in inventory order.
 */
export function resolveTargets(
  request: Pick<ReadRequest, 'targets' | 'machineClass'>,
  inventory: Pick<InventoryData, 'targets' | 'groups'>,
): Target[] {
  const { machines, groups, all, os } = request.targets
  const wanted = new Set(machines.map((name) => name.toLowerCase()))
  for (const group of groups) {
    for (const member of inventory.groups[group] ?? []) wanted.add(member.toLowerCase())
  }
  return inventory.targets.filter((target) => {
    if (all) {
      if (os && target.os !== os) return false
      return request.machineClass === null || machineClassOf(target) === request.machineClass
    }
    return wanted.has(target.name.toLowerCase()) && (!os || target.os === os)
  })
}
