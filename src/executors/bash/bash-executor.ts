import type { Inventory } from '../../inventory/inventory.ts'
import type { PlanStep } from '../../planning/plan.ts'
import { checkBashSyntax } from '../../rendering/bash-syntax.ts'
import type { RemoteShell } from '../../transports/remote-shell.ts'
import { describeInvocation } from '../describe-invocation.ts'
import { type ExecutionContext, type Executor, OUTPUT_LIMIT, type StepResult } from '../executor.ts'
import { runOnTarget, targetOf } from '../remote-script.ts'
import { failedStep } from '../step-results.ts'

export interface BashExecutorOptions {
  inventory: Inventory
  /** The SSH shell; Bash over WinRM is not offered. */
  shell: RemoteShell
  timeoutMs?: number
  outputLimit?: number
}

/**
 * Runs a rendered Bash step on its target over SSH: `bash -s --` with the quoted parameters as
 * arguments and the script on stdin, after `bash -n` has parsed it here.
 */
export class BashExecutor implements Executor {
  readonly specificationVersion = 'executor-v1'
  readonly id = 'bash'
  readonly handles: readonly PlanStep['executor'][] = ['bash']
  private readonly options: Required<BashExecutorOptions>

  constructor(options: BashExecutorOptions) {
    this.options = { timeoutMs: 60_000, outputLimit: OUTPUT_LIMIT, ...options }
  }

  async doExecute(step: PlanStep, context: ExecutionContext): Promise<StepResult> {
    const wouldRun = describeInvocation(step.invocation)
    const invocation = step.invocation
    if (invocation.type !== 'script' || invocation.language !== 'bash') {
      return failedStep(
        step,
        wouldRun,
        'UNSUPPORTED_STEP',
        'the Bash executor runs Bash scripts only',
      )
    }
    const found = targetOf(step, this.options.inventory, wouldRun)
    if ('refused' in found) return found.refused
    const { target } = found
    if (target.transport !== 'ssh') {
      return failedStep(
        step,
        wouldRun,
        'UNSUPPORTED_TRANSPORT',
        `${target.name} is reached over ${target.transport}; Bash steps run over SSH only`,
      )
    }
    const syntax = checkBashSyntax(invocation.script)
    if (!syntax.ok) {
      const first = syntax.errors[0]
      return failedStep(
        step,
        wouldRun,
        'SCRIPT_SYNTAX',
        `bash -n refused the rendered script (line ${first?.line}: ${first?.message}); nothing was run`,
      )
    }
    return runOnTarget(
      this.options.shell,
      target,
      { commandLine: invocation.commandLine, stdin: invocation.script },
      { step, wouldRun, context, ...this.options },
    )
  }
}
