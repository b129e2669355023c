import type { PlanStep } from '../../planning/plan.ts'
import { describeInvocation } from '../describe-invocation.ts'
import type { ExecutionContext, Executor, StepResult } from '../executor.ts'

/** Reports exactly what a step would run and touches nothing. Handles every step kind. */
export class DryRunExecutor implements Executor {
  readonly specificationVersion = 'executor-v1'
  readonly id = 'dry-run'
  readonly handles: readonly PlanStep['executor'][] = [
    'active_directory',
    'aws_iam',
    'powershell',
    'bash',
    'guidance',
  ]

  async doExecute(step: PlanStep, _context: ExecutionContext): Promise<StepResult> {
    const started = performance.now()
    const wouldRun = describeInvocation(step.invocation)
    const where = step.target ? ` on ${step.target}` : ''
    return {
      stepId: step.id,
      status: 'dry_run',
      wouldRun,
      ...(step.target ? { target: step.target } : {}),
      stdout: `[dry-run] would run${where}: ${step.title}`,
      stderr: '',
      exitCode: null,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      changed: false,
    }
  }
}
