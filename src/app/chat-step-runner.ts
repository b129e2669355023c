import type { StepRunner } from '../agent/core/helpdesk-core.ts'
import type { ExecutionService } from '../execution/execution-service.ts'
import { DryRunExecutor } from '../executors/dry-run/dry-run-executor.ts'
import type { ExecutorRegistry } from '../executors/executor-registry.ts'

/** The chat without executors: every step is a dry run. */
export function dryRunSteps(): StepRunner {
  const executor = new DryRunExecutor()
  return (_plan, step, context) => executor.doExecute(step, context)
}

/**
 * The chat with executors: steps of a configured kind go through the execution service with no
 * approval, so read-only checks run for real and anything that changes something comes back
 * "awaiting approval" (audited). Kinds with no executor here, and guidance
 * for the person, stay dry runs.
 */
export function liveSteps(service: ExecutionService, registry: ExecutorRegistry): StepRunner {
  const dryRun = dryRunSteps()
  return (plan, step, context) =>
    registry.kinds.includes(step.executor)
      ? service.executeStep({ plan, step, ...context })
      : dryRun(plan, step, context)
}
