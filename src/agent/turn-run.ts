import type { HelpdeskToolName } from '../models/helpdesk-tools.ts'
import type { PendingApproval } from './core/turn.ts'
import { type ConversationEntry, recentConversation } from './understanding/recent-conversation.ts'
import type { RequestUnderstanding } from './understanding/request-understanding.ts'

export type ProposeScript = (
  input: { language: string; script: string; target: string; reason: string },
  context: { requester: string; sessionId: string },
) => Promise<PendingApproval>

import type { HelpdeskCore } from './core/helpdesk-core.ts'
import type { TurnEvent, TurnResult, TurnState } from './core/turn.ts'

export interface TurnRunOptions {
  /** The runbook category of a task, for frameworks that hand off by category. */
  categoryOf?: (taskType: string) => string | undefined
  /** Turns a model's script proposal into an approval request; without it proposals are refused. */
  propose?: ProposeScript
  /** The configured LLM's reading of the request, consulted when routing; none offline. */
  understanding?: RequestUnderstanding
  /** Ends the turn (the core's phase 5, maybe with the reply in a model's words). */
  finishTurn?: (turn: TurnState, emit: (event: TurnEvent) => void) => Promise<TurnResult>
}

/**
 * One turn as a model-driven adapter sees it: the four helpdesk tools, each running its core
 * phase once, in order (a tool called early runs the phases before it first; called twice, it
 * answers what it answered). `finish` completes whatever the model left undone, so a model that
 * stops early or wanders cannot change what the turn does, only how it was orchestrated.
 */
export class TurnRun {
  private readonly core: HelpdeskCore
  private readonly turn: TurnState
  private readonly emit: (event: TurnEvent) => void
  private route?: 'continue' | 'out_of_scope'
  private planned = false
  private executed = false
  private result?: TurnResult
  /** Tool names in the order the model called them, for tests and traces. */
  readonly calls: string[] = []

  private readonly options: TurnRunOptions

  constructor(
    core: HelpdeskCore,
    turn: TurnState,
    emit: (event: TurnEvent) => void,
    options: TurnRunOptions = {},
  ) {
    this.core = core
    this.turn = turn
    this.emit = emit
    this.options = options
  }

  /**
   * `propose_script`: a model's script for a request no runbook covers becomes an approval
   * request (level 3, shown in full) if the policy lets it; it never runs from here.
   */
  async proposeScript(input: {
    language: string
    script: string
    target: string
    reason: string
  }): Promise<Record<string, unknown>> {
    this.calls.push('propose_script')
    // A question the runbooks answered needs nothing run (routing says 'out_of_scope' for it).
    if (this.turn.outOfScope?.answer)
      return { refused: 'the runbooks answered this question; there is nothing to run' }
    if (!this.options.propose)
      return {
        refused: 'proposals need approvals to be configured (executors and the project store)',
      }
    try {
      const approval = await this.options.propose(input, {
        requester: this.turn.session.requester ?? 'anonymous',
        sessionId: this.turn.session.id,
      })
      this.turn.approvals = [...(this.turn.approvals ?? []), approval]
      this.emit({ type: 'approval-request', approval })
      return { approvalId: approval.id, status: 'waiting for a technician to approve it' }
    } catch (error) {
      return { refused: (error as Error).message }
    }
  }

  /** How routing went, once the model has routed (undefined before). */
  get routeOutcome(): 'continue' | 'out_of_scope' | undefined {
    return this.route
  }

  /** The approval requests this turn opened, in order. */
  approvalIds(): string[] {
    return (this.turn.approvals ?? []).map((approval) => approval.id)
  }

  get message(): string {
    return this.turn.message
  }

  /** The conversation so far for the model's context, this message last (trimmed). */
  conversation(options: { turns?: number; characters?: number } = {}): ConversationEntry[] {
    return recentConversation(this.turn, options)
  }

  async call(name: HelpdeskToolName | string): Promise<Record<string, unknown>> {
    this.calls.push(name)
    switch (name) {
      case 'route_request':
        return {
          route: await this.routed(),
          // A how-to or why question answered from the runbooks: nothing to plan or propose.
          ...(this.turn.outOfScope?.answer ? { answered: true } : {}),
          tasks: this.turn.tasks,
          // Which specialist should take it, for frameworks that hand off by category.
          category:
            this.options.categoryOf?.(this.turn.session.queue[0] ?? this.turn.tasks[0] ?? '') ??
            null,
        }
      case 'plan_tasks':
        await this.plan()
        return {
          planned: this.turn.planned.map(({ plan }) => plan.taskType),
          question: this.turn.question?.question ?? null,
        }
      case 'execute_steps':
        await this.execute()
        return {
          results: this.turn.planned.flatMap(({ results }) =>
            results.map((each) => ({ step: each.stepId, status: each.status })),
          ),
        }
      case 'write_reply':
        // `waiting`: the approval requests this turn opened, for a model that may wait on them.
        return { reply: (await this.finish()).reply, waiting: this.approvalIds() }
      default:
        return { error: `no tool "${String(name).slice(0, 40)}"` }
    }
  }

  /** The turn's result, running any phase the model did not ask for. */
  async finish(): Promise<TurnResult> {
    if (this.result) return this.result
    if ((await this.routed()) === 'continue') await this.execute()
    this.result = this.options.finishTurn
      ? await this.options.finishTurn(this.turn, this.emit)
      : await this.core.finishTurn(this.turn, this.emit)
    return this.result
  }

  private async routed(): Promise<'continue' | 'out_of_scope'> {
    this.route ??= await this.core.routeTurn(
      this.turn,
      this.emit,
      this.options.understanding ? { understanding: this.options.understanding } : {},
    )
    return this.route
  }

  private async plan(): Promise<void> {
    if ((await this.routed()) === 'out_of_scope' || this.planned) return
    this.planned = true
    this.core.planTurn(this.turn, this.emit)
  }

  private async execute(): Promise<void> {
    await this.plan()
    if (this.route === 'out_of_scope' || this.executed) return
    this.executed = true
    await this.core.executeTurn(this.turn, this.emit)
  }
}
