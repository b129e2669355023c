/**
 * What the core is built from and what it is given: its options, the step runner and approval
 * hook the application plugs in, and one turn's input. Split from helpdesk-core.ts.
 * @module
 */
import type { StepResult } from '../../executors/executor.ts'
import type { QuestionAnswers } from '../../knowledge/answers/runbook-answers.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import type { Plan, PlanStep } from '../../planning/plan.ts'
import type { AccessPolicy, Actor } from '../../policy/access-policy.ts'
import type { ApprovalRecord } from '../../policy/approval-record.ts'
import type { RequestRouter } from '../../retrieval/request-router.ts'
import type { MachineGroups } from './machine-groups.ts'
import type { SessionStore } from './session.ts'
import type { PendingApproval } from './turn.ts'

export interface HelpdeskCoreOptions {
  instructions: ReadonlyMap<string, Instruction>
  router: RequestRouter
  sessions: SessionStore
  /**
   * Performs a plan's step for the chat: a dry run, or (with executors configured) the execution
   * service, which runs read-only steps at once and holds the others for approval.
   */
  runStep: StepRunner
  /**
   * Opens an approval request for a plan whose steps came back `awaiting_approval`; without it
   * held steps just say so (no approvals configured).
   */
  requestApproval?: ApprovalRequester
  /** Out-of-scope topic -> where to send the person instead. */
  handoffs: ReadonlyMap<string, string>
  maxMessageCharacters: number
  /**
   * The inventory's machine groups: a request naming one ("the finance laptops are slow") is
   * planned once per member machine. Without it, groups are not understood.
   */
  machineGroups?: MachineGroups
  /**
   * Whose account and whose machine a signed-in actor may act on. Without it (no sign-in, unit
   * tests) nothing is refused on those grounds.
   */
  access?: AccessPolicy
  /**
   * Answers how-to and why questions from the runbooks' prose (cited, no plan) and hands off the
   * ones they do not cover. Without it every message takes the request path.
   */
  answers?: QuestionAnswers
}

export type StepRunner = (
  plan: Plan,
  step: PlanStep,
  context: {
    requester: string
    requestId: string
    approval?: ApprovalRecord
    /** Who sent the turn, when not the requester: recorded as the actor in the audit trail. */
    actor?: string
  },
) => Promise<StepResult>

export type ApprovalRequester = (input: {
  plan: Plan
  results: readonly StepResult[]
  requester: string
  /** Who sent the turn: with the requester, excluded from approving level 2 and 3 steps. */
  actor?: Actor
  sessionId: string
  /** The run whose steps were held, so its job carries on under the approval. */
  requestId?: string
  /** The employee's own words (this turn's message), shown to the approver. */
  message?: string
}) => Promise<PendingApproval | undefined>

export interface TurnInput {
  sessionId?: string
  message: string
  /** The signed-in requester's username, when known. */
  requester?: string
  /** The signed-in person sending the turn (may differ from the session's requester). */
  actor?: Actor
}
