/**
 * Runs a crash interrupted. When the server is killed (SIGKILL, power loss) while it carries out
 * an approved plan, the request stays `approved` with no execution, and the step it was running
 * has a "started" ledger entry without a result. At start, `findInterruptedRuns` finds every such
 * request and sets it `interrupted`: the step that was running is `unknown` (it may have half
 * changed the target) and is never run again by itself; the steps not started yet wait.
 *
 * Why they wait instead of continuing: the step before them may have done nothing, half or all of
 * its change, and the plan's next steps assume it did all of it; time has passed too (the employee
 * may have fixed it another way). So a technician checks the target, says for each unknown step
 * whether it succeeded or failed, and resumes the run (or stops it): `resumeInterruptedRun`. The
 * same rule holds when no step was running at the kill (between steps, before the first one): one
 * rule, and a run approved an hour ago does not continue by surprise after a restart.
 *
 * One server process per project store is assumed: a second process starting while the first
 * runs a plan would take that run for an interrupted one.
 * @module
 */
import type { AuditValue } from '../audit/audit-log.ts'
import { HelpdeskError } from '../errors/index.ts'
import { describeInvocation } from '../executors/describe-invocation.ts'
import type { StepResult } from '../executors/executor.ts'
import type { PlanStep } from '../planning/plan.ts'
import { type Approver, checkPerson, checkReason } from './approval-rules.ts'
import type {
  ApprovalInterruption,
  ApprovalRequest,
  ApprovalStore,
  StepResolution,
} from './approval-store.ts'
import { interruptedMessage } from './approved-plan-runner.ts'
import { type StepExecutionLedger, stepIdempotencyKey } from './step-execution-ledger.ts'

const FINE: ReadonlySet<string> = new Set(['succeeded', 'skipped', 'dry_run'])

export interface InterruptedRunsOptions {
  store: ApprovalStore
  ledger: StepExecutionLedger
  now: () => Date
  /** Appends one audit record about the request (the approval service's `record`). */
  record: (
    actor: string,
    action: string,
    request: ApprovalRequest,
    detail: { [key: string]: AuditValue },
  ) => Promise<void>
  /** Finishes a run whose every step has its result already (nothing is run). */
  complete: (request: ApprovalRequest) => Promise<unknown>
}

/** How far an approved run got, from the ledger. */
export async function stepsOfRun(
  ledger: StepExecutionLedger,
  request: ApprovalRequest,
): Promise<{ unknown: string[]; waiting: string[]; failed: boolean }> {
  const entries = new Map((await ledger.listFor(request.id)).map((entry) => [entry.key, entry]))
  const unknown: string[] = []
  const waiting: string[] = []
  let failed = false
  for (const step of request.plan.steps) {
    const entry = entries.get(stepIdempotencyKey(request.id, step.id, step.target))
    if (!entry) waiting.push(step.id)
    else if (!entry.result) unknown.push(step.id)
    else if (!FINE.has(entry.result.status)) failed = true
  }
  return { unknown, waiting, failed }
}

/**
 * Finds the approved runs a previous process left unfinished and sets them `interrupted`
 * (audited `approval-interrupt`). A run whose steps all have results (killed after its last
 * step, or after a step failed) is only finished, as the runner would have.
 * @returns the requests set `interrupted` by this call.
 */
export async function findInterruptedRuns(
  options: InterruptedRunsOptions,
): Promise<ApprovalRequest[]> {
  const interrupted: ApprovalRequest[] = []
  for (const request of await options.store.list({ status: 'approved', limit: 10_000 })) {
    const { unknown, waiting, failed } = await stepsOfRun(options.ledger, request)
    if (unknown.length === 0 && (waiting.length === 0 || failed)) {
      await options.complete(request)
      continue
    }
    const interruption: ApprovalInterruption = {
      at: options.now().toISOString(),
      unknownSteps: unknown,
      waitingSteps: waiting,
    }
    const marked = await options.store.markInterrupted(request.id, request.version, interruption)
    if (!marked) continue
    await options.record('system', 'approval-interrupt', marked, {
      unknownSteps: unknown,
      waitingSteps: waiting,
    })
    interrupted.push(marked)
  }
  return interrupted
}

export interface ResumeInput {
  /** For every step of unknown outcome: what the technician found on the target. */
  resolve: Readonly<Record<string, StepResolution>>
  /** Do not run the steps not started; end the run. */
  stop: boolean
  reason: string
}

/**
 * A technician's decision on an interrupted run: records what they found for each unknown step
 * (in the ledger, as that step's result, so it is never run), sets the request `approved` again
 * and audits `approval-resume`. The caller then runs it (the runner continues after the steps
 * with results, or reports the rest not run when `stop`).
 * @throws {HelpdeskError} FORBIDDEN (not a technician or admin), INVALID_INPUT (no reason, an
 *   unknown step not resolved, a step resolved that is not unknown), APPROVAL_CONFLICT (not
 *   interrupted, or resumed by someone else first).
 */
export async function resumeInterruptedRun(
  options: InterruptedRunsOptions,
  request: ApprovalRequest,
  technician: Approver,
  input: ResumeInput,
): Promise<ApprovalRequest> {
  const person = checkPerson(technician)
  if (person.role !== 'technician' && person.role !== 'admin') {
    throw new HelpdeskError({
      code: 'FORBIDDEN',
      message: `only a technician or admin resumes an interrupted run; ${person.username} is a ${person.role}`,
    })
  }
  const reason = checkReason(input.reason, false)
  if (!reason) throw invalid('reason: say what you checked on the target before resuming')
  if (request.status !== 'interrupted' || !request.interruption) {
    throw new HelpdeskError({
      code: 'APPROVAL_CONFLICT',
      message: `approval request ${request.id} is ${request.status}, not interrupted: there is nothing to resume`,
      details: { status: request.status },
    })
  }
  const unknown = request.interruption.unknownSteps
  const missing = unknown.filter((stepId) => !Object.hasOwn(input.resolve, stepId))
  if (missing.length > 0) {
    throw invalid(
      `resolve: say for each step of unknown outcome whether it succeeded or failed (checked on the target); missing: ${missing.join(', ')}`,
    )
  }
  const extra = Object.keys(input.resolve).filter((stepId) => !unknown.includes(stepId))
  if (extra.length > 0) {
    throw invalid(
      `resolve: ${extra.join(', ')} ${extra.length === 1 ? 'is' : 'are'} not of unknown outcome (${unknown.length > 0 ? `those are: ${unknown.join(', ')}` : 'none is'})`,
    )
  }
  for (const [stepId, resolution] of Object.entries(input.resolve)) {
    if (resolution !== 'succeeded' && resolution !== 'failed')
      throw invalid(`resolve.${stepId}: expected "succeeded" or "failed", not "${resolution}"`)
  }
  const at = options.now().toISOString()
  const resolved = { ...input.resolve }
  const resumed = await options.store.markResumed(request.id, request.version, {
    ...request.interruption,
    resumed: { by: person.username, at, reason, resolved, stop: input.stop },
  })
  if (!resumed) {
    throw new HelpdeskError({
      code: 'APPROVAL_CONFLICT',
      message: `approval request ${request.id} changed meanwhile (resumed by someone else?); reload it`,
    })
  }
  // After the status change: a crash between the two leaves it approved with the step still
  // unknown, and the next start finds it interrupted again (nothing runs twice).
  for (const step of request.plan.steps) {
    const resolution = resolved[step.id]
    if (!resolution) continue
    await options.ledger.finish(
      stepIdempotencyKey(request.id, step.id, step.target),
      resolvedResult(step, resolution, person.username, reason),
      at,
    )
  }
  await options.record(person.username, 'approval-resume', resumed, {
    role: person.role,
    reason,
    resolved,
    stop: input.stop,
    waitingSteps: request.interruption.waitingSteps,
  })
  return resumed
}

/** APPROVAL_INTERRUPTED for a decision on an interrupted request, saying what to do instead. */
export function interruptedError(request: ApprovalRequest): HelpdeskError {
  return new HelpdeskError({
    code: 'APPROVAL_INTERRUPTED',
    message: `${interruptedMessage(request)}; approving or denying it again changes nothing`,
    details: { status: request.status },
  })
}

function resolvedResult(
  step: PlanStep,
  resolution: StepResolution,
  technician: string,
  reason: string,
): StepResult {
  const finding = `the server stopped while this step ran; ${technician} checked ${step.target ?? 'the target'} and found it ${resolution}: ${reason}`
  return {
    stepId: step.id,
    status: resolution,
    wouldRun: describeInvocation(step.invocation),
    ...(step.target ? { target: step.target } : {}),
    stdout: resolution === 'succeeded' ? finding : '',
    stderr: '',
    exitCode: null,
    durationMs: 0,
    changed: resolution === 'succeeded' && !step.readOnly,
    ...(resolution === 'failed'
      ? { errorCode: 'FAILED_PER_TECHNICIAN', errorMessage: finding }
      : {}),
  }
}

function invalid(message: string): HelpdeskError {
  return new HelpdeskError({ code: 'INVALID_INPUT', message })
}
