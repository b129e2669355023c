import { isHelpdeskError } from '../errors/index.ts'
import type { InventoryData, Target } from '../inventory/inventory-schema.ts'
import { machineClassOf } from '../inventory/inventory-schema.ts'
import { type ApprovalLevel, approvalLevelFor } from '../policy/approval-policy.ts'
import type { FilesDirectory } from './files-directory.ts'
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
  /** Left out as the request asked ("except web04"): the machines, by name. */
  excluded: string[]
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
  /** Where `file.copy` takes its files from; without it a copy is refused with the reason. */
  files?: FilesDirectory,
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
    let transfer: WorkflowStep['transfer']
    if (definition.transfer) {
      const source = String(rendered.parameters[definition.transfer.source] ?? '')
      const destination = String(rendered.parameters[definition.transfer.destination] ?? '')
      if (!files)
        return {
          ok: false,
          reason: `${definition.id}: files are copied only from the helpdesk's files directory, and none is configured (HELPDESK_FILES_DIRECTORY)`,
        }
      try {
        // Pinned here: the approval covers these very bytes, and the engine sends nothing else.
        const file = files.describe(source)
        transfer = { source: file.name, destination, size: file.size, sha256: file.sha256 }
      } catch (error) {
        if (isHelpdeskError(error))
          return { ok: false, reason: `${definition.id}: ${error.message}` }
        throw error
      }
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
      ...(transfer ? { transfer } : {}),
      timeoutSeconds: definition.timeoutSeconds,
    })
  }
  const resolved = resolveTargets(request, inventory)
  // Only the machines the exclusion took away: "all linux boxes except the build agents" leaves
  // out build01 and build02, not the Windows build agent that was never a target.
  const { except: _except, ...without } = request.targets
  const left = new Set(excludedMachines(request, inventory))
  const excluded = resolveTargets({ ...request, targets: without }, inventory)
    .map((target) => target.name)
    .filter((name) => left.has(name))
  const targetsByOs: Record<WorkflowPlatform, string[]> = { linux: [], windows: [] }
  const unsupported: string[] = []
  const runnable: string[] = []
  for (const target of resolved) {
    if (target.os === 'linux' || target.os === 'windows') {
      targetsByOs[target.os].push(target.name)
      runnable.push(target.name)
    } else unsupported.push(target.name)
  }
  for (const step of steps) {
    const mismatch = step.transfer && destinationMismatch(step.transfer.destination, targetsByOs)
    if (mismatch) return { ok: false, reason: `${step.operation}: ${mismatch}` }
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
      excluded,
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
 * A copy's destination is a path of one operating system: `/etc/motd` on Windows would land in
 * `\\etc\\motd` of whatever drive is current, `C:\\...` on Linux in a file of that name.
 * @returns why the destination does not fit the targets, or undefined
 */
export function destinationMismatch(
  destination: string,
  targetsByOs: Readonly<Record<WorkflowPlatform, readonly string[]>>,
): string | undefined {
  const windowsPath = /^[A-Za-z]:\\/.test(destination)
  const wrong = windowsPath ? targetsByOs.linux : targetsByOs.windows
  if (wrong.length === 0) return undefined
  return `destination: ${destination} is a ${windowsPath ? 'Windows' : 'Linux'} path, but ${wrong.slice(0, 5).join(', ')}${wrong.length > 5 ? ` and ${wrong.length - 5} more` : ''} run${wrong.length === 1 ? 's' : ''} ${windowsPath ? 'Linux' : 'Windows'}; copy to Linux and Windows machines in separate requests`
}

/**
 * The inventory machines a request names: its machines, the members of its groups, or every
 * machine (of one OS; only servers when the request said "all servers"), in inventory order,
 * less the machines and group members it excludes.
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
  const left = new Set(excludedMachines(request, inventory).map((name) => name.toLowerCase()))
  return inventory.targets.filter((target) => {
    if (left.has(target.name.toLowerCase())) return false
    if (all) {
      if (os && target.os !== os) return false
      return request.machineClass === null || machineClassOf(target) === request.machineClass
    }
    return wanted.has(target.name.toLowerCase()) && (!os || target.os === os)
  })
}

/** The inventory machines a request leaves out: its excluded machines and excluded groups' members. */
export function excludedMachines(
  request: Pick<ReadRequest, 'targets'>,
  inventory: Pick<InventoryData, 'targets' | 'groups'>,
): string[] {
  const except = request.targets.except
  if (!except) return []
  const left = new Set(except.machines.map((name) => name.toLowerCase()))
  for (const group of except.groups) {
    for (const member of inventory.groups[group] ?? []) left.add(member.toLowerCase())
  }
  return inventory.targets
    .filter((target) => left.has(target.name.toLowerCase()))
    .map((target) => target.name)
}
