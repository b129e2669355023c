/**
 * Approval requests: what a person is asked to allow, who decided and when. The store keeps them
 * across restarts; the rules (who may decide what) live in `approval-service.ts`, not here.
 * @module
 */
import type { AuditValue } from '../audit/audit-log.ts'
import type { StepStatus } from '../executors/executor.ts'
import type { Role } from '../identity/user.ts'
import type { MachineClass } from '../inventory/inventory-schema.ts'
import type { ExecutorKind, RiskLevel } from '../knowledge/instructions/instruction-schema.ts'
import type { Workflow } from '../operations/workflow.ts'
import type { Plan } from '../planning/plan.ts'
import type { ApprovalLevel } from '../policy/approval-policy.ts'

export const APPROVAL_STATUSES = [
  'pending',
  'approved',
  'denied',
  'expired',
  'executed',
  'interrupted',
] as const

/**
 * pending -> approved -> executed; pending -> denied; pending -> expired. Nothing leaves
 * denied, expired or executed. approved -> interrupted when a starting server finds the run
 * unfinished (the previous process died while it ran); interrupted -> approved only when a
 * technician resumes it (`ApprovalService.resume`).
 */
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number]

/** What the dry run (or the read-only check) of a step showed when approval was asked for. */
export interface DryRunSummary {
  status: StepStatus
  /** Its output, capped; for a dry run the description of what would run. */
  output: string
  errorMessage?: string
  data?: { [key: string]: AuditValue }
}

/** One step as the approver sees it: exactly what will run, where, and what the dry run showed. */
export interface ApprovalStepEntry {
  stepId: string
  title: string
  executor: ExecutorKind
  risk: RiskLevel
  readOnly: boolean
  approvalLevel: ApprovalLevel
  /** The exact script with its command line, or the operation with its arguments. */
  wouldRun: string
  target?: string
  dryRun?: DryRunSummary
}

/** A machine a held step runs on, as the inventory describes it: what it is and whose it is. */
export interface MachineFacts {
  name: string
  /** From the inventory; `server` when it does not say. */
  class: MachineClass
  /** Usernames and `group:NAME`; empty when the machine is nobody's own. */
  assignedTo: string[]
}

export interface ApprovalDecision {
  outcome: 'approved' | 'denied'
  approver: string
  role: Role
  /** Why; always there for a denial. */
  reason?: string
  /** ISO 8601. */
  at: string
  /** A per-step approval (level 3) names its steps; a decision on the whole plan has none. */
  stepIds?: string[]
}

export interface ApprovalExecution {
  finishedAt: string
  /**
   * `unknown`: a step was started earlier and its result never recorded (see the ledger).
   * `stopped`: a technician ended an interrupted run without running the steps it had not reached.
   */
  outcome: 'succeeded' | 'failed' | 'unknown' | 'stopped'
}

/** What a technician decided about a step whose outcome was unknown after a crash. */
export type StepResolution = 'succeeded' | 'failed'

/** A run a crash (or kill) interrupted, as the next server found it at start. */
export interface ApprovalInterruption {
  /** ISO 8601: when the starting server found it. */
  at: string
  /** Started and never finished: what happened is unknown; never re-run by itself. */
  unknownSteps: string[]
  /** Not started: they wait for a technician to resume the run (or stop it). */
  waitingSteps: string[]
  /** Set when a technician resumed (or stopped) the run. */
  resumed?: {
    by: string
    at: string
    reason: string
    /** The technician's finding for each unknown step. */
    resolved: Record<string, StepResolution>
    /** True when the steps not started are not to run at all. */
    stop: boolean
  }
}

export interface ApprovalRequest {
  id: string
  /** The person the request is for: whose account or machine it acts on. */
  requester: string
  /**
   * The signed-in person who caused it, when that is someone else (a technician acting for
   * `requester`). Neither of them may approve a level 2 or 3 step. Absent on older requests.
   */
  actor?: string
  taskType: string
  runbook: { id: string; title: string }
  /** The highest approval level among the steps: it decides who may approve. */
  level: ApprovalLevel
  /** The plan as it will run (re-rendered from the runbook when the request was made). */
  plan: Plan
  steps: ApprovalStepEntry[]
  /** The conversation the request came from, so its outcome can be posted back there. */
  sessionId?: string
  /**
   * The employee's own words: the chat message that led to the request. Plain text, shown as
   * text (never as HTML); a very long one keeps its start and says how much was left out.
   */
  requestText?: string
  /** The machines the held steps run on, with their class and owner, when the inventory knows them. */
  machines?: MachineFacts[]
  /**
   * For an operation on machines (`taskType: 'operation'`): the workflow the job engine runs once
   * the request is approved, stored whole so the approved scripts are the scripts that run. Such a
   * request is never run by `executeApproved`; its `steps` describe the workflow's steps.
   */
  workflow?: Workflow
  createdAt: string
  expiresAt: string
  status: ApprovalStatus
  /** In order. Level 3 may collect several approvals (one or more steps each) before `approved`. */
  decisions: ApprovalDecision[]
  /** Starts at 1 and grows with every change: the compare-and-set token of `decide`. */
  version: number
  execution?: ApprovalExecution
  /** Present once a restart found its run unfinished (see `ApprovalInterruption`). */
  interruption?: ApprovalInterruption
}

export type NewApprovalRequest = Omit<
  ApprovalRequest,
  'status' | 'decisions' | 'version' | 'execution' | 'interruption'
>

export interface ApprovalListFilter {
  status?: ApprovalStatus
  /** Compared without case, as usernames are everywhere. */
  requester?: string
  /** Default 100. */
  limit?: number
}

/**
 * Persistence of approval requests, version 1. `SqliteApprovalStore` keeps them in the project
 * store file; another backend (PostgreSQL) implements the same contract.
 *
 * Contract (checked by `approval-store-contract.case.test.ts` for every implementation):
 * - `create` stores a request as `pending` at version 1 and returns it exactly as `get` will.
 * - `decide` and the other changes are compare-and-set: of two calls made against the same
 *   version, exactly one wins and the other gets `undefined`, also across processes sharing the
 *   store. A change never applies to a request in another status than the one it expects.
 * - `list` returns the newest first.
 * - Everything survives closing and reopening a persistent store.
 */
export interface ApprovalStore {
  /** @throws {HelpdeskError} APPROVAL_CONFLICT when the id exists already. */
  create(request: NewApprovalRequest): Promise<ApprovalRequest>
  get(id: string): Promise<ApprovalRequest | undefined>
  list(filter?: ApprovalListFilter): Promise<ApprovalRequest[]>
  /**
   * Appends a decision to a `pending` request still at `expectedVersion` and sets its status
   * (`pending` while a level-3 request waits for approvals of further steps).
   * @returns the updated request, or undefined when it is not pending at that version any more
   *   (someone else decided first) or does not exist.
   */
  decide(
    id: string,
    expectedVersion: number,
    decision: ApprovalDecision,
    status: 'pending' | 'approved' | 'denied',
  ): Promise<ApprovalRequest | undefined>
  /**
   * Marks `pending` requests whose `expiresAt` is at or before `now` as `expired`; only the one
   * named by `id` when given.
   * @returns the requests this call expired (not those another call expired first).
   */
  expireDue(now: Date, id?: string): Promise<ApprovalRequest[]>
  /**
   * Sets an `approved` request `executed`. A request executed with outcome `unknown` takes a
   * known outcome once: a run that saw a step "started" elsewhere reports it unknown, and the run
   * that was in fact executing it finishes later and knows.
   * @returns the updated request, or undefined when nothing changed.
   */
  markExecuted(id: string, execution: ApprovalExecution): Promise<ApprovalRequest | undefined>
  /**
   * Sets an `approved` request still at `expectedVersion` `interrupted`, with what was found.
   * @returns the updated request, or undefined when it changed meanwhile.
   */
  markInterrupted(
    id: string,
    expectedVersion: number,
    interruption: ApprovalInterruption,
  ): Promise<ApprovalRequest | undefined>
  /**
   * Sets an `interrupted` request still at `expectedVersion` back to `approved`, recording who
   * resumed it (`interruption.resumed`).
   * @returns the updated request, or undefined when it changed meanwhile.
   */
  markResumed(
    id: string,
    expectedVersion: number,
    interruption: ApprovalInterruption,
  ): Promise<ApprovalRequest | undefined>
  close(): Promise<void>
}
