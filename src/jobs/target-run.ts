/**
 * One target's part of a job: its steps in order, each as condition, backup, change,
 * verification; on a failure the target's later steps are skipped and its completed steps rolled
 * back, newest first, where they have a rollback. Every state change is stored before the next
 * command leaves (see `JobEngine`).
 * @module
 */
import type { Target } from '../inventory/inventory-schema.ts'
import type { PlatformScripts, WorkflowPlatform, WorkflowStep } from '../operations/workflow.ts'
import type { RemoteSession } from '../transports/remote-shell.ts'
import type { JobCell, JobEventBody, JobPhase, JobRecord } from './job-model.ts'
import type { CellChange } from './job-store.ts'
import type { ScriptOutcome, WorkflowScriptRunner } from './workflow-script-runner.ts'

/**
 * Asked before a changing step's change leaves for a machine: the step execution ledger's claim
 * (`claimed: false`: another runner recorded it first, so it is not run here). `finish` stores
 * how it ended.
 */
export type ChangeClaim = (request: {
  job: JobRecord
  stepIndex: number
  step: WorkflowStep
  target: string
}) => Promise<
  | { claimed: true; finish(outcome: ScriptOutcome): Promise<void> }
  | { claimed: false; reason: string }
>

/** What the engine hands a target's run. */
export interface TargetRunContext {
  job: JobRecord
  target: Target
  platform: WorkflowPlatform
  runner: WorkflowScriptRunner
  signal: AbortSignal
  cell(stepIndex: number): JobCell
  /** Stores the cell's new state and tells the listeners. */
  setCell(stepIndex: number, change: CellChange): Promise<void>
  emit(body: JobEventBody): Promise<void>
  /** The exactly-once guard of changing steps, where several processes may run one job. */
  claimChange?: ChangeClaim
}

/** Lines of output per script kept in the log events; the audit has the rest. */
const LOG_LINES = 20

/** @returns whether the target ended without a failure (skipped steps are not failures) */
export async function runTarget(context: TargetRunContext): Promise<boolean> {
  const { job, target } = context
  const steps = job.workflow.steps
  let session: RemoteSession | undefined
  let sessionOpened = false
  const openSession = async () => {
    if (sessionOpened) return session
    sessionOpened = true
    try {
      session = await context.runner.openSession(target)
    } catch {
      // Connecting failed: each script then connects on its own and fails with the reason.
      session = undefined
    }
    return session
  }
  /** Set once a step fails (or was left unknown) here: later steps are skipped. */
  let stoppedBy: { stepId: string; reason: string } | undefined
  for (const [index, step] of steps.entries()) {
    const cell = context.cell(index)
    if (cell.state === 'unknown' || cell.state === 'failed') {
      stoppedBy ??= {
        stepId: step.id,
        reason: cell.state === 'unknown' ? 'ended with an unknown outcome' : 'failed',
      }
      continue
    }
    if (cell.state !== 'pending') continue
    if (context.signal.aborted) {
      await context.setCell(index, {
        state: 'cancelled',
        reason: 'the job was cancelled before it ran here',
      })
      continue
    }
    if (stoppedBy) {
      await context.setCell(index, {
        state: 'skipped',
        reason: `not run: ${stoppedBy.stepId} ${stoppedBy.reason} on this machine`,
      })
      continue
    }
    const failure = await runStep(context, index, step, await openSession())
    if (context.cell(index).state === 'unknown') {
      // Another runner holds this step's claim: nothing here may undo what it did.
      stoppedBy = { stepId: step.id, reason: 'ended with an unknown outcome' }
      await context.emit({
        type: 'target-failed',
        target: target.name,
        stepId: step.id,
        error: context.cell(index).reason ?? 'unknown outcome',
      })
    } else if (failure) {
      stoppedBy = { stepId: step.id, reason: 'failed' }
      await context.emit({
        type: 'target-failed',
        target: target.name,
        stepId: step.id,
        error: failure,
      })
      await rollBack(context, index, session)
    }
  }
  session?.close()
  if (!stoppedBy && !context.signal.aborted)
    await context.emit({ type: 'target-succeeded', target: target.name })
  return stoppedBy === undefined
}

/** @returns the failure in plain words, or undefined when the step did not fail */
async function runStep(
  context: TargetRunContext,
  index: number,
  step: WorkflowStep,
  session: RemoteSession | undefined,
): Promise<string | undefined> {
  const startedAt = new Date().toISOString()
  const base = { startedAt }
  // A copy's upload sits between the backup (which refuses an overwrite not asked for, before
  // anything is sent) and the change that moves the upload into place.
  const phases: Array<[JobPhase, PlatformScripts | undefined]> = [
    ['condition', step.condition?.scripts],
    ['backup', step.backup],
    ['transfer', step.transfer ? { [context.platform]: '' } : undefined],
    ['run', step.scripts],
    ['verify', step.verify],
  ]
  for (const [phase, scripts] of phases) {
    const script = scripts?.[context.platform]
    if (script === undefined) continue
    if (phase === 'transfer' && step.transfer) {
      await context.setCell(index, { ...base, state: 'running', phase })
      const outcome = await upload(context, step, session)
      const failure = await ended(context, index, step, phase, outcome, base)
      if (failure !== 'continue') return failure
      continue
    }
    const claim =
      phase === 'run' && step.changes && context.claimChange
        ? await context.claimChange({
            job: context.job,
            stepIndex: index,
            step,
            target: context.target.name,
          })
        : undefined
    if (claim && !claim.claimed) {
      await context.setCell(index, {
        ...base,
        state: 'unknown',
        phase,
        reason: claim.reason,
        endedAt: new Date().toISOString(),
      })
      return undefined
    }
    await context.setCell(index, { ...base, state: 'running', phase })
    const outcome = checkedCopy(step, phase, await run(context, step, phase, script, session))
    await claim?.finish(outcome)
    const failure = await ended(context, index, step, phase, outcome, base)
    if (failure !== 'continue') return failure
  }
  await context.setCell(index, {
    ...base,
    state: 'succeeded',
    phase: 'run',
    exitCode: 0,
    endedAt: new Date().toISOString(),
  })
  return undefined
}

/**
 * Records how a phase ended when that ends the step here (cancelled, condition not met, failed).
 * @returns 'continue' when the step goes on to its next phase, else the failure (or undefined)
 */
async function ended(
  context: TargetRunContext,
  index: number,
  step: WorkflowStep,
  phase: JobPhase,
  outcome: ScriptOutcome,
  base: { startedAt: string },
): Promise<string | undefined | 'continue'> {
  const ended = { ...base, phase, exitCode: outcome.exitCode, endedAt: new Date().toISOString() }
  if (outcome.errorCode === 'CANCELLED' || (context.signal.aborted && outcome.exitCode !== 0)) {
    await context.setCell(index, {
      ...ended,
      state: 'cancelled',
      reason: 'stopped on the machine: the job was cancelled',
      errorCode: 'CANCELLED',
    })
    return undefined
  }
  if (phase === 'condition' && !outcome.errorCode && outcome.exitCode !== 0) {
    await context.setCell(index, {
      ...ended,
      state: 'skipped',
      reason: `condition not met (${step.condition?.kind ?? 'condition'}, exit ${outcome.exitCode})`,
    })
    return undefined
  }
  if (outcome.errorCode || outcome.exitCode !== 0) {
    const reason = describeFailure(phase, outcome)
    await context.setCell(index, {
      ...ended,
      state: 'failed',
      reason,
      errorCode: outcome.errorCode ?? (phase === 'verify' ? 'VERIFICATION_FAILED' : 'EXIT_STATUS'),
    })
    return reason
  }
  return 'continue'
}

/**
 * A copy's verification must print the SHA-256 of the approved file: the file in place is then
 * the one that was approved, whatever happened between the upload and the move.
 */
function checkedCopy(step: WorkflowStep, phase: JobPhase, outcome: ScriptOutcome): ScriptOutcome {
  if (phase !== 'verify' || !step.transfer || outcome.errorCode || outcome.exitCode !== 0)
    return outcome
  if (outcome.stdout.toLowerCase().includes(step.transfer.sha256)) return outcome
  return {
    ...outcome,
    errorCode: 'CHECKSUM_MISMATCH',
    errorMessage: `${step.transfer.destination} does not have the approved SHA-256 ${step.transfer.sha256} (the verification printed: ${outcome.stdout.trim().slice(0, 200)})`,
  }
}

async function upload(
  context: TargetRunContext,
  step: WorkflowStep,
  session: RemoteSession | undefined,
): Promise<ScriptOutcome> {
  const { target } = context
  const transfer = step.transfer
  if (!transfer) throw new Error('upload() needs a step with a transfer')
  const outcome = await context.runner.upload(
    {
      ...whoAndWhat(context, step),
      target,
      platform: context.platform,
      transfer,
      timeoutMs: step.timeoutSeconds * 1000,
      signal: context.signal,
    },
    session,
  )
  await context.emit({
    type: 'log',
    target: target.name,
    stepId: step.id,
    phase: 'transfer',
    stream: outcome.errorCode ? 'stderr' : 'stdout',
    lines: [(outcome.errorMessage ?? outcome.stdout).slice(0, 500)],
  })
  return outcome
}

/** What every script run and upload of a step carries for its audit: the job, who asked and approved, the step. */
function whoAndWhat(context: TargetRunContext, step: WorkflowStep) {
  const { job } = context
  return {
    jobId: job.id,
    requester: job.requester,
    actor: job.actor,
    ...(job.approval
      ? {
          approval: {
            id: job.approval.id,
            approver: job.approval.approver,
            via: job.approval.via,
          },
        }
      : {}),
    stepId: step.id,
    operation: step.operation,
  }
}

/** Undoes the target's succeeded steps before `failedIndex`, newest first, where they can be. */
async function rollBack(
  context: TargetRunContext,
  failedIndex: number,
  session: RemoteSession | undefined,
): Promise<void> {
  const steps = context.job.workflow.steps
  for (let index = failedIndex - 1; index >= 0; index--) {
    const step = steps[index]
    const cell = context.cell(index)
    const script = step?.rollback?.[context.platform]
    if (!step || cell.state !== 'succeeded' || script === undefined) continue
    const { stepIndex: _index, target: _target, ...kept } = cell
    await context.setCell(index, { ...kept, state: 'running', phase: 'rollback' })
    // A rollback runs even when the job is being cancelled: it puts the machine back.
    const outcome = await run(
      context,
      step,
      'rollback',
      script,
      session,
      new AbortController().signal,
    )
    if (!outcome.errorCode && outcome.exitCode === 0) {
      await context.setCell(index, {
        ...kept,
        state: 'rolled-back',
        phase: 'rollback',
        reason: `undone: a later step failed on this machine`,
        endedAt: new Date().toISOString(),
      })
    } else {
      await context.setCell(index, {
        ...kept,
        state: 'succeeded',
        phase: 'rollback',
        rollbackError: describeFailure('rollback', outcome),
        endedAt: new Date().toISOString(),
      })
    }
  }
}

async function run(
  context: TargetRunContext,
  step: WorkflowStep,
  phase: JobPhase,
  script: string,
  session: RemoteSession | undefined,
  signal: AbortSignal = context.signal,
): Promise<ScriptOutcome> {
  const { target } = context
  const outcome = await context.runner.run(
    {
      ...whoAndWhat(context, step),
      phase,
      target,
      platform: context.platform,
      script,
      timeoutMs: step.timeoutSeconds * 1000,
      signal,
    },
    session,
  )
  for (const stream of ['stdout', 'stderr'] as const) {
    const lines = outcome[stream].split('\n').filter((line) => line.trim() !== '')
    if (lines.length === 0) continue
    await context.emit({
      type: 'log',
      target: target.name,
      stepId: step.id,
      phase,
      stream,
      lines: lines.slice(-LOG_LINES).map((line) => line.slice(0, 500)),
    })
  }
  return outcome
}

function describeFailure(phase: JobPhase, outcome: ScriptOutcome): string {
  const what = phase === 'run' ? 'the change' : `the ${phase}`
  if (outcome.errorMessage) return `${what} did not run to the end: ${outcome.errorMessage}`
  const lastLine = outcome.stderr.trim().split('\n').pop()?.slice(0, 300)
  return `${what} exited ${outcome.exitCode}${lastLine ? `: ${lastLine}` : ''}`
}
