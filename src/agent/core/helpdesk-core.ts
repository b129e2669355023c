import { randomUUID } from 'node:crypto'
import { HelpdeskError } from '../../errors/index.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { buildPlan } from '../../planning/planner.ts'
import type { RouteDecision } from '../../retrieval/request-router.ts'
import type { HelpdeskCoreOptions, TurnInput } from './core-types.ts'
import { machinesOf } from './machine-groups.ts'
import { checkMessage } from './message-check.ts'
import { ownAccountByDefault, ownMachineOf, refusalOf } from './own-resources.ts'
import { extractParameter } from './parameter-extraction.ts'
import { validateParameter } from './parameter-validation.ts'
import { repeatOf } from './repeat-request.ts'
import { audienceOf, describeApproval, GENERIC_HANDOFF, writeReply } from './reply-writer.ts'
import type { Session } from './session.ts'
import { fillSlots, type MissingParameter, parameterSpec } from './slot-filling.ts'
import type { TurnEvent, TurnResult, TurnState } from './turn.ts'

export type {
  ApprovalRequester,
  HelpdeskCoreOptions,
  StepRunner,
  TurnInput,
} from './core-types.ts'

const HISTORY_LIMIT = 200
/**
 * A short reply that fails validation is a mistyped answer unless it is clearly a request of its
 * own: "$(reboot)" brushes against the blue-screen runbook (0.29) but "excel freezes" is a
 * request (0.81).
 */
const NEW_REQUEST_SCORE = 0.4

/**
 * The framework-free helpdesk: routing, slot filling, planning and execution of one chat turn.
 * Agent framework adapters orchestrate these same steps; the behaviour lives here.
 */
export class HelpdeskCore {
  private readonly options: HelpdeskCoreOptions

  constructor(options: HelpdeskCoreOptions) {
    this.options = options
  }

  /**
   * @throws {HelpdeskError} INVALID_INPUT or MESSAGE_TOO_LONG for a bad message,
   *   SESSION_NOT_FOUND for an unknown session, KNOWLEDGE_STORE_UNAVAILABLE when routing fails.
   */
  async handleTurn(
    input: TurnInput,
    onEvent: (event: TurnEvent) => void = () => {},
  ): Promise<TurnResult> {
    const turn = await this.startTurn(input)
    if ((await this.routeTurn(turn, onEvent)) === 'out_of_scope')
      return this.finishTurn(turn, onEvent)
    this.planTurn(turn, onEvent)
    await this.executeTurn(turn, onEvent)
    return this.finishTurn(turn, onEvent)
  }

  /**
   * Phase 1: checks the message and opens the session. The phases below are what agent
   * framework adapters orchestrate; `handleTurn` is the plain sequence of them. A `TurnState`
   * is JSON, so a framework may checkpoint it between phases.
   * @throws {HelpdeskError} INVALID_INPUT, MESSAGE_TOO_LONG or SESSION_NOT_FOUND.
   */
  async startTurn(input: TurnInput): Promise<TurnState> {
    const message = checkMessage(input.message, this.options.maxMessageCharacters)
    const session = await this.openSession(input)
    session.history.push({ role: 'user', text: message, at: new Date().toISOString() })
    return {
      session,
      message,
      tasks: [],
      ranked: [],
      planned: [],
      ...(input.actor ? { actor: input.actor } : {}),
    }
  }

  /**
   * Phase 2: an answer to the open question, a new request (queued first), or out of scope
   * (the hand-off is the turn's result).
   * @throws {HelpdeskError} KNOWLEDGE_STORE_UNAVAILABLE when routing fails.
   */
  async routeTurn(
    turn: TurnState,
    onEvent: (event: TurnEvent) => void = () => {},
  ): Promise<'continue' | 'out_of_scope'> {
    const { session, message } = turn
    const answer = session.pending ? this.tryAnswer(session, message) : 'none'
    if (answer !== 'answered') {
      const decision = repeatOf(message, session) ?? (await this.options.router.route(message))
      turn.tasks = decision.tasks
      turn.ranked = decision.ranked
      onEvent({ type: 'route-end', tasks: decision.tasks, ranked: decision.ranked })
      const confident =
        answer !== 'invalid' || (decision.ranked[0]?.score ?? 0) >= NEW_REQUEST_SCORE
      if (decision.tasks.length > 0 && confident) {
        // A new request, even while a question is open: the open task waits behind it.
        session.queue = [
          ...decision.tasks,
          ...session.queue.filter((task) => !decision.tasks.includes(task)),
        ]
        delete session.pending
      } else if (answer === 'none' || decision.outOfScopeTopic !== undefined) {
        // Not an answer, or a recognisably different (out-of-scope) request: hand off; the
        // open question, if any, stays open.
        turn.outOfScope = this.outOfScope(session, decision)
        return 'out_of_scope'
      }
      // Otherwise: an attempt at an answer that was invalid; ask again with the reason.
    } else {
      turn.tasks = [...session.queue]
    }
    return 'continue'
  }

  /** Phase 3: fills each queued task's parameters and plans it, until one needs a question. */
  planTurn(turn: TurnState, onEvent: (event: TurnEvent) => void = () => {}): void {
    const { session, message } = turn
    while (session.queue.length > 0) {
      const taskType = session.queue[0] ?? ''
      const instruction = this.instruction(taskType)
      const answered =
        session.pending?.taskType === taskType ? session.pending.parameter : undefined
      const fleet = machinesOf(instruction, message, answered, this.options.machineGroups)
      const known = fleet
        ? // A group stands for the machine (and its system): the rest is asked for as usual.
          { ...session.known, ...fleet.members[0] }
        : { ...session.known, ...ownMachineOf(instruction, message, turn, this.options.access) }
      const slots = fillSlots(instruction, {
        message,
        mode: answered ? 'answer' : 'message',
        ...(answered ? { answering: answered } : {}),
        known,
        ...(session.requester ? { requester: session.requester } : {}),
      })
      ownAccountByDefault(instruction, slots, known, session.requester, this.options.access)
      const refusal = refusalOf(this.options.access, turn, instruction, slots.values, fleet?.name)
      if (refusal) {
        // Nothing of it is kept: the next request must not inherit another person's name.
        turn.refusals = [...new Set([...(turn.refusals ?? []), refusal])]
        if (session.pending?.taskType === taskType) delete session.pending
        session.queue.shift()
        continue
      }
      Object.assign(session.known, slots.fromMessage)
      const question = slots.missing[0]
      if (question) {
        turn.question = question
        session.pending = { taskType, parameter: question.parameter }
        onEvent({ type: 'question', missing: question })
        break
      }
      delete session.pending
      session.queue.shift()
      // One plan per machine of a group: each runs, is approved and audited on its own, and
      // one machine failing leaves the others' results standing.
      for (const machine of fleet?.members ?? [undefined]) {
        const values = machine ? { ...slots.values, ...machine } : slots.values
        const plan = buildPlan(instruction, values)
        onEvent({ type: 'plan-end', plan })
        turn.planned.push({ plan, results: [], ...(fleet ? { group: fleet.name } : {}) })
      }
    }
  }

  /** Phase 4: performs each planned step through the step runner (dry run or execution service). */
  async executeTurn(
    turn: TurnState,
    onEvent: (event: TurnEvent) => void = () => {},
  ): Promise<void> {
    for (const planned of turn.planned) {
      if (planned.results.length > 0) continue
      const requestId = randomUUID()
      for (const step of planned.plan.steps) {
        onEvent({
          type: 'step-start',
          stepId: step.id,
          ...(step.target ? { target: step.target } : {}),
        })
        const result = await this.options.runStep(planned.plan, step, {
          requester: turn.session.requester ?? 'anonymous',
          requestId,
          ...(turn.actor ? { actor: turn.actor.username } : {}),
        })
        planned.results.push(result)
        onEvent({ type: 'step-end', result })
      }
      const held = planned.results.some((result) => result.status === 'awaiting_approval')
      if (held && this.options.requestApproval) {
        const approval = await this.options.requestApproval({
          plan: planned.plan,
          results: planned.results,
          requester: turn.session.requester ?? 'anonymous',
          ...(turn.actor ? { actor: turn.actor } : {}),
          sessionId: turn.session.id,
          requestId,
          message: turn.message,
        })
        if (approval) {
          turn.approvals = [...(turn.approvals ?? []), approval]
          onEvent({ type: 'approval-request', approval })
        }
      }
    }
  }

  /** Phase 5: writes the reply, saves the session and ends the turn. */
  async finishTurn(
    turn: TurnState,
    onEvent: (event: TurnEvent) => void = () => {},
  ): Promise<TurnResult> {
    if (turn.outOfScope) {
      // A model may have proposed a script for what no runbook covers: say it waits.
      const approvals = turn.approvals
      const result = approvals
        ? {
            ...turn.outOfScope,
            approvals,
            reply: [turn.outOfScope.reply, ...approvals.map(describeApproval)].join('\n\n'),
          }
        : turn.outOfScope
      return this.finish(turn.session, result, onEvent)
    }
    const question = turn.question
    const remaining = question ? this.missingFor(turn.session, question) : []
    if (turn.planned.length > 0)
      turn.session.lastTasks = [...new Set(turn.planned.map(({ plan }) => plan.taskType))]
    const plans = turn.planned.map(({ plan, results, group }) => ({
      plan,
      results,
      instruction: this.instruction(plan.taskType),
      ...(group ? { group } : {}),
    }))
    const written =
      plans.length > 0 || question || !turn.refusals
        ? writeReply({
            plans,
            audience: audienceOf(turn.actor),
            ...(turn.approvals ? { approvals: turn.approvals } : {}),
            ...(question
              ? { question, questionTitle: this.instruction(question.taskType).title }
              : {}),
          })
        : undefined
    const reply = [...(turn.refusals ?? []), ...(written ? [written] : [])].join('\n\n')
    return this.finish(
      turn.session,
      {
        reply,
        ...(turn.refusals ? { refused: turn.refusals } : {}),
        tasks: turn.tasks,
        plan: plans.map((each) => each.plan),
        results: plans.flatMap((each) => each.results),
        missing: remaining,
        ranked: turn.ranked,
        ...(turn.approvals ? { approvals: turn.approvals } : {}),
      },
      onEvent,
    )
  }

  /**
   * Whether the message answers our open question: `answered` (the value is taken), `invalid`
   * (a short reply that fails validation: likely a mistyped answer) or `none`.
   */
  private tryAnswer(session: Session, message: string): 'answered' | 'invalid' | 'none' {
    const pending = session.pending
    if (!pending) return 'none'
    const spec = parameterSpec(this.instruction(pending.taskType), pending.parameter)
    if (!spec) return 'none'
    const candidate = extractParameter(spec, message, 'answer')
    if (candidate === undefined) return 'none'
    const result = validateParameter(spec, candidate)
    if (result.ok) {
      session.known[spec.name] = result.value
      return 'answered'
    }
    return message.trim().split(/\s+/).length <= 6 ? 'invalid' : 'none'
  }

  /**
   * Checks a turn's input without running it, so a streaming endpoint can refuse bad input with
   * a plain 4xx before its stream opens.
   * @throws {HelpdeskError} INVALID_INPUT, MESSAGE_TOO_LONG or SESSION_NOT_FOUND.
   */
  async checkInput(input: TurnInput): Promise<void> {
    checkMessage(input.message, this.options.maxMessageCharacters)
    if (input.sessionId !== undefined && !(await this.options.sessions.get(input.sessionId))) {
      await this.openSession(input)
    }
  }

  private missingFor(session: Session, first: MissingParameter): MissingParameter[] {
    const missing = [first]
    for (const taskType of session.queue.slice(1)) {
      const instruction = this.instruction(taskType)
      const slots = fillSlots(instruction, { message: '', mode: 'message', known: session.known })
      missing.push(...slots.missing)
    }
    return missing
  }

  private outOfScope(session: Session, decision: RouteDecision): Omit<TurnResult, 'sessionId'> {
    const topic = decision.outOfScopeTopic
    const specific = topic ? this.options.handoffs.get(topic) : undefined
    const handoff = specific
      ? `That isn't something I can handle here, so I haven't done anything. ${specific}`
      : GENERIC_HANDOFF
    // An open question survives a detour ("what's the weather?"), and so does its task.
    if (!session.pending) session.queue = []
    return {
      reply: handoff,
      tasks: [],
      plan: [],
      results: [],
      missing: [],
      ranked: decision.ranked,
      outOfScope: { ...(topic ? { topic } : {}), handoff },
    }
  }

  private async finish(
    session: Session,
    result: Omit<TurnResult, 'sessionId'>,
    onEvent: (event: TurnEvent) => void,
  ): Promise<TurnResult> {
    session.history.push({ role: 'assistant', text: result.reply, at: new Date().toISOString() })
    if (session.history.length > HISTORY_LIMIT)
      session.history.splice(0, session.history.length - HISTORY_LIMIT)
    await this.options.sessions.save(session)
    const complete: TurnResult = { sessionId: session.id, ...result }
    onEvent({ type: 'reply-end', result: complete })
    return complete
  }

  private async openSession(input: TurnInput): Promise<Session> {
    if (input.sessionId === undefined) return this.options.sessions.create(input.requester)
    const session = await this.options.sessions.get(input.sessionId)
    if (!session) {
      throw new HelpdeskError({
        code: 'SESSION_NOT_FOUND',
        message: `sessionId: no session "${input.sessionId.slice(0, 80)}"; omit sessionId to start a new one`,
      })
    }
    return session
  }

  private instruction(taskType: string): Instruction {
    const instruction = this.options.instructions.get(taskType)
    if (!instruction) {
      throw new HelpdeskError({
        code: 'INSTRUCTION_NOT_FOUND',
        category: 'SYSTEM',
        message: `the router chose "${taskType}", which has no runbook`,
      })
    }
    return instruction
  }
}
