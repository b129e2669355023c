import type { Inventory } from '../../inventory/inventory.ts'
import type { PlanStep } from '../../planning/plan.ts'
import { checkPowerShellSyntax, loadPowerShellGrammar } from '../../rendering/powershell-syntax.ts'
import { encodePowerShellCommand } from '../../rendering/script-renderer.ts'
import type { RemoteShell } from '../../transports/remote-shell.ts'
import { describeInvocation } from '../describe-invocation.ts'
import { type ExecutionContext, type Executor, OUTPUT_LIMIT, type StepResult } from '../executor.ts'
import { runOnTarget, targetOf } from '../remote-script.ts'
import { failedStep } from '../step-results.ts'

export interface PowerShellExecutorOptions {
  inventory: Inventory
  /** The shell for each transport a target may name; a missing one fails its steps clearly. */
  shells: { ssh?: RemoteShell; winrm?: RemoteShell }
  timeoutMs?: number
  outputLimit?: number
}

/**
 * cmd.exe's longest command line. Both WinRM's cmd shell and the default shell of OpenSSH on
 * Windows pass the line through cmd.exe, so a longer `-EncodedCommand` would be cut or refused
 * there; it is refused here instead, before anything connects.
 */
export const MAX_COMMAND_LINE = 8191

/**
 * Runs a rendered PowerShell step on its target: the script, parsed here first, goes as
 * `powershell -NoProfile -NonInteractive -EncodedCommand <UTF-16LE base64>` through the target's
 * transport (WinRM or SSH). The encoding makes the whole script one opaque argument: no shell on
 * the way (cmd.exe, sshd's) can read anything in it as syntax.
 */
export class PowerShellExecutor implements Executor {
  readonly specificationVersion = 'executor-v1'
  readonly id = 'powershell'
  readonly handles: readonly PlanStep['executor'][] = ['powershell']
  private readonly options: Required<PowerShellExecutorOptions>

  constructor(options: PowerShellExecutorOptions) {
    this.options = { timeoutMs: 60_000, outputLimit: OUTPUT_LIMIT, ...options }
  }

  async doExecute(step: PlanStep, context: ExecutionContext): Promise<StepResult> {
    const wouldRun = describeInvocation(step.invocation)
    const invocation = step.invocation
    if (invocation.type !== 'script' || invocation.language !== 'powershell') {
      return failedStep(
        step,
        wouldRun,
        'UNSUPPORTED_STEP',
        'the PowerShell executor runs PowerShell scripts only',
      )
    }
    const found = targetOf(step, this.options.inventory, wouldRun)
    if ('refused' in found) return found.refused
    const { target } = found
    const shell = this.options.shells[target.transport]
    if (!shell) {
      return failedStep(
        step,
        wouldRun,
        'UNSUPPORTED_TRANSPORT',
        `${target.name} is reached over ${target.transport}, and no ${target.transport} shell is configured for PowerShell steps`,
      )
    }
    await loadPowerShellGrammar()
    const syntax = checkPowerShellSyntax(invocation.script)
    if (!syntax.ok) {
      const first = syntax.errors[0]
      return failedStep(
        step,
        wouldRun,
        'SCRIPT_SYNTAX',
        `the rendered script does not parse (line ${first?.line}, column ${first?.column}: ${first?.message}); nothing was run`,
      )
    }
    const commandLine = `powershell -NoProfile -NonInteractive -EncodedCommand ${encodePowerShellCommand(invocation.script)}`
    if (commandLine.length > MAX_COMMAND_LINE) {
      return failedStep(
        step,
        wouldRun,
        'SCRIPT_TOO_LONG',
        `the encoded script makes a ${commandLine.length}-character command line; cmd.exe on ${target.name} takes at most ${MAX_COMMAND_LINE}; nothing was run`,
      )
    }
    return runOnTarget(shell, target, { commandLine }, { step, wouldRun, context, ...this.options })
  }
}
