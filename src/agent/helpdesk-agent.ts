import type { ApprovalRun } from '../approvals/approval-service.ts'
import type { StepResult } from '../executors/executor.ts'
import type { Plan } from '../planning/plan.ts'
import type { ApprovalRecord } from '../policy/approval-record.ts'
import type { RankedTask } from '../retrieval/request-router.ts'
import type { TurnInput } from './core/helpdesk-core.ts'
import type { TurnEvent } from './core/turn.ts'

/** Everything a turn streams, in order. Names are noun-verb; the last event is `reply-end`. */
export type AgentEvent =
  | TurnEvent
  | { type: 'step-output'; stepId: string; stream: 'stdout' | 'stderr'; text: string }

/** The agent frameworks an adapter exists for; `core` is the framework-free reference. */
export const AGENT_FRAMEWORKS = [
  'langgraph',
  'langchain',
  'openai-agents',
  'mastra',
  'core',
] as const
export type AgentFramework = (typeof AGENT_FRAMEWORKS)[number]

/**
 * The helpdesk agent, version 1: one interface, an adapter per framework. The helpdesk logic
 * (routing, slots, planning, policy, execution) lives in the framework-free core; an adapter
 * only orchestrates it, so switching frameworks changes orchestration, never behaviour: for the
 * same conversation every adapter gives the same tasks, plans, executed steps and audit records
 * (checked by `agent-conformance.case.test.ts` against every adapter).
 *
 * - `retrieveInstructions` ranks runbooks for a text (never decides out of scope by itself).
 * - `decomposeTask` splits a message into the task types it asks for (empty: out of scope).
 * - `planTask` renders a runbook's plan from validated parameter values.
 * - `executeTask` runs a plan through the execution service; steps above level 0 without a
 *   fitting approval come back `awaiting_approval`.
 * - `handleTurn` runs one chat turn and streams its events; the last is `reply-end`, carrying
 *   the turn's result. Bad input throws before the first event.
 */
export interface HelpdeskAgent {
  readonly specificationVersion: 'helpdesk-agent-v1'
  readonly framework: AgentFramework
  retrieveInstructions(query: string): Promise<RankedTask[]>
  decomposeTask(message: string): Promise<string[]>
  planTask(taskType: string, parameters: Readonly<Record<string, string>>): Promise<Plan>
  executeTask(
    plan: Plan,
    context: { requester: string; requestId: string; approval?: ApprovalRecord },
  ): Promise<StepResult[]>
  handleTurn(input: TurnInput): AsyncIterable<AgentEvent>
  /**
   * Adapters whose framework pauses a run for a human (LangGraph's `interrupt`) resume it with
   * the decision; the run then carries out the approved plan through the approval service and
   * returns its outcome. Undefined when this adapter holds no paused run for the request; the
   * caller then runs the approved plan itself (the same service, so the same exactly-once steps).
   */
  resumeApproval?(approvalId: string, decision: ApprovalDecision): Promise<ApprovalRun | undefined>
  close(): Promise<void>
}

export interface ApprovalDecision {
  /** `expired`: nobody decided in time; the paused run ends as if denied. */
  outcome: 'approved' | 'denied' | 'expired'
  /** Who decided: recorded as the actor of what runs. */
  actor: string
}
