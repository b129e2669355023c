/**
 * Tickets: what a person takes over when the helpdesk agent hands a conversation off (the
 * employee asked for a person, or a value nobody can give). A ticket carries the conversation as
 * the employee saw it, and the technicians' answers, which also reach the conversation.
 * @module
 */

/**
 * - `open`: waits in the queue for a technician;
 * - `picked_up`: a technician (the assignee) is on it;
 * - `answered`: a technician answered; the employee reads it in the chat;
 * - `closed`: nothing more to do (it leaves the queue).
 */
export const TICKET_STATUSES = ['open', 'picked_up', 'answered', 'closed'] as const
export type TicketStatus = (typeof TICKET_STATUSES)[number]

/** One line of the conversation attached to a ticket, as the employee saw it. */
export interface TranscriptEntry {
  /** `employee`: what the person wrote; `assistant`: what the helpdesk answered. */
  role: 'employee' | 'assistant'
  text: string
  at: string
}

/** A technician's answer on a ticket. */
export interface TicketMessage {
  author: string
  text: string
  at: string
}

/** Where a connector (ServiceNow, Jira Service Management, e-mail) put a copy of the ticket. */
export interface ExternalCopy {
  connector: string
  /** `pending`: not delivered yet (attempts go on); `delivered`; `failed`: attempts ran out. */
  status: 'pending' | 'delivered' | 'failed'
  attempts: number
  /** The other system's id (INC0010001, IT-42, the e-mail's Message-ID). */
  externalId?: string
  /** A link a technician opens (the incident, the request). */
  link?: string
  /** The last attempt's failure, in words (never a credential). */
  lastError?: string
  updatedAt: string
}

export interface Ticket {
  /** Opaque id (a UUID) used in the API. */
  id: string
  /** Sequential number people say ("ticket 12"). */
  number: number
  /** The person the ticket is for. */
  requester: string
  /** The signed-in user whose conversation it came from (a technician acting for the requester). */
  owner?: string
  subject: string
  /** Why the agent handed off: `requested` ("talk to a person") or `needs_a_person`. */
  reason: 'requested' | 'needs_a_person'
  /** The conversation it came from, and the turn of it that handed off. */
  sessionId: string
  turn: number
  transcript: TranscriptEntry[]
  status: TicketStatus
  assignee?: string
  messages: TicketMessage[]
  external?: ExternalCopy
  createdAt: string
  updatedAt: string
  /** Bumped on every change: a change made from a stale copy is refused. */
  version: number
}

export interface NewTicket {
  id: string
  requester: string
  owner?: string
  subject: string
  reason: Ticket['reason']
  sessionId: string
  turn: number
  transcript: TranscriptEntry[]
}

export interface TicketListFilter {
  status?: TicketStatus
  /** Tickets for this person (compared without case), or whose conversation they own. */
  requester?: string
  /** At most this many, newest first (default 100). */
  limit?: number
}

/** A change to a ticket: every field given replaces the stored one; `message` is appended. */
export interface TicketChange {
  status?: TicketStatus
  assignee?: string
  message?: TicketMessage
  external?: ExternalCopy
}

/**
 * Where tickets live. `SqliteTicketStore` keeps them in the project store.
 *
 * Contract (checked by `ticket-store-contract.case.test.ts` for every implementation):
 * - `open` creates a ticket, status `open`, with the next number (1, 2, ...); opening again for
 *   the same session and turn returns the ticket already there, unchanged (`created: false`).
 * - `get` by id returns a copy; an unknown id is undefined. `findByNumber` likewise.
 * - `update` applies a change only when `expectedVersion` is the stored version, bumps the version
 *   and `updatedAt`, and returns the new ticket; otherwise it changes nothing and returns
 *   undefined (someone else changed it first, or the id is unknown).
 * - `list` returns tickets newest first, filtered by status and by requester (the person it is
 *   for, or the owner of its conversation, without case).
 * - `forSession` returns a session's tickets, newest first.
 * - A persistent store keeps all of it across closing and reopening.
 */
export interface TicketStore {
  open(ticket: NewTicket): Promise<{ ticket: Ticket; created: boolean }>
  get(id: string): Promise<Ticket | undefined>
  findByNumber(number: number): Promise<Ticket | undefined>
  update(id: string, expectedVersion: number, change: TicketChange): Promise<Ticket | undefined>
  list(filter?: TicketListFilter): Promise<Ticket[]>
  forSession(sessionId: string): Promise<Ticket[]>
  close(): Promise<void>
}
