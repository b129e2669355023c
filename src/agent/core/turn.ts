import type { StepResult } from '../../executors/executor.ts'
import type { OperationsTurn } from '../../operations/operations-desk.ts'
import type { Plan } from '../../planning/plan.ts'
import type { Actor } from '../../policy/access-policy.ts'
import type { ApprovalLevel } from '../../policy/approval-policy.ts'
import type { RankedTask } from '../../retrieval/request-router.ts'
import type { Session } from './session.ts'
import type { MissingParameter } from './slot-filling.ts'

/**
 * An approval request a turn opened for its held steps. Level 1: the requester confirms it (or a
 * technician approves it); levels 2 and 3: a technician other than the requester approves it.
 */
export interface PendingApproval {
  id: string
  taskType: string
  /** Who must act: see `APPROVAL_LEVEL_NAMES`. */
  level: ApprovalLevel
  /** Whom the plan is for: at level 1, the person who may confirm it. */
  requester: string
  /** Who caused it, when not the requester (a technician acting for them). */
  actor?: string
  stepIds: string[]
  /** The exact scripts or operations awaiting a decision. */
  wouldRun: string[]
  expiresAt: string
  /** The machine the held steps run on, when they run on one (a group has a request per machine). */
  target?: string
}

/** What one chat turn produced. The HTTP API returns it as JSON. */
export interface TurnResult {
  sessionId: string
  reply: string
  /** Task types this turn is about (empty when out of scope or only a question was answered). */
  tasks: string[]
  plan: Plan[]
  /** Dry-run (later: real) results of the plan's steps, in plan order. */
  results: StepResult[]
  /** Parameters still needed, first one asked in `reply`. */
  missing: MissingParameter[]
  ranked: RankedTask[]
  outOfScope?: { topic?: string; handoff: string }
  /** Requests of this turn the asker may not make (another person's account, a server...), and why. */
  refused?: string[]
  /** Approval requests this turn opened, when approvals are configured. */
  approvals?: PendingApproval[]
  /**
   * The answer to a how-to or why question, taken from the runbooks' prose (no plan): its text
   * (also the reply) and the runbook sections it comes from.
   */
  answer?: { text: string; sources: Array<{ runbook: string; section: string }> }
  /**
   * Set when a person takes over: `requested` ("talk to a person"), or `needs_a_person` (a value
   * the employee cannot find). The reply says how to reach the service desk.
   */
  handoff?: { reason: 'requested' | 'needs_a_person' }
  /**
   * Set when a technician's message was work on machines or a question about the inventory
   * (src/operations/operations-desk.ts): the reply is the preview or the answer, and for an
   * operation `plan.workflow` is what the job engine runs once approved. Nothing has run.
   */
  operation?: OperationsTurn
}

/**
 * One turn between its phases (start, route, plan, execute, finish): plain JSON, so an agent
 * framework can checkpoint it and resume on another process.
 */
export interface TurnState {
  session: Session
  message: string
  /** Who sent the turn (signed in); undefined without sign-in. Decides what may be planned. */
  actor?: Actor
  /** What this turn is about: the routed tasks, or the queue an answer continued. */
  tasks: string[]
  ranked: RankedTask[]
  /** `group`: the machine group this plan is one member's share of. */
  planned: Array<{ plan: Plan; results: StepResult[]; group?: string }>
  question?: MissingParameter
  /** The turn's whole result when it ends without a plan: a hand-off, or a question's answer. */
  outOfScope?: Omit<TurnResult, 'sessionId'>
  approvals?: PendingApproval[]
  /** Why a request of this turn was not planned (someone else's account or machine), in plain words. */
  refusals?: string[]
  /** Said after the plans: steps left out for a value nobody knows, a question that can wait. */
  notes?: string[]
  /**
   * The text slot filling reads, when not the message: empty when the dialogue already took the
   * message's value (a correction, a skipped question), so it is not read a second time.
   */
  planText?: string
  /**
   * Set when the open question's value was taken from one part of the message: slot filling
   * reads `planText` (the other parts) as a message, not as the answer again.
   */
  answerTaken?: boolean
  /** "... and bob's too": planned again for this name once the request itself is planned. */
  alsoFor?: string
}

/** Events a turn emits while it runs, for streaming clients. Names are noun-verb. */
export type TurnEvent =
  | { type: 'route-end'; tasks: string[]; ranked: RankedTask[] }
  | { type: 'question'; missing: MissingParameter }
  | { type: 'plan-end'; plan: Plan }
  | { type: 'step-start'; stepId: string; target?: string }
  | { type: 'approval-request'; approval: PendingApproval }
  | { type: 'step-end'; result: StepResult }
  | { type: 'reply-end'; result: TurnResult }
