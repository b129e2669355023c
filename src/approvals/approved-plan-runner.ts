import type { AuditLog } from '../audit/audit-log.ts'
import { HelpdeskError, isHelpdeskError } from '../errors/index.ts'
import type { ExecutionService } from '../execution/execution-service.ts'
import { replanForTarget } from '../execution/replan.ts'
import { describeInvocation } from '../executors/describe-invocation.ts'
import type { StepResult, StepStatus } from '../executors/executor.ts'
import { failedStep } from '../executors/step-results.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { PlanStep } from '../planning/plan.ts'
import { approvalRecordFor } from './approval-rules.ts'
import type { ApprovalExecution, ApprovalRequest, ApprovalStore } from './approval-store.ts'
import { proposalOf } from './proposal-request-builder.ts'
import {
  type LedgerEntry,
  type StepExecutionLedger,
  stepIdempotencyKey,
} from './step-execution-ledger.ts'

/** A step's outcome in an approved run. */
export interface ApprovedStepResult extends Omit<StepResult, 'status'> {
  /**
   * `unknown`: the step was started earlier and no result was ever recorded (the process
   * stopped while it ran, or another one is still running it). It is never re-run: a technician
   * checks the target by hand. `changed` is then false only because nothing is known.
   */
  status: StepStatus | 'unknown'
  idempotencyKey: string
  /** True when this call did not run the step and reports what an earlier run recorded. */
  replayed: boolean
}

export interface ApprovalRun {
  approval: ApprovalRequest
  results: ApprovedStepResult[]
}

export interface ApprovalRunOptions {
  actor?: string
  signal?: AbortSignal
  /**
   * Why the steps not started yet are not to start at all (a technician stopped an interrupted
   * run): they are reported `skipped` and the run ends `stopped`.
   */
  stop?: string
}

export interface ApprovedPlanRunnerOptions {
  store: ApprovalStore
  ledger: StepExecutionLedger
  execution: ExecutionService
  audit: AuditLog
  instructions: ReadonlyMap<string, Instruction>
  now: () => Date
}

const FINE: ReadonlySet<string> = new Set(['succeeded', 'skipped', 'dry_run'])

/**
 * Runs an approved plan's steps in order through the execution service, each exactly once: the
 * ledger records a step's idempotency key ("started") before it runs and its result after, so a
 * second run, in this process or another, after a restart or at the same time, never runs a
 * step again. It stops at the first step that does not succeed; the rest are skipped.
 */
export class ApprovedPlanRunner {
  private readonly options: ApprovedPlanRunnerOptions
  /** Concurrent calls in one process share one run instead of reporting each other's steps unknown. */
  private readonly running = new Map<string, Promise<ApprovalRun>>()

  constructor(options: ApprovedPlanRunnerOptions) {
    this.options = options
  }

  run(request: ApprovalRequest, options: ApprovalRunOptions): Promise<ApprovalRun> {
    // An operation's workflow is the job engine's to run (operation-jobs.ts), never a runbook plan.
    if (request.workflow) {
      return Promise.reject(
        new HelpdeskError({
          code: 'INVALID_INPUT',
          message: `approval request ${request.id} is an operation on machines: it runs as a background job, started when it is approved`,
        }),
      )
    }
    const current = this.running.get(request.id)
    if (current) return current
    const started = this.runOnce(request, options).finally(() => this.running.delete(request.id))
    this.running.set(request.id, started)
    return started
  }

  private async runOnce(
    request: ApprovalRequest,
    options: ApprovalRunOptions,
  ): Promise<ApprovalRun> {
    if (request.status === 'pending') {
      throw new HelpdeskError({
        code: 'AWAITING_APPROVAL',
        message: `approval request ${request.id} is still waiting for approval`,
      })
    }
    if (request.status === 'denied' || request.status === 'expired') {
      throw new HelpdeskError({
        code: 'APPROVAL_CONFLICT',
        message: `approval request ${request.id} was ${request.status}; nothing of it runs`,
        details: { status: request.status },
      })
    }
    if (request.status === 'interrupted') {
      throw new HelpdeskError({
        code: 'APPROVAL_INTERRUPTED',
        message: interruptedMessage(request),
        details: { status: request.status },
      })
    }
    // An executed request only reports: steps it never reached must not start now.
    const replayOnly = request.status === 'executed'
    const results: ApprovedStepResult[] = []
    let stopped: ApprovedStepResult | undefined
    for (const step of request.plan.steps) {
      const key = stepIdempotencyKey(request.id, step.id, step.target)
      if (stopped) {
        results.push(notRun(step, key, `not run: ${stopped.stepId} ended ${stopped.status}`))
        continue
      }
      const result =
        replayOnly || options.stop
          ? await this.replay(step, key, options.stop)
          : await this.runStep(request, step, key, options)
      results.push(result)
      if (!FINE.has(result.status)) stopped = result
    }
    if (replayOnly) return { approval: request, results }
    const execution: ApprovalExecution = {
      finishedAt: this.options.now().toISOString(),
      outcome: results.some((result) => result.status === 'unknown')
        ? 'unknown'
        : stopped
          ? 'failed'
          : options.stop && results.some((result) => result.errorCode === 'STOPPED')
            ? 'stopped'
            : 'succeeded',
    }
    const marked = await this.options.store.markExecuted(request.id, execution)
    if (marked) {
      await this.options.audit.append({
        actor: 'system',
        action: 'approval-execute',
        requestId: request.id,
        detail: {
          approvalId: request.id,
          requester: request.requester,
          taskType: request.taskType,
          outcome: execution.outcome,
          steps: results.map((result) => ({ stepId: result.stepId, status: result.status })),
        },
      })
    }
    return { approval: marked ?? (await this.options.store.get(request.id)) ?? request, results }
  }

  private async runStep(
    request: ApprovalRequest,
    step: PlanStep,
    key: string,
    options: ApprovalRunOptions,
  ): Promise<ApprovedStepResult> {
    const claim = await this.options.ledger.begin({
      key,
      approvalId: request.id,
      stepId: step.id,
      ...(step.target ? { target: step.target } : {}),
      startedAt: this.options.now().toISOString(),
    })
    if (!claim.claimed) return fromEntry(claim.entry, step)
    const entry = request.steps.find((each) => each.stepId === step.id)
    const approval = entry ? approvalRecordFor(request, entry) : undefined
    const proposal = proposalOf(request.plan)
    const refusal = entry
      ? proposal
        ? undefined
        : await this.changedSinceApproval(request, step, entry.wouldRun)
      : `${step.id} was not part of what was approved`
    // If the execution service throws (its audit record could not be written), the entry stays
    // "started": we cannot tell whether the step ran, so it must not run again by itself.
    const result = refusal
      ? failedStep(step, describeInvocation(step.invocation), 'APPROVED_TEXT_CHANGED', refusal)
      : proposal
        ? // A proposed script has no runbook to re-render from: the execution service checks the
          // policy again and runs exactly the approved text.
          await this.options.execution.executeProposedScript({
            proposal,
            requester: request.requester,
            requestId: request.id,
            actor: options.actor ?? approval?.approver ?? request.requester,
            ...(approval ? { approval } : {}),
          })
        : await this.options.execution.executeStep({
            plan: request.plan,
            step,
            requester: request.requester,
            requestId: request.id,
            actor: options.actor ?? approval?.approver ?? request.requester,
            ...(request.actor !== undefined ? { causedBy: request.actor } : {}),
            ...(approval ? { approval } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          })
    await this.options.ledger.finish(key, result, this.options.now().toISOString())
    return { ...result, idempotencyKey: key, replayed: false }
  }

  /**
   * Why the step would not run what was approved, or undefined when it would. The runbook may
   * have been edited since the request was made; approving one script must not run another.
   */
  private async changedSinceApproval(
    request: ApprovalRequest,
    step: PlanStep,
    approvedText: string,
  ): Promise<string | undefined> {
    let reason: string | undefined
    try {
      const current = describeInvocation(
        replanForTarget(this.options.instructions, request.plan, step).invocation,
      )
      if (current !== approvedText)
        reason = `the runbook changed since ${step.id} was approved; ask for approval again`
    } catch (error) {
      if (!isHelpdeskError(error)) throw error
      reason = `${step.id} no longer fits its runbook (${error.message}); ask for approval again`
    }
    if (reason) {
      await this.options.audit.append({
        actor: 'system',
        action: 'step-refuse',
        ...(step.target ? { target: step.target } : {}),
        requestId: request.id,
        detail: { approvalId: request.id, stepId: step.id, reason, approved: approvedText },
      })
    }
    return reason
  }

  /** What the ledger holds for the step; a step never started is reported and not started. */
  private async replay(step: PlanStep, key: string, stop?: string): Promise<ApprovedStepResult> {
    const entry = await this.options.ledger.get(key)
    if (entry) return fromEntry(entry, step)
    if (!stop) return notRun(step, key, 'not run')
    return { ...notRun(step, key, `not run: ${stop}`), errorCode: 'STOPPED' }
  }
}

function fromEntry(entry: LedgerEntry, step: PlanStep): ApprovedStepResult {
  if (entry.result) return { ...entry.result, idempotencyKey: entry.key, replayed: true }
  return {
    ...failedStep(
      step,
      describeInvocation(step.invocation),
      'OUTCOME_UNKNOWN',
      `${step.id} was started at ${entry.startedAt} and no result was recorded (the run stopped, or is still going elsewhere); check ${step.target ?? 'the target'} by hand: it will not be run again`,
    ),
    status: 'unknown',
    idempotencyKey: entry.key,
    replayed: true,
  }
}

/** What a caller is told about a request whose run a restart found unfinished. */
export function interruptedMessage(request: ApprovalRequest): string {
  const unknown = request.interruption?.unknownSteps ?? []
  return (
    `approval request ${request.id} was approved, but the server stopped while carrying it out; ` +
    (unknown.length > 0
      ? `the outcome of ${unknown.join(', ')} is unknown. A technician checks the target by hand, then resumes (POST /api/approvals/${request.id}/resume, saying whether each unknown step succeeded or failed) or stops it`
      : `a technician resumes it (POST /api/approvals/${request.id}/resume) or stops it`)
  )
}

function notRun(step: PlanStep, key: string, message: string): ApprovedStepResult {
  return {
    ...failedStep(step, describeInvocation(step.invocation), 'NOT_RUN', message),
    status: 'skipped',
    idempotencyKey: key,
    replayed: false,
  }
}
