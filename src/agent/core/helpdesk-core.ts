import { HelpdeskError } from '../../errors/index.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import type { RouteDecision } from '../../retrieval/request-router.ts'
import type { RequestUnderstanding } from '../understanding/request-understanding.ts'
import { approvalNoteTasks } from './approval-note.ts'
import { causeFirst } from './cause-and-effect.ts'
import { withoutDetailParts, withValuedParts } from './compound-parts.ts'
import { continuedText, namesAnotherSubject } from './continuation.ts'
import type { HelpdeskCoreOptions, TurnInput } from './core-types.ts'
import { classifyMessage, type DialogueAct } from './dialogue-act.ts'
import { detailOf, namedOptionOf } from './dialogue-detail.ts'
import {
  answerQuestion,
  type DialogueDependencies,
  dialogueContextOf,
  outOfScopeResult,
  respondToAct,
  routeRemainder,
  takeValue,
} from './dialogue-turn.ts'
import { withoutDismissal } from './dismissal.ts'
import { checkMessage } from './message-check.ts'
import { actingForOf, MY_MACHINE } from './own-resources.ts'
import { alsoForOf, looseRepeatOf, repeatOf } from './repeat-request.ts'
import { recordReply } from './reply-view.ts'
import { audienceOf, describeApproval, writeReply } from './reply-writer.ts'
import type { Session } from './session.ts'
import { missingAfter } from './slot-filling.ts'
import type { TurnEvent, TurnResult, TurnState } from './turn.ts'
import { executePlanned } from './turn-execution.ts'
import { type PlanningDependencies, planQueued } from './turn-planning.ts'
import { withNameAsUser } from './username-extraction.ts'

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
  private readonly planning: PlanningDependencies

  constructor(options: HelpdeskCoreOptions) {
    this.options = options
    const instruction = (taskType: string) => this.instruction(taskType)
    this.dialogue = { instruction, ...(options.access ? { access: options.access } : {}) }
    this.planning = {
      ...this.dialogue,
      ...(options.machineGroups ? { machineGroups: options.machineGroups } : {}),
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
    // "actually forget the printer, my vpn fails": the rest alone is the request; the dropped
    // topic's question and queue go with it.
    const rest = withoutDismissal(turn.message)
    if (rest !== undefined) {
      turn.message = rest
      delete turn.session.pending
      turn.session.queue = []
    }
    const { session, message } = turn
    // A follow-up's task was planned already: an answer (or a retry) brings it back.
    const followed = session.pending?.only ? session.pending.taskType : undefined
    const requeue = () => {
      if (followed && !session.queue.includes(followed)) session.queue.unshift(followed)
    }
    const classified = classifyMessage(dialogueContextOf(turn, this.dialogue))
    // The machine said again ("from LT-0423") stays with the task, unless the words are a
    // request of their own ("LT-0423 has no sound either").
    const act =
      classified.kind === 'correction' && classified.restated
        ? await this.restatedOrRequest(classified, turn)
        : classified
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
    // "the normal windows login one" after the plan: the task's own value, not a request.
    const named =
      act.kind === 'new_request' ? namedOptionOf(dialogueContextOf(turn, this.dialogue)) : undefined
    if (named) {
      await takeValue(named, turn, async () => {})
      requeue()
      turn.tasks = session.queue.length > 0 ? [...session.queue] : [named.taskType]
      return 'continue'
    }
    const said = repeatOf(message, session) ?? (await this.routeContinued(turn, options))
    // "my manager already said yes": a note on the request in hand, not a request of its own.
    const noted = approvalNoteTasks(message, session.lastTasks, said)
    const routed = noted ? { ...said, tasks: noted } : said
    const placed = routed.tasks.length > 0 && (routed.ranked[0]?.score ?? 0) >= NEW_REQUEST_SCORE
    // "kwong too", "and kwong?": a follow-up only when it is no request of its own.
    const loose = placed ? undefined : looseRepeatOf(message, session)
    if (loose) turn.planText = `same for ${loose.subject}`
    const decision = loose?.decision ?? routed
    if (await answerQuestion(turn, decision, this.options, onEvent)) return 'out_of_scope'
    turn.tasks = decision.tasks
    turn.ranked = decision.ranked
    onEvent({ type: 'route-end', tasks: decision.tasks, ranked: decision.ranked })
    const invalid = act.kind === 'new_request' && act.invalidAnswer === true
    const correctionOnly = act.kind === 'new_request' && act.correctionOnly === true
    const confident =
      !invalid || (!correctionOnly && (decision.ranked[0]?.score ?? 0) >= NEW_REQUEST_SCORE)
    const detail =
      placed || decision.tasks.length > 0
        ? undefined
        : detailOf(dialogueContextOf(turn, this.dialogue))
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
    } else if (detail) {
      // More about the task in hand ("it keeps happening every day"): planned again with it.
      await takeValue(detail, turn, async () => {})
      turn.tasks = [...session.queue]
    } else if (!invalid || decision.outOfScopeTopic !== undefined) {
      // Not an answer, or a recognisably different (out-of-scope) request: hand off; the
      // open question, if any, stays open.
      turn.outOfScope = outOfScopeResult(session, decision, this.options.handoffs)
      return 'out_of_scope'
    }
    // Otherwise: an attempt at an answer that was invalid; ask again with the reason, on the
    // task asked about (not the one its words were routed to).
    requeue()
    turn.tasks = [...session.queue]
    return 'continue'
  }

  /** Phase 3: fills each queued task's parameters and plans it, until one needs a question. */
  planTurn(turn: TurnState, onEvent: (event: TurnEvent) => void = () => {}): void {
    planQueued(turn, this.planning, onEvent)
  }

  /** Phase 4: performs each planned step through the step runner (dry run or execution service). */
  async executeTurn(
    turn: TurnState,
    onEvent: (event: TurnEvent) => void = () => {},
  ): Promise<void> {
    await executePlanned(turn, this.options, onEvent)
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
  private async routeMessage(
    turn: TurnState,
    options: RouteOptions,
    text = turn.message,
  ): Promise<RouteDecision> {
    const said = await this.options.router.route(text)
    // "reset maria.garcia": the verb places it once the name is out of the way.
    const unnamed = said.tasks.length === 0 ? withNameAsUser(turn.message) : undefined
    const whole = unnamed ? await this.routeUnnamed(said, unnamed) : said
    const runbook = (taskType: string) => this.options.instructions.get(taskType)
    // "..., and he also needs adding to jira-fin-users": a set-apart clause naming a value.
    const valued = await withValuedParts(
      whole,
      text,
      (clause) => this.options.router.route(clause),
      runbook,
      NEW_REQUEST_SCORE,
    )
    // "... overheating and shutting itself down": one request, not a crash as well.
    const detailed = withoutDetailParts(valued, runbook)
    // "my account is locked, so the vpn fails": the unlock first, the VPN mentioned after.
    const { decision: routed, note } = await causeFirst(
      detailed,
      text,
      (clause) => this.options.router.route(clause),
      actingForOf(turn),
    )
    if (note) turn.notes = [...new Set([...(turn.notes ?? []), note])]
    return options.understanding ? options.understanding.understand(turn, routed) : routed
  }

  private async restatedOrRequest(
    act: Extract<DialogueAct, { kind: 'correction' }>,
    turn: TurnState,
  ): Promise<DialogueAct> {
    // "same for bob, LT-0424" is a follow-up for someone else, played by the repeat path.
    if (repeatOf(turn.message, turn.session) || looseRepeatOf(turn.message, turn.session))
      return { kind: 'new_request' }
    // The words besides the machine: a bare "LT-0423" must not route on its own name.
    const rest = turn.message.replace(act.value, ' ').replace(MY_MACHINE, ' ').trim()
    if (rest.split(/\s+/).length < 2) return act
    const routed = await this.options.router.route(rest)
    const other =
      routed.tasks.length > 0 &&
      !routed.tasks.includes(act.taskType) &&
      (routed.ranked[0]?.score ?? 0) >= NEW_REQUEST_SCORE
    return other ? { kind: 'new_request' } : act
  }

  /**
   * "and says disconnected": routed with the message it goes on from (continuation.ts), unless
   * it names a subject of its own ("also it shows teams offline"); any other message alone.
   */
  private async routeContinued(turn: TurnState, options: RouteOptions): Promise<RouteDecision> {
    const alone = await this.routeMessage(turn, options)
    const continued = continuedText(turn.session, turn.message)
    const currentTask = turn.session.pending?.taskType ?? turn.session.lastTasks?.[0]
    if (continued === undefined || currentTask === undefined) return alone
    const placed = alone.tasks[0] ? this.options.instructions.get(alone.tasks[0]) : undefined
    const current = this.options.instructions.get(currentTask)
    if (placed && current && namesAnotherSubject(turn.message, placed, current)) return alone
    return this.routeMessage(turn, options, continued)
  }

  /** The decision for the text without its name, when that places a task; else `said`. */
  private async routeUnnamed(said: RouteDecision, unnamed: string): Promise<RouteDecision> {
    const decision = await this.options.router.route(unnamed)
    return decision.tasks.length > 0 ? decision : said
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
