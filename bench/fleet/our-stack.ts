// Our stack for the fleet benchmark, assembled as in src/execution/fleet-runner.int.test.ts:
// runFleet -> ExecutionService (re-plan, approval, audit in SQLite) -> BashExecutor (bash -n)
// -> SshRemoteShell (ssh2, one connection per target, pinned host key).
import path from 'node:path'
import { SqliteAuditLog } from '../../src/audit/sqlite-audit-log.ts'
import { ExecutionService } from '../../src/execution/execution-service.ts'
import { type FleetEvent, runFleet } from '../../src/execution/fleet-runner.ts'
import { BashExecutor } from '../../src/executors/bash/bash-executor.ts'
import { ExecutorRegistry } from '../../src/executors/executor-registry.ts'
import { Inventory } from '../../src/inventory/inventory.ts'
import type { Target } from '../../src/inventory/inventory-schema.ts'
import type { Instruction } from '../../src/knowledge/instructions/instruction.ts'
import type { Plan, PlanStep } from '../../src/planning/plan.ts'
import { buildPlan } from '../../src/planning/planner.ts'
import { SshRemoteShell } from '../../src/transports/ssh/ssh-remote-shell.ts'
import type { SshEndpoint } from './sshd.ts'
import type { Sample } from './tools.ts'

export interface RunbookStep {
  /** `taskType.actionId` */
  id: string
  plan: Plan
  step: PlanStep
  /** A line of its output on this machine, to check every target really ran it. */
  marker: string
}

/** Renders a runbook step as the planner does, for the first benchmark target. */
export function runbookStep(
  instructions: ReadonlyMap<string, Instruction>,
  id: string,
  parameters: Record<string, string>,
  marker: string,
): RunbookStep {
  const [taskType = '', actionId = ''] = id.split('.')
  const instruction = instructions.get(taskType)
  if (!instruction) throw new Error(`runbook ${taskType} is missing`)
  const plan = buildPlan(instruction, parameters)
  const step = plan.steps.find((each) => each.actionId === actionId)
  if (!step) throw new Error(`${id} is not in the plan for ${JSON.stringify(parameters)}`)
  if (!step.readOnly || step.executor !== 'bash' || step.invocation.type !== 'script') {
    throw new Error(`${id} is not a read-only Bash step`)
  }
  return { id, plan, step, marker }
}

export function benchTargets(endpoint: SshEndpoint, names: readonly string[]): Target[] {
  return names.map((name) => ({
    name,
    host: endpoint.host,
    port: endpoint.port,
    os: 'linux',
    transport: 'ssh',
    username: endpoint.user,
    credential: `file:${endpoint.keyFile}`,
    hostKey: endpoint.hostKey,
  }))
}

export interface OurStack {
  /** One fleet run through the whole stack, checked: audit records, events, output. */
  run(step: RunbookStep, targets: readonly string[], concurrency: number): Promise<Sample>
  close(): Promise<void>
}

/**
 * The service is built once, as a server holds it; the audit log is one SQLite file for the
 * whole benchmark, so it grows as a real one does. Only `runFleet` is timed.
 */
export function ourStack(
  endpoint: SshEndpoint,
  names: readonly string[],
  instructions: ReadonlyMap<string, Instruction>,
  directory: string,
): OurStack {
  const audit = new SqliteAuditLog({ file: path.join(directory, 'audit.sqlite') })
  const inventory = new Inventory({ targets: benchTargets(endpoint, names), groups: {} })
  const service = new ExecutionService({
    instructions,
    registry: new ExecutorRegistry().register(
      new BashExecutor({ inventory, shell: new SshRemoteShell() }),
    ),
    audit,
  })
  let runs = 0
  let lastSequence = 0
  return {
    async run(step, targets, concurrency) {
      runs += 1
      const requestId = `bench-fleet-${runs}`
      const events: FleetEvent[] = []
      const started = performance.now()
      const fleet = await runFleet(service, {
        plan: step.plan,
        step: step.step,
        requester: 'bench.user',
        requestId,
        targets,
        concurrency,
        onEvent: (event) => events.push(event),
      })
      const ms = performance.now() - started

      const failures: string[] = []
      let ok = 0
      for (const { target, result } of fleet.results) {
        if (result.status === 'succeeded' && result.stdout.includes(step.marker)) ok += 1
        else
          failures.push(
            `${target}: ${result.status} ${result.errorCode ?? ''} ${result.errorMessage ?? result.stderr.slice(0, 200)}`.trim(),
          )
      }
      // What the issue asks to be included: 2 audit records and one progress event per target.
      const records = await audit.list({ after: lastSequence })
      lastSequence = records.at(-1)?.sequence ?? lastSequence
      const mine = records.filter((record) => record.requestId === requestId)
      const executed = mine.filter((record) => record.action === 'step-execute')
      const resulted = mine.filter((record) => record.action === 'step-result')
      const progress = events.filter((event) => event.type === 'fleet-progress')
      const retries = events.filter((event) => event.type === 'target-retry')
      const expected = targets.length
      const checks = [
        [mine.length === 2 * expected, `${mine.length} audit records, expected ${2 * expected}`],
        [
          executed.length === expected && resulted.length === expected,
          `${executed.length} step-execute and ${resulted.length} step-result records, expected ${expected} each`,
        ],
        [
          new Set(executed.map((record) => record.target)).size === expected,
          'the step-execute records do not name every target once',
        ],
        [
          progress.length === expected,
          `${progress.length} fleet-progress events, expected ${expected}`,
        ],
        [retries.length === 0, `${retries.length} retries`],
      ] as const
      for (const [passed, problem] of checks) if (!passed) failures.push(problem)
      return {
        ms,
        ok,
        total: expected,
        failures,
        counts: {
          auditRecords: mine.length,
          progressEvents: progress.length,
          events: events.length,
        },
      }
    },
    async close() {
      const verification = await audit.verify()
      await audit.close()
      if (!verification.ok)
        throw new Error(`the benchmark audit chain does not verify: ${verification.reason}`)
    },
  }
}
