import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { startTestService } from '../../tests/support/test-services.ts'
import { SqliteAuditLog } from '../audit/sqlite-audit-log.ts'
import { BashExecutor } from '../executors/bash/bash-executor.ts'
import { ExecutorRegistry } from '../executors/executor-registry.ts'
import { Inventory } from '../inventory/inventory.ts'
import type { Target } from '../inventory/inventory-schema.ts'
import { loadInstructions } from '../knowledge/instructions/instruction-loader.ts'
import { buildPlan } from '../planning/planner.ts'
import { SshRemoteShell } from '../transports/ssh/ssh-remote-shell.ts'
import { ExecutionService } from './execution-service.ts'
import { type FleetEvent, runFleet } from './fleet-runner.ts'

let facts: Record<string, string> = {}
beforeAll(async () => {
  facts = await startTestService('sshd')
})

function target(name: string, port = Number(facts.SSH_PORT)): Target {
  return {
    name,
    host: '127.0.0.1',
    port,
    os: 'linux',
    transport: 'ssh',
    username: facts.SSH_USER ?? '',
    credential: `file:${facts.SSH_CLIENT_KEY}`,
    hostKey: facts.SSH_HOST_KEY ?? '',
  }
}

async function setUp(targets: Target[]) {
  const instructions = new Map(
    (await loadInstructions('data/instructions')).map((each) => [each.id, each]),
  )
  const audit = new SqliteAuditLog({
    file: path.join(mkdtempSync(path.join(tmpdir(), 'fleet-')), 'audit.sqlite'),
  })
  const inventory = new Inventory({ targets, groups: {} })
  const service = new ExecutionService({
    instructions,
    registry: new ExecutorRegistry().register(
      new BashExecutor({ inventory, shell: new SshRemoteShell({ connectTimeoutMs: 3000 }) }),
    ),
    audit,
  })
  const instruction = instructions.get('laptop_overheating')
  if (!instruction) throw new Error('laptop_overheating missing')
  const plan = buildPlan(instruction, { device: 'LT-0001', platform: 'linux' })
  const step = plan.steps.find((each) => each.id === 'laptop_overheating.read_thermal_state_linux')
  if (!step) throw new Error('no read_thermal_state_linux step')
  return { service, audit, plan, step, instructions }
}

describe('runFleet against a real sshd', () => {
  it('runs on every target, continues past a dead one, retries it, and reports progress', async () => {
    const names = Array.from(
      { length: 8 },
      (_, index) => `LT-${String(index + 1).padStart(4, '0')}`,
    )
    const { service, audit, plan, step } = await setUp([
      ...names.map((name) => target(name)),
      target('LT-0999', 1),
    ])
    const events: FleetEvent[] = []
    const fleet = await runFleet(service, {
      plan,
      step,
      requester: 'jdoe',
      requestId: 'fleet-1',
      targets: [...names.slice(0, 4), 'LT-0999', ...names.slice(4)],
      concurrency: 4,
      retries: 2,
      backoffMs: 20,
      onEvent: (event) => events.push(event),
    })
    expect(fleet.succeeded).toBe(8)
    expect(fleet.failed).toBe(1)
    const dead = fleet.results.find((each) => each.target === 'LT-0999')?.result
    expect(dead).toMatchObject({ status: 'failed', errorCode: 'CONNECT_FAILED' })
    const retries = events.filter((event) => event.type === 'target-retry')
    expect(retries.map((event) => event.type === 'target-retry' && event.target)).toEqual([
      'LT-0999',
      'LT-0999',
    ])
    const progress = events.filter((event) => event.type === 'fleet-progress')
    expect(progress).toHaveLength(9)
    expect(progress.at(-1)).toMatchObject({ done: 9, total: 9, succeeded: 8, failed: 1, etaMs: 0 })
    expect(fleet.results.map((each) => each.result.target)).toEqual(
      fleet.results.map((each) => each.target),
    )
    // Each attempt on each machine is its own pair of audit records.
    const executed = (await audit.list({ limit: 1000 })).filter(
      (record) => record.action === 'step-execute',
    )
    expect(executed).toHaveLength(8 + 3)
    expect(new Set(executed.map((record) => record.target))).toEqual(new Set([...names, 'LT-0999']))
  })

  it('does not retry a failure that may have run (a non-zero exit)', async () => {
    const { service, instructions } = await setUp([target('LT-0001'), target('LT-0002')])
    const instruction = instructions.get('account_locked')
    if (!instruction) throw new Error('account_locked missing')
    // No such local user on the test machine: the check exits non-zero after it ran.
    const plan = buildPlan(instruction, {
      username: 'nosuchuser1',
      system: 'local',
      device: 'LT-0001',
      platform: 'linux',
    })
    const step = plan.steps.find((each) => each.id === 'account_locked.check_local_account_linux')
    if (!step) throw new Error('no check_local_account_linux step')
    const events: FleetEvent[] = []
    const fleet = await runFleet(service, {
      plan,
      step,
      requester: 'jdoe',
      requestId: 'fleet-2',
      targets: ['LT-0001', 'LT-0002'],
      backoffMs: 1,
      onEvent: (event) => events.push(event),
    })
    expect(fleet.results.map((each) => each.result.errorCode)).toEqual(['EXIT_CODE', 'EXIT_CODE'])
    expect(events.filter((event) => event.type === 'target-retry')).toHaveLength(0)
  })

  it('cancels: running targets stop, the rest are skipped', async () => {
    const names = Array.from(
      { length: 6 },
      (_, index) => `WS-${String(index + 1).padStart(4, '0')}`,
    )
    const { service, plan, step } = await setUp(names.map((name) => target(name)))
    const controller = new AbortController()
    const fleet = runFleet(service, {
      plan,
      step,
      requester: 'jdoe',
      requestId: 'fleet-3',
      targets: names,
      concurrency: 2,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'target-end') controller.abort()
      },
    })
    const result = await fleet
    expect(result.cancelled).toBeGreaterThanOrEqual(3)
    expect(result.results.filter((each) => each.result.errorCode === 'CANCELLED')).toHaveLength(
      result.cancelled,
    )
  })
})
