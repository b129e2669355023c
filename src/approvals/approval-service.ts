import { randomUUID } from 'node:crypto'
import type { AuditLog, AuditValue } from '../audit/audit-log.ts'
import { HelpdeskError } from '../errors/index.ts'
import type { ExecutionService } from '../execution/execution-service.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import { checkProposedScript } from '../policy/proposed-script-policy.ts'
import { recordApprovalEvent, recordApprovalRequested } from './approval-audit.ts'
import {
  type ApprovalRequestInput,
  buildApprovalRequest,
  describeSteps,
  type MachineLookup,
} from './approval-request-builder.ts'
import {
  type Approver,
  checkApprover,
  checkDenier,
  checkPerson,
  checkReason,
  stepsAwaitingApproval,
} from './approval-rules.ts'
import type {
  ApprovalDecision,
  ApprovalListFilter,
  ApprovalRequest,
  ApprovalStore,
  NewApprovalRequest,
} from './approval-store.ts'
import {
  type ApprovalRun,
  type ApprovalRunOptions,
  ApprovedPlanRunner,
} from './approved-plan-runner.ts'
import {
  findInterruptedRuns,
  type InterruptedRunsOptions,
  interruptedError,
  type ResumeInput,
  resumeInterruptedRun,
} from './interrupted-runs.ts'
import { buildProposalRequest, type ScriptProposal } from './proposal-request-builder.ts'
import type { StepExecutionLedger } from './step-execution-ledger.ts'

export type { ApprovalRequestInput } from './approval-request-builder.ts'
export type { Approver } from './approval-rules.ts'
export type { ApprovalRun, ApprovedStepResult } from './approved-plan-runner.ts'
export type { ResumeInput } from './interrupted-runs.ts'

export interface ApprovalServiceOptions {
  store: ApprovalStore
  ledger: StepExecutionLedger
  /** The one execution service; approved steps run through it and nowhere else. */
  execution: ExecutionService
  audit: AuditLog
  /** The runbooks the execution service renders from (the same map). */
  instructions: ReadonlyMap<string, Instruction>
  /** The inventory's description of a machine (class, owner), shown on the approver's card. */
  machineOf?: MachineLookup
  /** How long a request can be decided (APPROVAL_TTL_MINUTES). Default 60. */
  ttlMinutes?: number
  now?: () => Date
  createId?: () => string
}

const DECISION_ATTEMPTS = 5

/**
 * The human approval loop, framework-free: asks for approval of a plan, records decisions with
 * compare-and-set (two concurrent deciders never both win), expires what nobody decided, and
 * runs an approved plan exactly once (see `ApprovedPlanRunner`). Every request, decision and
 * expiry is audited. The HTTP routes and the agent adapters call this; none of them decide.
 */
export class ApprovalService {
  private readonly options: ApprovalServiceOptions
  private readonly runner: ApprovedPlanRunner
  private readonly now: () => Date

  constructor(options: ApprovalServiceOptions) {
    const ttlMinutes = options.ttlMinutes ?? 60
    if (!(ttlMinutes > 0)) throw invalid(`the approval expiry must be positive, not ${ttlMinutes}`)
    this.options = { ...options, ttlMinutes }
    this.now = options.now ?? (() => new Date())
    this.runner = new ApprovedPlanRunner({ ...options, now: this.now })
  }

  /**
   * Asks for approval of a plan with at least one step above level 0. The steps are re-rendered
   * from the runbook, so the request shows exactly what will run.
   * @throws {HelpdeskError} INVALID_INPUT for a plan that needs no approval or does not fit its runbook.
   */
  async requestApproval(input: ApprovalRequestInput): Promise<ApprovalRequest> {
    const request = await this.options.store.create(
      buildApprovalRequest(input, {
        instructions: this.options.instructions,
        id: (this.options.createId ?? randomUUID)(),
        createdAt: this.now(),
        ttlMinutes: this.options.ttlMinutes ?? 60,
        ...(this.options.machineOf ? { machineOf: this.options.machineOf } : {}),
      }),
    )
    await recordApprovalRequested(
      this.options.audit,
      request,
      input.jobId ? { jobId: input.jobId } : {},
    )
    return request
  }

  /**
   * A request for a script a model proposed: checked against the policy first (a refused one
   * never becomes a request), then level 3, shown in full.
   * @throws {HelpdeskError} INVALID_INPUT naming every policy problem.
   */
  async requestProposal(input: {
    proposal: ScriptProposal
    requester: string
    sessionId?: string
  }): Promise<ApprovalRequest> {
    const verdict = await checkProposedScript(input.proposal.language, input.proposal.script)
    if (!verdict.ok) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: `the proposed script is refused: ${verdict.problems.join('; ')}`,
      })
    }
    const request = await this.options.store.create(
      buildProposalRequest(input, {
        id: (this.options.createId ?? randomUUID)(),
        createdAt: this.now(),
        ttlMinutes: this.options.ttlMinutes ?? 60,
      }),
    )
    await recordApprovalRequested(
      this.options.audit,
      request,
      { proposed: true, reason: input.proposal.reason.slice(0, 500) },
      request.steps,
    )
    return request
  }

  /**
   * Asks for approval of an operation's workflow (`operation-jobs.ts` builds the request: its
   * steps, exact scripts and targets). Runs nothing: once approved, the job engine runs it.
   */
  async requestWorkflow(
    input: Omit<NewApprovalRequest, 'id' | 'createdAt' | 'expiresAt'>,
  ): Promise<ApprovalRequest> {
    const createdAt = this.now()
    const ttl = (this.options.ttlMinutes ?? 60) * 60_000
    const request = await this.options.store.create({
      ...input,
      id: (this.options.createId ?? randomUUID)(),
      createdAt: createdAt.toISOString(),
      expiresAt: new Date(createdAt.getTime() + ttl).toISOString(),
    })
    await recordApprovalRequested(this.options.audit, request)
    return request
  }

  /**
   * An approved workflow handed to the job engine: `executed` here (the job holds the outcome),
   * so a restart does not take it for an interrupted run; audited with the job id.
   */
  async recordJobStarted(request: ApprovalRequest, jobId: string, by: string): Promise<void> {
    await this.options.store.markExecuted(request.id, {
      finishedAt: this.now().toISOString(),
      outcome: 'succeeded',
    })
    await this.record(by, 'approval-job-start', request, { jobId })
  }

  /** @throws {HelpdeskError} APPROVAL_NOT_FOUND */
  async get(id: string): Promise<ApprovalRequest> {
    const request = await this.require(id)
    if (request.status !== 'pending' || Date.parse(request.expiresAt) > this.now().getTime())
      return request
    await this.expire(id)
    return this.require(id)
  }

  /** Newest first; what has expired by now is marked so first. */
  async list(filter: ApprovalListFilter = {}): Promise<ApprovalRequest[]> {
    await this.sweepExpired()
    return this.options.store.list(filter)
  }

  /**
   * Approves the whole plan (levels 1 and 2) or the named steps (level 3; the request stays
   * pending until every level-3 step is approved). Returns the request; `status: 'approved'`
   * means `executeApproved` may run it.
   * @throws {HelpdeskError} FORBIDDEN (the requester approving level 2 or 3, a requester role
   *   approving someone else's plan), INVALID_INPUT, APPROVAL_NOT_FOUND, APPROVAL_EXPIRED,
   *   APPROVAL_CONFLICT (decided by someone else first).
   */
  async approve(
    id: string,
    approver: Approver,
    options: { stepIds?: readonly string[]; reason?: string } = {},
  ): Promise<ApprovalRequest> {
    const person = checkPerson(approver)
    const reason = options.reason === undefined ? undefined : checkReason(options.reason, false)
    return this.decide(id, person, (request) => {
      const stepIds = checkApprover(request, person, options.stepIds)
      const decision: ApprovalDecision = {
        outcome: 'approved',
        approver: person.username,
        role: person.role,
        ...(reason ? { reason } : {}),
        at: this.now().toISOString(),
        ...(stepIds ? { stepIds } : {}),
      }
      const complete = stepsAwaitingApproval(request, [...request.decisions, decision]).length === 0
      return { decision, status: complete ? 'approved' : 'pending' }
    })
  }

  /**
   * Denies the request: nothing of it will run. The requester may withdraw their own request.
   * @throws {HelpdeskError} INVALID_INPUT without a reason, FORBIDDEN, APPROVAL_NOT_FOUND,
   *   APPROVAL_EXPIRED, APPROVAL_CONFLICT.
   */
  async deny(id: string, approver: Approver, reason: string): Promise<ApprovalRequest> {
    const person = checkPerson(approver)
    const why = checkReason(reason, true)
    return this.decide(id, person, (request) => {
      checkDenier(request, person)
      const decision: ApprovalDecision = {
        outcome: 'denied',
        approver: person.username,
        role: person.role,
        reason: why,
        at: this.now().toISOString(),
      }
      return { decision, status: 'denied' }
    })
  }

  /**
   * Runs an approved plan, each step exactly once; called again (here or in another process),
   * it returns the recorded results and runs nothing. See `ApprovedPlanRunner`.
   * @throws {HelpdeskError} APPROVAL_NOT_FOUND, AWAITING_APPROVAL (still pending),
   *   APPROVAL_CONFLICT (denied or expired).
   */
  async executeApproved(id: string, options: ApprovalRunOptions = {}): Promise<ApprovalRun> {
    return this.runner.run(await this.get(id), options)
  }

  /**
   * At start, before anything else runs: sets every approved run a previous process left
   * unfinished `interrupted` (see `interrupted-runs.ts`), audited. Nothing is run.
   * @returns the requests now waiting for a technician.
   */
  async recoverInterrupted(): Promise<ApprovalRequest[]> {
    return findInterruptedRuns(this.interruptedRuns())
  }

  /**
   * A technician resumes an interrupted run, saying what they found for each step of unknown
   * outcome; the request is `approved` again and `executeApproved` continues it (with `stop`, it
   * ends it: `executeApproved(id, { stop })`).
   * @throws {HelpdeskError} FORBIDDEN, INVALID_INPUT, APPROVAL_NOT_FOUND, APPROVAL_CONFLICT.
   */
  async resume(id: string, technician: Approver, input: ResumeInput): Promise<ApprovalRequest> {
    return resumeInterruptedRun(this.interruptedRuns(), await this.get(id), technician, input)
  }

  private interruptedRuns(): InterruptedRunsOptions {
    return {
      store: this.options.store,
      ledger: this.options.ledger,
      now: this.now,
      record: (actor, action, request, detail) => this.record(actor, action, request, detail),
      complete: (request) => this.runner.run(request, {}),
    }
  }

  /** Expires every pending request past its time; audits each. */
  async sweepExpired(now: Date = this.now()): Promise<ApprovalRequest[]> {
    const expired = await this.options.store.expireDue(now)
    for (const request of expired) await this.recordExpiry(request)
    return expired
  }

  private async decide(
    id: string,
    approver: Approver,
    build: (request: ApprovalRequest) => {
      decision: ApprovalDecision
      status: 'pending' | 'approved' | 'denied'
    },
  ): Promise<ApprovalRequest> {
    for (let attempt = 1; ; attempt += 1) {
      const request = await this.pendingRequest(id)
      const { decision, status } = build(request)
      const updated = await this.options.store.decide(id, request.version, decision, status)
      if (updated) {
        const granted = decision.outcome === 'approved'
        await this.record(
          approver.username,
          granted ? 'approval-grant' : 'approval-deny',
          updated,
          {
            role: approver.role,
            reason: decision.reason ?? null,
            status: updated.status,
            steps: describeSteps(
              decision.stepIds
                ? updated.steps.filter((step) => decision.stepIds?.includes(step.stepId))
                : updated.steps.filter((step) => step.approvalLevel > 0),
            ),
          },
        )
        return updated
      }
      // Someone changed it between our read and our write: read again; if it is no longer
      // pending, pendingRequest reports who decided. A level-3 approval of other steps retries.
      if (attempt >= DECISION_ATTEMPTS) {
        throw new HelpdeskError({
          code: 'APPROVAL_CONFLICT',
          message: `approval request ${id} keeps changing; reload it and decide again`,
        })
      }
    }
  }

  private async pendingRequest(id: string): Promise<ApprovalRequest> {
    const request = await this.get(id)
    if (request.status === 'pending') return request
    throw notPendingError(request)
  }

  private async expire(id: string): Promise<void> {
    for (const request of await this.options.store.expireDue(this.now(), id))
      await this.recordExpiry(request)
  }

  private async recordExpiry(request: ApprovalRequest): Promise<void> {
    await this.record('system', 'approval-expire', request, {
      expiresAt: request.expiresAt,
      waitingFor: stepsAwaitingApproval(request, request.decisions).map((step) => step.stepId),
    })
    // What listens (a paused agent run) must not turn an expiry, already recorded, into an error.
    for (const listener of this.expiryListeners) await listener(request).catch(() => undefined)
  }

  private readonly expiryListeners: Array<(request: ApprovalRequest) => Promise<unknown>> = []

  /** Calls `listener` for each request that expires from now on (e.g. to end a paused run). */
  whenExpired(listener: (request: ApprovalRequest) => Promise<unknown>): void {
    this.expiryListeners.push(listener)
  }

  private async require(id: string): Promise<ApprovalRequest> {
    const request = await this.options.store.get(id)
    if (request) return request
    throw new HelpdeskError({
      code: 'APPROVAL_NOT_FOUND',
      message: `no approval request ${id.slice(0, 80)}`,
    })
  }

  private async record(
    actor: string,
    action: string,
    request: ApprovalRequest,
    detail: { [key: string]: AuditValue },
  ): Promise<void> {
    await recordApprovalEvent(this.options.audit, actor, action, request, detail)
  }
}

function invalid(message: string): HelpdeskError {
  return new HelpdeskError({ code: 'INVALID_INPUT', message })
}

/** Why a request that is no longer pending cannot be decided, for the one who tried. */
function notPendingError(request: ApprovalRequest): HelpdeskError {
  if (request.status === 'interrupted') return interruptedError(request)
  if (request.status === 'expired') {
    return new HelpdeskError({
      code: 'APPROVAL_EXPIRED',
      message: `approval request ${request.id} expired at ${request.expiresAt}; ask for it again`,
    })
  }
  const last = request.decisions.at(-1)
  return new HelpdeskError({
    code: 'APPROVAL_CONFLICT',
    message: `approval request ${request.id} is ${request.status} already${last ? ` (${last.outcome} by ${last.approver} at ${last.at})` : ''}`,
    details: { status: request.status },
  })
}
