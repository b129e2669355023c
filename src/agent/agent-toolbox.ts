import type { ApprovalService } from '../approvals/approval-service.ts'
import { HelpdeskError } from '../errors/index.ts'
import type { StepResult } from '../executors/executor.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { Plan } from '../planning/plan.ts'
import { buildPlan } from '../planning/planner.ts'
import type { ApprovalRecord } from '../policy/approval-record.ts'
import type { RankedTask, RequestRouter } from '../retrieval/request-router.ts'
import type { HelpdeskCore, StepRunner } from './core/helpdesk-core.ts'
import type { SessionStore } from './core/session.ts'
import { fillSlots } from './core/slot-filling.ts'
import type { TurnEvent, TurnResult, TurnState } from './core/turn.ts'
import { scriptProposer } from './propose-script.ts'
import type { ProposeScript } from './turn-run.ts'
import type { ReplyWriter } from './understanding/model-reply-writer.ts'
import type { RequestUnderstanding } from './understanding/request-understanding.ts'

/** What every adapter orchestrates: the core's turn phases and the helpdesk's tools. */
export interface AgentToolboxOptions {
  core: HelpdeskCore
  router: RequestRouter
  instructions: ReadonlyMap<string, Instruction>
  runStep: StepRunner
  /** Approval requests, when executors and the project store are configured. */
  approvals?: ApprovalService
  /**
   * A configured LLM's reading of each request, consulted by the model-driven adapters when
   * routing; absent offline (the rules decide alone, deterministically).
   */
  understanding?: RequestUnderstanding
  /** A configured LLM's wording of each reply, grounded in the plan; absent offline. */
  replyWriter?: ReplyWriter
  /** Where the conversation is kept, so a reply in the model's words is the one remembered. */
  sessions?: SessionStore
}

/**
 * The framework-free tools behind every adapter: `HelpdeskAgent`'s four tool methods are these,
 * whatever framework calls them.
 */
export class AgentToolbox {
  readonly core: HelpdeskCore
  readonly approvals: ApprovalService | undefined
  readonly understanding: RequestUnderstanding | undefined
  private readonly options: AgentToolboxOptions

  constructor(options: AgentToolboxOptions) {
    this.options = options
    this.core = options.core
    this.approvals = options.approvals
    this.understanding = options.understanding
  }

  /** The runbook category of a task type (access, applications, hardware, network, system, email). */
  categoryOf(taskType: string): string | undefined {
    return this.options.instructions.get(taskType)?.category
  }

  /** For `propose_script`: the proposal checked (target name, policy) and turned into a request. */
  get proposeScript(): ProposeScript {
    return scriptProposer(this.approvals)
  }

  /**
   * The core's last phase, with the reply in the configured model's words when it has a writer
   * and the words pass the grounding check: the result's plans, results and questions are the
   * core's, unchanged; only `reply` (and the conversation's copy of it) differs.
   */
  async finishTurn(turn: TurnState, emit: (event: TurnEvent) => void): Promise<TurnResult> {
    const writer = this.options.replyWriter
    if (!writer) return this.core.finishTurn(turn, emit)
    const result = await this.core.finishTurn(turn, (event) => {
      if (event.type !== 'reply-end') emit(event)
    })
    const written = await writer.write(result, turn.message)
    const final = written === undefined ? result : { ...result, reply: written }
    const last = turn.session.history.at(-1)
    if (written !== undefined && last?.role === 'assistant') {
      last.text = written
      await this.options.sessions?.save(turn.session)
    }
    emit({ type: 'reply-end', result: final })
    return final
  }

  async retrieveInstructions(query: string): Promise<RankedTask[]> {
    return (await this.options.router.route(query)).ranked
  }

  async decomposeTask(message: string): Promise<string[]> {
    return (await this.options.router.route(message)).tasks
  }

  /** @throws {HelpdeskError} INSTRUCTION_NOT_FOUND, or INVALID_INPUT naming what is missing or invalid. */
  async planTask(taskType: string, parameters: Readonly<Record<string, string>>): Promise<Plan> {
    const instruction = this.options.instructions.get(taskType)
    if (!instruction) {
      throw new HelpdeskError({
        code: 'INSTRUCTION_NOT_FOUND',
        message: `no runbook "${taskType.slice(0, 60)}"; valid: ${[...this.options.instructions.keys()].join(', ')}`,
      })
    }
    const slots = fillSlots(instruction, { message: '', mode: 'message', known: parameters })
    const refused = slots.missing.filter((each) => each.problem !== undefined)
    const missing = slots.missing.filter((each) => each.problem === undefined)
    const rejected = Object.keys(parameters).filter(
      (name) =>
        slots.values[name] === undefined && !refused.some((each) => each.parameter === name),
    )
    if (missing.length > 0 || rejected.length > 0 || refused.length > 0) {
      // Each refused value with its reason, so a model (or its caller) can correct it.
      const parts = [
        ...refused.map((each) => `${each.parameter}: ${each.problem}`),
        missing.length ? `missing ${missing.map((each) => each.parameter).join(', ')}` : '',
        rejected.length ? `invalid ${rejected.join(', ')}` : '',
      ]
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: `${taskType}: ${parts.filter(Boolean).join('; ')}`,
      })
    }
    return buildPlan(instruction, slots.values)
  }

  async executeTask(
    plan: Plan,
    context: { requester: string; requestId: string; approval?: ApprovalRecord },
  ): Promise<StepResult[]> {
    const results: StepResult[] = []
    for (const step of plan.steps) results.push(await this.options.runStep(plan, step, context))
    return results
  }
}
