import { HelpdeskError, isHelpdeskError } from '../errors/index.ts'
import type { PlanStep } from '../planning/plan.ts'
import type { RemoteCommandResult } from '../transports/remote-shell.ts'
import type { StepResult } from './executor.ts'

/** A step that failed before or instead of running, with a code and a message a technician can act on. */
export function failedStep(
  step: PlanStep,
  wouldRun: string,
  errorCode: string,
  errorMessage: string,
  durationMs = 0,
): StepResult {
  return {
    stepId: step.id,
    status: 'failed',
    wouldRun,
    ...(step.target ? { target: step.target } : {}),
    stdout: '',
    stderr: '',
    exitCode: null,
    durationMs,
    changed: false,
    errorCode,
    errorMessage,
  }
}

/** A script that ran: exit 0 is success; anything else names the exit code and the last error line. */
export function scriptStepResult(
  step: PlanStep,
  wouldRun: string,
  remote: RemoteCommandResult,
): StepResult {
  const succeeded = remote.exitCode === 0 && !remote.timedOut
  const truncation = [remote.stdoutTruncated && 'stdout', remote.stderrTruncated && 'stderr']
    .filter(Boolean)
    .join(' and ')
  const result: StepResult = {
    stepId: step.id,
    status: succeeded ? 'succeeded' : 'failed',
    wouldRun,
    ...(step.target ? { target: step.target } : {}),
    stdout: remote.stdout,
    stderr: remote.stderr,
    exitCode: remote.exitCode,
    durationMs: remote.durationMs,
    changed: succeeded && !step.readOnly,
    ...(truncation ? { data: { truncated: truncation } } : {}),
  }
  if (succeeded) return result
  if (remote.timedOut) {
    return {
      ...result,
      errorCode: 'TIMEOUT',
      errorMessage: `stopped after the time limit on ${step.target}`,
    }
  }
  const lastError = remote.stderr.trim().split('\n').at(-1)?.slice(0, 300)
  return {
    ...result,
    errorCode: remote.exitCode === null ? 'STOPPED' : 'EXIT_CODE',
    errorMessage:
      remote.exitCode === null
        ? `stopped on ${step.target}${remote.exitSignal ? ` by ${remote.exitSignal}` : ''}`
        : `exited with code ${remote.exitCode} on ${step.target}${lastError ? `: ${lastError}` : ''}`,
  }
}

/** Transport failures (unreachable, host key, login) are results, not exceptions. */
export function transportFailure(
  step: PlanStep,
  wouldRun: string,
  error: unknown,
  durationMs: number,
): StepResult {
  if (
    isHelpdeskError(error) &&
    (error.code === 'BACKEND_UNAVAILABLE' || error.code === 'INVALID_CONFIGURATION')
  ) {
    const reason = typeof error.details.reason === 'string' ? error.details.reason : error.code
    return failedStep(step, wouldRun, reason, error.message, durationMs)
  }
  if (error instanceof HelpdeskError)
    return failedStep(step, wouldRun, error.code, error.message, durationMs)
  throw error
}
