import { describe, expect, it } from 'vitest'
import { HelpdeskError } from '../../errors/index.ts'
import { allRunbookSteps, runExecutorContract } from '../executor-contract.case.test.ts'
import { ExecutorRegistry } from '../executor-registry.ts'
import { DryRunExecutor } from './dry-run-executor.ts'

runExecutorContract({
  name: 'dry-run',
  create: async () => new DryRunExecutor(),
  steps: allRunbookSteps,
})

describe('the executor registry', () => {
  it('serves each registered kind and names the registered kinds on a miss', () => {
    const registry = new ExecutorRegistry().register(new DryRunExecutor(), ['bash', 'powershell'])
    expect(registry.get('bash').id).toBe('dry-run')
    const error = (() => {
      try {
        registry.get('active_directory')
      } catch (thrown) {
        return thrown
      }
    })()
    expect(error).toBeInstanceOf(HelpdeskError)
    expect((error as HelpdeskError).message).toMatch(
      /no executor for "active_directory"; registered kinds: bash, powershell/,
    )
  })

  it('refuses a second executor for a kind', () => {
    const registry = new ExecutorRegistry().register(new DryRunExecutor())
    expect(() => registry.register(new DryRunExecutor(), ['bash'])).toThrow(
      /already served by "dry-run"/,
    )
  })
})
