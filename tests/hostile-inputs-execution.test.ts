import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { SqliteAuditLog } from '../src/audit/sqlite-audit-log.ts'
import { ExecutionService } from '../src/execution/execution-service.ts'
import type { Executor, StepResult } from '../src/executors/executor.ts'
import { ExecutorRegistry } from '../src/executors/executor-registry.ts'
import type { Instruction } from '../src/knowledge/instructions/instruction.ts'
import { loadInstructions } from '../src/knowledge/instructions/instruction-loader.ts'
import type { PlanStep } from '../src/planning/plan.ts'
import { buildPlan } from '../src/planning/planner.ts'
import type { ApprovalRecord } from '../src/policy/approval-record.ts'

const corpus = readFileSync('tests/fixtures/hostile-inputs.jsonl', 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as { category: string; value: string })

/** Stands in for every executor kind and remembers any call: none may reach it. */
class TrapExecutor implements Executor {
  readonly specificationVersion = 'executor-v1'
  readonly id = 'trap'
  readonly handles: readonly PlanStep['executor'][] = [
    'active_directory',
    'aws_iam',
    'bash',
    'powershell',
  ]
  readonly calls: string[] = []
  async doExecute(step: PlanStep): Promise<StepResult> {
    this.calls.push(step.id)
    throw new Error(`an executor was reached for ${step.id}`)
  }
}

/** One step per executor kind, each taking a free-form parameter a person could type. */
const CASES: Array<{
  taskType: string
  stepId: string
  parameter: string
  values: Record<string, string>
}> = [
  {
    taskType: 'account_locked',
    stepId: 'account_locked.unlock_ad_account',
    parameter: 'username',
    values: { username: 'jdoe', system: 'active_directory' },
  },
  {
    taskType: 'password_reset',
    stepId: '',
    parameter: 'username',
    values: { username: 'jdoe', system: 'aws_iam' },
  },
  {
    taskType: 'printer_not_working',
    stepId: 'printer_not_working.clear_cups_jobs_linux',
    parameter: 'printer',
    values: { printer: 'PRN-3F-EAST', device: 'LT-0423', platform: 'linux' },
  },
  {
    taskType: 'printer_not_working',
    stepId: '',
    parameter: 'printer',
    values: { printer: 'PRN-3F-EAST', device: 'LT-0423', platform: 'windows' },
  },
  {
    taskType: 'printer_not_working',
    stepId: '',
    parameter: 'device',
    values: { printer: 'PRN-3F-EAST', device: 'LT-0423', platform: 'linux' },
  },
]

const approval: ApprovalRecord = {
  id: 'hostile-test',
  approver: 'tech.anna',
  approvedAt: '2026-11-21T00:00:00Z',
  level: 3,
  scope: 'plan',
  via: 'test',
}

let instructions: Map<string, Instruction>

beforeAll(async () => {
  instructions = new Map(
    (await loadInstructions('data/instructions')).map((each) => [each.id, each]),
  )
})

describe(`the hostile-input corpus through the execution service in front of every executor kind`, () => {
  it('refuses every input with a validation error naming the parameter; no executor is reached', async () => {
    const trap = new TrapExecutor()
    const audit = new SqliteAuditLog({
      file: path.join(mkdtempSync(path.join(tmpdir(), 'hostile-')), 'audit.sqlite'),
    })
    const service = new ExecutionService({
      instructions,
      registry: new ExecutorRegistry().register(trap),
      audit,
    })
    const kinds = new Set<string>()
    let refused = 0
    for (const testCase of CASES) {
      const instruction = instructions.get(testCase.taskType)
      if (!instruction) throw new Error(`${testCase.taskType} missing`)
      const plan = buildPlan(instruction, testCase.values)
      const step =
        plan.steps.find((each) => each.id === testCase.stepId) ??
        plan.steps.find(
          (each) =>
            each.executor !== 'guidance' &&
            (each.target === testCase.values[testCase.parameter] ||
              JSON.stringify(each.invocation).includes(
                testCase.values[testCase.parameter] ?? '\u0000',
              )),
        )
      if (!step) throw new Error(`no step taking ${testCase.parameter} in ${testCase.taskType}`)
      kinds.add(step.executor)
      for (const { value } of corpus) {
        const result = await service.executeStep({
          plan: { ...plan, parameters: { ...plan.parameters, [testCase.parameter]: value } },
          step,
          requester: 'jdoe',
          requestId: 'hostile',
          approval,
        })
        expect(result.status, `${step.id} ${JSON.stringify(value)}`).toBe('failed')
        expect(result.errorCode).toBe('INVALID_INPUT')
        expect(result.errorMessage).toMatch(
          new RegExp(`${testCase.parameter}|not a valid|control character|longer than|" -"`),
        )
        refused++
      }
    }
    expect(kinds).toEqual(new Set(['active_directory', 'aws_iam', 'bash', 'powershell']))
    expect(trap.calls).toEqual([])
    expect(refused).toBe(corpus.length * CASES.length)
    const records = await audit.list({ limit: 100_000 })
    expect(records.filter((record) => record.action === 'step-refuse')).toHaveLength(refused)
    expect(records.filter((record) => record.action === 'step-execute')).toHaveLength(0)
    expect((await audit.verify()).ok).toBe(true)
    await audit.close()
  })
})
