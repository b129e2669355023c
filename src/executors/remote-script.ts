import { isHelpdeskError } from '../errors/index.ts'
import type { Inventory } from '../inventory/inventory.ts'
import type { Target } from '../inventory/inventory-schema.ts'
import type { PlanStep } from '../planning/plan.ts'
import type { RemoteCommand, RemoteShell } from '../transports/remote-shell.ts'
import type { ExecutionContext, StepResult } from './executor.ts'
import { failedStep, scriptStepResult, transportFailure } from './step-results.ts'

/** What the script executors (Bash, PowerShell) share: finding the machine, running on it. */

/** The step's machine from the inventory, or the failed result that says why there is none. */
export function targetOf(
  step: PlanStep,
  inventory: Inventory,
  wouldRun: string,
): { target: Target } | { refused: StepResult } {
  if (!step.target) {
    return {
      refused: failedStep(step, wouldRun, 'NO_TARGET', 'the step names no machine to run on'),
    }
  }
  try {
    return { target: inventory.target(step.target) }
  } catch (error) {
    if (isHelpdeskError(error))
      return { refused: failedStep(step, wouldRun, 'UNKNOWN_TARGET', error.message) }
    throw error
  }
}

/** Runs the command on the target; transport failures become failed results, never exceptions. */
export async function runOnTarget(
  shell: RemoteShell,
  target: Target,
  command: RemoteCommand,
  run: {
    step: PlanStep
    wouldRun: string
    context: ExecutionContext
    timeoutMs: number
    outputLimit: number
  },
): Promise<StepResult> {
  const started = performance.now()
  try {
    const remote = await shell.run(target, command, {
      timeoutMs: run.timeoutMs,
      outputLimit: run.outputLimit,
      ...(run.context.signal ? { signal: run.context.signal } : {}),
    })
    return scriptStepResult(run.step, run.wouldRun, remote)
  } catch (error) {
    return transportFailure(run.step, run.wouldRun, error, performance.now() - started)
  }
}
