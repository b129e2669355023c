/**
 * The built-in ticket queue: opening a ticket when the agent hands a conversation off (once per
 * hand-off), and the technicians' pick up, answer and close. Every change is audited; an answer
 * is also added to the conversation, where the employee reads it.
 * @module
 */
import { randomUUID } from 'node:crypto'
import type { SessionStore } from '../agent/core/session.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import { HelpdeskError } from '../errors/index.ts'
import type { Role } from '../identity/user.ts'
import { samePerson } from '../identity/user.ts'
import { isTechnician } from '../policy/access-policy.ts'
import { deliverTicket } from './connectors/connector-delivery.ts'
import type { TicketConnector } from './connectors/ticket-connector.ts'
import type { Ticket, TicketChange, TicketListFilter, TicketStore } from './ticket.ts'
import { subjectOf, transcriptOf } from './ticket-transcript.ts'

/** Who acts on a ticket. */
export interface TicketActor {
  username: string
  role: Role
}

/** The longest answer a technician may write. */
export const ANSWER_CHARACTERS = 4000

export interface TicketServiceOptions {
  store: TicketStore
  sessions: SessionStore
  audit?: AuditLog
  /** Copies each new ticket to another system; without one, the built-in queue only. */
  connector?: TicketConnector
  /** Attempts and pauses of the connector's delivery (tests make them short). */
  delivery?: { attempts?: number; firstPauseMs?: number }
  log?: (line: string) => void
}

/** What the employee reads when a person takes over: the ticket and where the answer comes. */
export function ticketReply(ticket: Ticket, reason: Ticket['reason']): string {
  const opening =
    reason === 'requested'
      ? 'Of course, a person will take it from here.'
      : "No problem: this needs a person, who can look it up for you, so I've handed it over."
  return (
    `${opening} I haven't changed anything. I've opened ticket ${ticket.number} for you with ` +
    'this conversation attached. A technician from the IT service desk will answer here, in ' +
    'this conversation; you can also follow it under "My requests".'
  )
}

/** The note added to the conversation when a technician answers. */
export function answerNote(ticket: Ticket, author: string, text: string): string {
  return `Answer from ${author} (IT service desk) on ticket ${ticket.number}:\n\n${text}`
}

export class TicketService {
  private readonly options: TicketServiceOptions
  /** Deliveries under way: `settled` waits for them (tests, shutdown). */
  private readonly deliveries = new Set<Promise<unknown>>()
  private stopping = false

  constructor(options: TicketServiceOptions) {
    this.options = options
  }

  get connectorName(): string | undefined {
    return this.options.connector?.name
  }

  /**
   * Opens the ticket of a hand-off: the session's last turn, with the conversation attached, and
   * puts the reply `ticketReply` in place of the turn's last reply (in the stored conversation
   * too). Called again for the same turn, it returns the same ticket and changes nothing.
   * @returns undefined when the session is unknown.
   */
  async openForHandoff(input: {
    sessionId: string
    reason: Ticket['reason']
    /** The reply the turn gave, replaced in the conversation by the ticket's. */
    reply: string
    actor: string
  }): Promise<{ ticket: Ticket; reply: string } | undefined> {
    const session = await this.options.sessions.get(input.sessionId)
    if (!session) return undefined
    const turn = session.history.findLastIndex((entry) => entry.role === 'assistant')
    const { ticket, created } = await this.options.store.open({
      id: randomUUID(),
      requester: session.requester ?? session.owner ?? input.actor,
      ...(session.owner ? { owner: session.owner } : {}),
      subject: subjectOf(session),
      reason: input.reason,
      sessionId: session.id,
      turn,
      // The ticket's own reply is not part of what led to it.
      transcript: transcriptOf({ ...session, history: session.history.slice(0, turn) }),
    })
    const reply = ticketReply(ticket, input.reason)
    const entry = session.history[turn]
    if (entry && entry.text === input.reply) {
      entry.text = reply
      await this.options.sessions.save(session)
    }
    if (created) {
      await this.options.audit?.append({
        actor: input.actor,
        action: 'ticket-open',
        target: `ticket ${ticket.number}`,
        requestId: ticket.id,
        detail: {
          requester: ticket.requester,
          reason: ticket.reason,
          sessionId: ticket.sessionId,
          subject: ticket.subject,
        },
      })
      this.deliver(ticket)
    }
    return { ticket, reply }
  }

  /**
   * A ticket the caller may see: technicians and admins see all; a requester only tickets for
   * them or from their conversations.
   * @throws {HelpdeskError} TICKET_NOT_FOUND, the same for unknown and not visible.
   */
  async get(id: string, caller: TicketActor): Promise<Ticket> {
    const ticket = await this.options.store.get(id)
    if (!ticket || !maySee(caller, ticket)) throw notFound(id)
    return ticket
  }

  /**
   * @throws {HelpdeskError} FORBIDDEN when a requester asks for someone else's tickets.
   */
  async list(caller: TicketActor, filter: TicketListFilter = {}): Promise<Ticket[]> {
    if (isTechnician(caller.role)) return this.options.store.list(filter)
    if (filter.requester !== undefined && !samePerson(filter.requester, caller.username)) {
      throw new HelpdeskError({
        code: 'FORBIDDEN',
        message: `requester: you are signed in as ${caller.username} (requester) and can see only your own tickets`,
      })
    }
    return this.options.store.list({ ...filter, requester: caller.username })
  }

  /** A session's tickets, newest first (for the request status). */
  forSession(sessionId: string): Promise<Ticket[]> {
    return this.options.store.forSession(sessionId)
  }

  /** A technician takes the ticket: open → picked up, they are its assignee. */
  async pickUp(id: string, caller: TicketActor): Promise<Ticket> {
    return this.change(id, caller, 'ticket-pick-up', (ticket) => {
      if (ticket.status === 'picked_up' && ticket.assignee === caller.username) return undefined
      if (ticket.status !== 'open' && ticket.status !== 'answered') {
        throw conflict(
          ticket,
          ticket.status === 'closed'
            ? 'it is closed'
            : `${ticket.assignee ?? 'another technician'} picked it up already`,
        )
      }
      return { status: 'picked_up', assignee: caller.username }
    })
  }

  /** A technician's answer: added to the ticket and to the conversation; status answered. */
  async answer(id: string, caller: TicketActor, text: string): Promise<Ticket> {
    const answer = text.trim()
    if (answer.length === 0 || answer.length > ANSWER_CHARACTERS) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: `text: expected the answer, 1 to ${ANSWER_CHARACTERS} characters (got ${answer.length})`,
      })
    }
    const updated = await this.change(id, caller, 'ticket-answer', (ticket) => {
      if (ticket.status === 'closed') throw conflict(ticket, 'it is closed')
      return {
        status: 'answered',
        ...(ticket.assignee ? {} : { assignee: caller.username }),
        message: { author: caller.username, text: answer, at: new Date().toISOString() },
      }
    })
    const session = await this.options.sessions.get(updated.sessionId)
    if (session) {
      session.history.push({
        role: 'assistant',
        text: answerNote(updated, caller.username, answer),
        at: new Date().toISOString(),
      })
      await this.options.sessions.save(session)
    }
    return updated
  }

  async close(id: string, caller: TicketActor): Promise<Ticket> {
    return this.change(id, caller, 'ticket-close', (ticket) => {
      if (ticket.status === 'closed') throw conflict(ticket, 'it is closed already')
      return { status: 'closed' }
    })
  }

  /**
   * Copies again the tickets a connector does not have yet (a delivery that failed, or one a
   * server stop cut short), closed ones aside: the server calls it at start.
   * @returns how many deliveries it started
   */
  async redeliver(limit = 500): Promise<number> {
    const connector = this.options.connector
    if (!connector) return 0
    const waiting = (await this.options.store.list({ limit })).filter(
      (ticket) =>
        ticket.status !== 'closed' &&
        ticket.external?.status !== 'delivered' &&
        (ticket.external === undefined || ticket.external.connector === connector.name),
    )
    for (const ticket of waiting) this.deliver(ticket)
    return waiting.length
  }

  /** Waits for the connector deliveries under way. */
  async settled(): Promise<void> {
    await Promise.all([...this.deliveries])
  }

  /**
   * Ends the deliveries under way after their current attempt (what is left is copied at the
   * next start) and closes the connector.
   */
  async shutdown(): Promise<void> {
    this.stopping = true
    await this.settled()
    await this.options.connector?.close?.()
  }

  /**
   * One technician's change: refused for requesters (their own ticket: FORBIDDEN; anyone
   * else's: not found), audited once it is stored. `decide` returns undefined for "nothing to
   * change" or throws to refuse.
   */
  private async change(
    id: string,
    caller: TicketActor,
    action: string,
    decide: (ticket: Ticket) => TicketChange | undefined,
  ): Promise<Ticket> {
    const ticket = await this.get(id, caller)
    if (!isTechnician(caller.role)) {
      throw new HelpdeskError({
        code: 'FORBIDDEN',
        message: `ticket ${ticket.number}: a technician picks up, answers and closes tickets; you will read the answer in your conversation`,
      })
    }
    const change = decide(ticket)
    if (!change) return ticket
    const updated = await this.options.store.update(ticket.id, ticket.version, change)
    if (!updated) throw conflict(ticket, 'someone else changed it meanwhile; reload it')
    await this.options.audit?.append({
      actor: caller.username,
      action,
      target: `ticket ${ticket.number}`,
      requestId: ticket.id,
      detail: {
        from: ticket.status,
        to: updated.status,
        ...(updated.assignee ? { assignee: updated.assignee } : {}),
        ...(change.message ? { answer: change.message.text } : {}),
      },
    })
    return updated
  }

  private deliver(ticket: Ticket): void {
    const connector = this.options.connector
    if (!connector) return
    const delivery = deliverTicket(this.options.store, connector, ticket, {
      ...this.options.delivery,
      stopping: () => this.stopping,
      ...(this.options.audit ? { audit: this.options.audit } : {}),
      ...(this.options.log ? { log: this.options.log } : {}),
    })
      .catch((error: unknown) =>
        this.options.log?.(
          `ticket ${ticket.number}: copy to ${connector.name} failed: ${String(error)}`,
        ),
      )
      .finally(() => this.deliveries.delete(delivery))
    this.deliveries.add(delivery)
  }
}

function maySee(caller: TicketActor, ticket: Ticket): boolean {
  if (isTechnician(caller.role)) return true
  return (
    samePerson(ticket.requester, caller.username) ||
    (ticket.owner !== undefined && samePerson(ticket.owner, caller.username))
  )
}

function notFound(id: string): HelpdeskError {
  return new HelpdeskError({
    code: 'TICKET_NOT_FOUND',
    message: `id: no ticket "${id.slice(0, 80)}"`,
  })
}

function conflict(ticket: Ticket, why: string): HelpdeskError {
  return new HelpdeskError({
    code: 'TICKET_CONFLICT',
    message: `ticket ${ticket.number}: ${why}`,
    details: { status: ticket.status, ...(ticket.assignee ? { assignee: ticket.assignee } : {}) },
  })
}
