import { randomUUID } from 'node:crypto'
import { HelpdeskError } from '../../errors/index.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { buildPlan } from '../../planning/planner.ts'
import type { RouteDecision } from '../../retrieval/request-router.ts'
import type { RequestUnderstanding } from '../understanding/request-understanding.ts'
import type { HelpdeskCoreOptions, TurnInput } from './core-types.ts'
import { classifyMessage } from './dialogue-act.ts'
import { deferredNote } from './dialogue-replies.ts'
import {
  answerQuestion,
  type DialogueDependencies,
  dialogueContextOf,
  outOfScopeResult,
  respondToAct,
  routeRemainder,
  takeValue,
} from './dialogue-turn.ts'
import { machinesOf } from './machine-groups.ts'
import { checkMessage } from './message-check.ts'
import {
  deferOptional,
  followUpOf,
  onlyActions,
  skippedOf,
  withoutActionsNeeding,
} from './optional-parameters.ts'
import {
  fillWithInventory,
  ownAccountByDefault,
  ownMachineOf,
  refusalOf,
  requesterDefault,
} from './own-resources.ts'
import { alsoForOf, repeatOf } from './repeat-request.ts'
import { recordReply } from './reply-view.ts'
import { audienceOf, describeApproval, writeReply } from './reply-writer.ts'
import type { PendingQuestion, Session } from './session.ts'
import { fillSlots, missingAfter } from './slot-filling.ts'
import type { TurnEvent, TurnResult, TurnState } from './turn.ts'

export type {
  ApprovalRequester,
  HelpdeskCoreOptions,
  StepRunner,
  TurnInput,
} from './core-types.ts'

/** How one turn is routed: with an LLM's understanding (model-driven adapters) or by the rules. */
export interface RouteOptions {
  understanding?: RequestUnderstanding
}

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
  private readonly dialogue: DialogueDependencies

  constructor(options: HelpdeskCoreOptions) {
    this.options = options
    this.dialogue = {
      instruction: (taskType) => this.instruction(taskType),
      ...(options.access ? { access: options.access } : {}),
    }
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
   * Phase 2: decides what the message does (see dialogue-act.ts): an answer to the open
   * question, a correction, small talk, "I don't know", "talk to a person", or a new request
   * (routed, and queued in place of the topic it leaves). `out_of_scope`: the turn's result is
   * already decided (a hand-off, small talk, help to find a value).
   * @throws {HelpdeskError} KNOWLEDGE_STORE_UNAVAILABLE when routing fails.
   */
  async routeTurn(
    turn: TurnState,
    onEvent: (event: TurnEvent) => void = () => {},
    options: RouteOptions = {},
  ): Promise<'continue' | 'out_of_scope'> {
    const { session, message } = turn
    // A follow-up's task was planned already: an answer (or a retry) brings it back.
    const followed = session.pending?.only ? session.pending.taskType : undefined
    const requeue = () => {
      if (followed && !session.queue.includes(followed)) session.queue.unshift(followed)
    }
    const act = classifyMessage(dialogueContextOf(turn, this.dialogue))
    const decided = respondToAct(act, turn, this.dialogue)
    if (decided) {
      turn.outOfScope = decided
      return 'out_of_scope'
    }
    if (act.kind === 'answer' || act.kind === 'correction' || act.kind === 'dont_know') {
      requeue()
      await takeValue(act, turn, (remainder) =>
        routeRemainder(turn, remainder, this.options.router, NEW_REQUEST_SCORE),
      )
      return 'continue'
    }
    const decision = repeatOf(message, session) ?? (await this.routeMessage(turn, options))
    if (await answerQuestion(turn, decision, this.options, onEvent)) return 'out_of_scope'
    turn.tasks = decision.tasks
    turn.ranked = decision.ranked
    onEvent({ type: 'route-end', tasks: decision.tasks, ranked: decision.ranked })
    const invalid = act.kind === 'new_request' && act.invalidAnswer === true
    const confident = !invalid || (decision.ranked[0]?.score ?? 0) >= NEW_REQUEST_SCORE
    if (decision.tasks.length > 0 && confident) {
      // A new request, even while a question is open: the topic it leaves is dropped, so its
      // question does not follow later, unrelated replies.
      session.queue = [...decision.tasks]
      delete session.pending
      const also = alsoForOf(turn.planText ?? message)
      if (also) {
        turn.planText = also.main
        turn.alsoFor = also.subject
      }
    } else if (!invalid || decision.outOfScopeTopic !== undefined) {
      // Not an answer, or a recognisably different (out-of-scope) request: hand off; the
      // open question, if any, stays open.
      turn.outOfScope = outOfScopeResult(session, decision, this.options.handoffs)
      return 'out_of_scope'
    }
    // Otherwise: an attempt at an answer that was invalid; ask again with the reason.
    requeue()
    return 'continue'
  }

  /** Phase 3: fills each queued task's parameters and plans it, until one needs a question. */
  planTurn(turn: TurnState, onEvent: (event: TurnEvent) => void = () => {}): void {
    const { session } = turn
    const message = turn.planText ?? turn.message
    let followUp: PendingQuestion | undefined
    while (session.queue.length > 0) {
      const taskType = session.queue[0] ?? ''
      // Steps needing a value the person said they don't know are left out (see dialogue-turn.ts);
      // an answer to a follow-up plans only the steps it was asked for.
      const only = followUpOf(session, taskType)
      let { instruction } = withoutActionsNeeding(
        onlyActions(this.instruction(taskType), only),
        skippedOf(session.skipped, taskType),
      )
      const answered =
        session.pending?.taskType === taskType && !turn.answerTaken
          ? session.pending.parameter
          : undefined
      const fleet = machinesOf(instruction, message, answered, this.options.machineGroups)
      const known = fleet
        ? // A group stands for the machine (and its system): the rest is asked for as usual.
          { ...session.known, ...fleet.members[0] }
        : { ...session.known, ...ownMachineOf(instruction, message, turn, this.options.access) }
      const requester = requesterDefault(message, session.requester)
      const fill = (overrides: Record<string, string>) =>
        fillSlots(instruction, {
          message,
          mode: answered ? 'answer' : 'message',
          ...(answered ? { answering: answered } : {}),
          known,
          overrides,
          ...(requester ? { requester } : {}),
        })
      // A machine the inventory knows brings its operating system: no Windows steps for Linux.
      const slots = fillWithInventory(instruction, fill, fleet ? undefined : this.options.access)
      ownAccountByDefault(instruction, slots, known, requester, this.options.access)
      const refusal = refusalOf(this.options.access, turn, instruction, slots.values, fleet?.name)
      if (refusal) {
        // Nothing of it is kept: the next request must not inherit another person's name.
        turn.refusals = [...new Set([...(turn.refusals ?? []), refusal])]
        if (session.pending?.taskType === taskType) delete session.pending
        // Still the topic: "my own laptop then" corrects the machine of this task.
        session.lastTasks = [taskType]
        session.queue.shift()
        continue
      }
      Object.assign(session.known, slots.fromMessage)
      const deferred = deferOptional(instruction, slots.missing, slots.values)
      const question = deferred ? undefined : slots.missing[0]
      if (question) {
        turn.question = question
        session.pending = {
          taskType,
          parameter: question.parameter,
          ...(only ? { only: [...only] } : {}),
        }
        onEvent({ type: 'question', missing: question })
        break
      }
      if (deferred) {
        // The main steps now; what only the optional value enables is asked about after them.
        instruction = deferred.instruction
        turn.notes = [...(turn.notes ?? []), deferredNote(deferred.left, slots.missing)]
        followUp = {
          taskType,
          parameter: deferred.parameter,
          only: deferred.left.map(({ id }) => id),
        }
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
    if (followUp && !session.pending) session.pending = followUp
    const alsoFor = turn.alsoFor
    if (alsoFor !== undefined && !session.pending && turn.tasks.length > 0) {
      // "... and bob's too": the same tasks again for bob, checked as any follow-up is.
      delete turn.alsoFor
      session.queue = [...new Set(turn.tasks)]
      turn.planText = `same for ${alsoFor}`
      this.planTurn(turn, onEvent)
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
    const remaining = question
      ? missingAfter(this.options.instructions, turn.session, question)
      : []
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
    const reply = [...(turn.refusals ?? []), ...(written ? [written] : []), ...(turn.notes ?? [])]
      .filter((paragraph) => paragraph.length > 0)
      .join('\n\n')
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
   * The router's decision, refined by a configured LLM's understanding when the caller has one
   * (model-driven adapters); the understanding chooses only among the router's candidates.
   */
  private async routeMessage(turn: TurnState, options: RouteOptions): Promise<RouteDecision> {
    const routed = await this.options.router.route(turn.message)
    return options.understanding ? options.understanding.understand(turn, routed) : routed
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

  private async finish(
    session: Session,
    result: Omit<TurnResult, 'sessionId'>,
    onEvent: (event: TurnEvent) => void,
  ): Promise<TurnResult> {
    recordReply(session, result)
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
