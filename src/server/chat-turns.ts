import type { Span } from '@opentelemetry/api'
import type { SwitchableAgent } from '../agent/agent-registry.ts'
import type { HelpdeskCore, TurnInput } from '../agent/core/helpdesk-core.ts'
import type { SessionStore } from '../agent/core/session.ts'
import type { PendingApproval, TurnResult } from '../agent/core/turn.ts'
import { lastReply } from '../agent/event-stream.ts'
import type { AgentEvent } from '../agent/helpdesk-agent.ts'
import type { ProposeScript } from '../agent/turn-run.ts'
import { HelpdeskError } from '../errors/index.ts'
import { samePerson } from '../identity/user.ts'
import { type HelpdeskMetrics, metrics } from '../observability/metrics.ts'
import { inSpan } from '../observability/tracing.ts'
import type { OperationJobs, OperationStart } from '../operations/operation-jobs.ts'
import type { OperationsDesk } from '../operations/operations-desk.ts'
import { APPROVAL_LEVEL_NAMES } from '../policy/approval-policy.ts'
import type { PersonLookup } from '../policy/known-people.ts'
import type { TicketService } from '../tickets/ticket-service.ts'
import { type Caller, mayActForOthers } from './authentication.ts'
import { eventForRequester, resultForRequester } from './requester-view.ts'
import { findVisibleSession } from './session-access.ts'

/** One chat turn as a client asks for it, already shaped (field types checked by the route). */
export interface ChatTurnRequest {
  /** The conversation to continue; omitted for a new one. */
  sessionId?: string
  message: string
  /** For technicians and admins: the employee they act for (see `mayActForOthers`). */
  requester?: string
}

/** A checked turn: it always names its session (an existing one the caller may see, or a new one). */
export type PreparedTurn = TurnInput & { sessionId: string }

/**
 * How a signed-in caller's chat turn is checked and run, whatever protocol brought it: the JSON
 * API (`/api/chat`) and the Gradio-compatible API (src/server/gradio) both go through this, so
 * ownership, acting for others and the input checks hold identically for both.
 */
export interface ChatTurns {
  /**
   * Checks the turn against the caller and opens its session: a new one is created here, owned
   * by the caller, so the core only ever continues a session the caller may see. Everything is
   * checked here, before any answer starts, so refusals are plain errors.
   * @throws {HelpdeskError} SESSION_NOT_FOUND, FORBIDDEN, INVALID_INPUT, MESSAGE_TOO_LONG.
   */
  prepare(caller: Caller, request: ChatTurnRequest): Promise<PreparedTurn>
  /** One turn through the current adapter, its events passed on as they happen. */
  run(input: TurnInput, onEvent?: (event: AgentEvent) => void): Promise<TurnResult>
}

export interface ChatTurnsOptions {
  core: HelpdeskCore
  sessions: SessionStore
  /** The agent adapter that orchestrates turns; without one the core runs them directly. */
  agents?: SwitchableAgent
  /** Whether a person a technician acts for exists; without it, names are not checked. */
  findPerson?: PersonLookup
  /**
   * The built-in ticket queue: a turn that hands off opens a ticket, and its reply says so
   * (`ticket` on the result). Without it a hand-off's reply points to the service desk.
   */
  tickets?: TicketService
  /** Operations on machines and inventory questions, answered before the employee runbooks. */
  operations?: OperationsDesk
  /**
   * Starts a previewed operation: a read-only one as a job at once, a changing one as an approval
   * request. Without it the preview is all the turn gives.
   */
  operationJobs?: OperationJobs
  /**
   * The `propose_script` path (AgentToolbox.proposeScript): a script for work no catalog
   * operation expresses becomes approval requests. Without it such work is not proposed.
   */
  proposeScript?: ProposeScript
  /**
   * Run before each turn is checked: replicas on one database bring their runbooks in line with
   * the store here, so a runbook changed through another replica is routed to by this turn.
   */
  beforeTurn?: () => Promise<unknown>
}

/** A turn's result as the API returns it: with the ticket a hand-off opened. */
export type ChatTurnResult = TurnResult & {
  ticket?: { id: string; number: number }
  /** The background job an operation started: the chat page opens its live view. */
  jobId?: string
}

export function chatTurns(options: ChatTurnsOptions): ChatTurns {
  const proposeWith: ProposeScript =
    options.proposeScript ??
    (async () => {
      throw new HelpdeskError({ code: 'NOT_CONFIGURED', message: 'approvals are not configured' })
    })
  const { core, sessions, agents, findPerson, tickets, operations, operationJobs, beforeTurn } =
    options

  /** A hand-off opens its ticket (once per turn) and the reply names it. */
  async function withTicket(result: TurnResult, input: TurnInput): Promise<ChatTurnResult> {
    if (!tickets || !result.handoff) return result
    const opened = await tickets.openForHandoff({
      sessionId: result.sessionId,
      reason: result.handoff.reason,
      reply: result.reply,
      actor: input.actor?.username ?? 'anonymous',
    })
    if (!opened) return result
    return {
      ...result,
      reply: opened.reply,
      ticket: { id: opened.ticket.id, number: opened.ticket.number },
    }
  }

  /**
   * A technician's work on machines, or a question about the inventory, is answered here with
   * the preview or the answer instead of going to the employee runbooks; so is a requester's
   * request for servers (refused). Only in the technician's own conversation, not when acting
   * for an employee. Recorded in the session like any turn; nothing runs.
   */
  async function operationsTurn(input: TurnInput): Promise<ChatTurnResult | undefined> {
    if (!operations || input.sessionId === undefined) return undefined
    await core.checkInput({ message: input.message })
    const actor = input.actor
    // Read in memory first: most turns are not fleet work, and the core reads the session itself.
    let answered = await operations.answer(input.message, actor)
    // "same for LT-0423": the earlier request's work on other machines (the session is read only
    // for such a follow-up; most turns are not fleet work).
    const followUp = operations.isFollowUp(input.message)
    if (!followUp && (!answered || (await operations.defersToRunbooks(answered, input.message))))
      return undefined
    const session = await sessions.get(input.sessionId)
    if (!session) return undefined
    if (followUp) {
      const earlier = session.history
        .filter((entry) => entry.role === 'user')
        .map((entry) => entry.text)
        .reverse()
      answered = (await operations.answerFollowUp(earlier, input.message, actor)) ?? answered
      if (answered && (await operations.defersToRunbooks(answered, input.message))) return undefined
    }
    if (!answered) return undefined
    if (actor && session.requester !== undefined && !samePerson(session.requester, actor.username))
      return undefined
    let started: OperationStart | undefined
    let notStarted: string | undefined
    const proposed: PendingApproval[] = []
    const notProposed: string[] = []
    if (answered.kind === 'proposal' && answered.proposals && actor) {
      // The propose_script path: each machine's script is an approval request of its own, shown
      // in full; a refusal (approvals not configured, the script checker's verdict) is said per
      // machine, beside the requests that were made.
      for (const proposal of answered.proposals) {
        try {
          proposed.push(
            await proposeWith(proposal, { requester: actor.username, sessionId: session.id }),
          )
        } catch (error) {
          if (!(error instanceof HelpdeskError)) throw error
          notProposed.push(`${proposal.target}: ${error.message}`)
        }
      }
      if (notProposed.length > 0)
        notStarted = `Not proposed for approval: ${notProposed.join('; ')}`
    }
    if (answered.kind === 'operation' && answered.plan && actor && operationJobs) {
      try {
        started = await operationJobs.begin(answered.plan, {
          username: actor.username,
          sessionId: session.id,
          requestText: input.message,
        })
      } catch (error) {
        // The preview stays worth reading when the engine refuses the workflow (or approvals are
        // not configured): the reply says why nothing started. Anything else is a server fault.
        if (!(error instanceof HelpdeskError)) throw error
        notStarted = `Nothing was started: ${error.message}`
      }
    }
    const waiting =
      proposed.length > 0
        ? `Waiting for a technician's approval: ${proposed.length === 1 ? 'one request' : `${proposed.length} requests, one per machine`} (${proposed.map((each) => each.id).join(', ')}).`
        : undefined
    const ending = started
      ? describeStart(started)
      : [waiting, notStarted].filter((line) => line !== undefined).join('\n') || undefined
    const reply = ending ? `${answered.reply}\n\n${ending}` : answered.reply
    const at = new Date().toISOString()
    session.history.push({ role: 'user', text: input.message, at })
    session.history.push({ role: 'assistant', text: reply, at })
    await sessions.save(session)
    return {
      sessionId: session.id,
      reply,
      ...(started?.kind === 'job' ? { jobId: started.jobId } : {}),
      ...(started?.kind === 'approval' ? { approvals: [started.approval] } : {}),
      ...(proposed.length > 0 ? { approvals: proposed } : {}),
      tasks: [],
      plan: [],
      results: [],
      missing: [],
      ranked: [],
      ...(answered.refused ? { refused: answered.refused } : {}),
      operation: answered,
    }
  }

  /**
   * The person a technician acts for, spelled as the user store or directory spells them.
   * @throws {HelpdeskError} INVALID_INPUT when nobody of that name exists.
   */
  async function existingPerson(name: string, caller: Caller): Promise<string> {
    // Without sign-in there is nobody to check against (HELPDESK_AUTH=none, local demos only).
    if (!caller.signedIn || !findPerson) return name
    const found = await findPerson(name)
    if (found === undefined) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: `requester: there is no user or directory account "${name}"; check the spelling (the person must exist before anyone acts for them)`,
      })
    }
    return found
  }

  return {
    async prepare(caller, request) {
      await beforeTurn?.()
      // Who sent the turn: with the requester, never the approver of what it asks for.
      const actor = caller.signedIn
        ? { actor: { username: caller.username, role: caller.role } }
        : {}
      const named =
        request.requester === undefined || samePerson(request.requester, caller.username)
          ? undefined
          : request.requester
      if (named !== undefined && !mayActForOthers(caller)) {
        throw new HelpdeskError({
          code: 'FORBIDDEN',
          message: `requester: you are signed in as ${caller.username} (requester) and can ask only for yourself; a technician or admin may give another requester`,
        })
      }
      if (request.sessionId !== undefined) {
        const session = await findVisibleSession(sessions, caller, request.sessionId)
        const wanted = named ?? request.requester
        if (wanted !== undefined && session.requester !== undefined) {
          if (!samePerson(wanted, session.requester)) {
            throw new HelpdeskError({
              code: 'INVALID_INPUT',
              message: `requester: this conversation is for ${session.requester}; start a new conversation to ask for ${wanted}`,
            })
          }
        }
        return { sessionId: session.id, message: request.message, ...actor }
      }
      await core.checkInput({ message: request.message })
      const actingFor = named !== undefined ? await existingPerson(named, caller) : undefined
      const requester = actingFor ?? (caller.signedIn ? caller.username : request.requester)
      const session = await sessions.create(requester, { owner: caller.username })
      return { sessionId: session.id, message: request.message, ...actor }
    },

    run(input, onEvent = () => {}) {
      return inSpan('chat turn', {}, (span) => runTurn(input, onEvent, span))
    },
  }

  async function runTurn(
    input: TurnInput,
    onEvent: (event: AgentEvent) => void,
    span: Span | undefined,
  ): Promise<TurnResult> {
    // A requester never sees internal addresses, ports or codes in what comes back.
    const requester = input.actor?.role === 'requester'
    const shape = requester ? eventForRequester : (event: AgentEvent) => event
    // With tickets, the last event waits for the ticket a hand-off opens (the reply names it).
    const emit = (event: AgentEvent) => {
      if (tickets && event.type === 'reply-end') return
      onEvent(shape(event))
    }
    const operation = await operationsTurn(input)
    if (operation) {
      span?.setAttribute('helpdesk.turn.kind', 'operation')
      const shown = requester ? resultForRequester(operation) : operation
      onEvent(shape({ type: 'reply-end', result: shown }))
      return shown
    }
    const framework = agents?.agent.framework ?? 'core'
    span?.setAttributes({ 'helpdesk.turn.kind': 'chat', 'helpdesk.framework': framework })
    const started = performance.now()
    let ran: TurnResult
    try {
      ran = agents
        ? await lastReply(tap(agents.agent.handleTurn(input), emit))
        : await core.handleTurn(input, emit)
    } catch (error) {
      metrics.chatTurns.inc({ framework, outcome: 'error' })
      throw error
    } finally {
      metrics.chatTurnSeconds.observe({ framework }, (performance.now() - started) / 1000)
    }
    metrics.chatTurns.inc({ framework, outcome: 'ok' })
    countRouting(ran, metrics)
    // Task types come from the runbook set (a closed list), never from what was typed.
    span?.setAttributes({
      'helpdesk.tasks': [...new Set(ran.tasks)],
      'helpdesk.out_of_scope': ran.outOfScope !== undefined,
    })
    const result = await withTicket(ran, input)
    if (tickets) onEvent(shape({ type: 'reply-end', result }))
    return requester ? resultForRequester(result) : result
  }
}

/** The line the reply ends with: where the operation went after its preview. */
function describeStart(started: OperationStart): string {
  if (started.kind === 'job')
    return `It only reads, so it is running now as job ${started.jobId}: follow it live below.`
  const who =
    started.level === 1
      ? 'you confirm it in the approvals panel'
      : `another technician or an admin approves it (${APPROVAL_LEVEL_NAMES[started.level]}); you cannot approve your own request`
  return `Waiting for approval ${started.approval.id}: nothing runs until ${who}. The job starts as soon as it is approved, and its id is added to this conversation.`
}

/** One routing decision per task the turn is about; an out-of-scope turn counts as task "none". */
export function countRouting(result: TurnResult, into: HelpdeskMetrics): void {
  if (result.outOfScope) {
    into.routingDecisions.inc({ task: 'none', out_of_scope: 'true' })
    return
  }
  for (const task of new Set(result.tasks))
    into.routingDecisions.inc({ task, out_of_scope: 'false' })
}

async function* tap(events: AsyncIterable<AgentEvent>, onEvent: (event: AgentEvent) => void) {
  for await (const event of events) {
    onEvent(event)
    yield event
  }
}
