import { describe, expect, it } from 'vitest'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import { loadInstructions } from '../knowledge/instructions/instruction-loader.ts'
import type { PlanStep } from '../planning/plan.ts'
import { buildPlan } from '../planning/planner.ts'
import type { Executor } from './executor.ts'

/** Run by every Executor implementation against the steps it handles. */
export interface ExecutorContractInitializer {
  name: string
  create(): Promise<Executor>
  /** Steps this executor can really run here; the dry-run executor takes every runbook step. */
  steps(instructions: readonly Instruction[]): PlanStep[]
  skip?: Array<{ test: string; reason: string }>
}

const VALUES: Record<string, string> = {
  username: 'jdoe',
  group: 'jira-users',
  device: 'LT-0423',
  printer: 'PRN-3F-EAST',
  share_path: '\\\\fs01\\finance',
  recipient: 'jane.doe@example.com',
  application: 'Adobe Acrobat',
  package: '7zip.7zip',
  error_code: '809',
}

/** Every step of every runbook, planned with plausible values, for each platform and system. */
export function allRunbookSteps(instructions: readonly Instruction[]): PlanStep[] {
  const steps: PlanStep[] = []
  for (const instruction of instructions) {
    const base: Record<string, string> = {}
    for (const parameter of instruction.parameters) {
      const enumValue = Object.keys(parameter.values ?? {})[0]
      base[parameter.name] = VALUES[parameter.name] ?? enumValue ?? 'LT-0423'
    }
    const systems = instruction.parameters.find((parameter) => parameter.kind === 'system')
      ?.systems ?? [undefined]
    const platforms = instruction.parameters.find((parameter) => parameter.kind === 'platform')
      ?.platforms ?? [undefined]
    for (const system of systems) {
      for (const platform of platforms) {
        const values = { ...base }
        for (const parameter of instruction.parameters) {
          if (parameter.kind === 'system' && system) values[parameter.name] = system
          if (parameter.kind === 'platform' && platform) values[parameter.name] = platform
          if (parameter.kind === 'hostname') values[parameter.name] = 'LT-0423'
          if (parameter.kind === 'username') values[parameter.name] = 'jdoe'
        }
        steps.push(...buildPlan(instruction, values).steps)
      }
    }
  }
  return steps
}

export function runExecutorContract(initializer: ExecutorContractInitializer): void {
  describe(`Executor contract: ${initializer.name}`, async () => {
    const instructions = await loadInstructions('data/instructions')
    const skipped = new Set((initializer.skip ?? []).map((each) => each.test))
    const test = (name: string, body: () => Promise<void>) =>
      (skipped.has(name) ? it.skip : it)(name, body)

    test('declares version executor-v1, an id and the kinds it handles', async () => {
      const executor = await initializer.create()
      expect(executor.specificationVersion).toBe('executor-v1')
      expect(executor.id).toMatch(/^[a-z][a-z0-9_-]*$/)
      expect(executor.handles.length).toBeGreaterThan(0)
    })

    test('returns a structured result for each step it handles, naming exactly what runs', async () => {
      const executor = await initializer.create()
      const steps = initializer
        .steps(instructions)
        .filter((step) => executor.handles.includes(step.executor))
      expect(steps.length).toBeGreaterThan(0)
      for (const step of steps) {
        const result = await executor.doExecute(step, {
          requester: 'jdoe',
          requestId: `contract-${step.id}`,
        })
        expect(result.stepId).toBe(step.id)
        expect(['dry_run', 'succeeded', 'failed', 'skipped', 'awaiting_approval']).toContain(
          result.status,
        )
        expect(result.wouldRun.length).toBeGreaterThan(0)
        if (step.invocation.type === 'script')
          expect(result.wouldRun).toContain(step.invocation.script.trim().split('\n')[0])
        if (step.invocation.type === 'operation')
          expect(result.wouldRun).toContain(step.invocation.operation)
        expect(result.durationMs).toBeGreaterThanOrEqual(0)
        expect(typeof result.changed).toBe('boolean')
        if (result.status === 'failed') expect(result.errorCode).toBeTruthy()
        if (step.target) expect(result.target).toBe(step.target)
      }
    })

    test('never reports a change for a read-only step', async () => {
      const executor = await initializer.create()
      for (const step of initializer
        .steps(instructions)
        .filter((each) => each.readOnly && executor.handles.includes(each.executor))) {
        const result = await executor.doExecute(step, { requester: 'jdoe', requestId: 'read-only' })
        expect(result.changed, step.id).toBe(false)
      }
    })
  })
}
