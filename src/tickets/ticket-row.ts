import type { Ticket } from './ticket.ts'

/**
 * The one mapping from a `tickets` row to a `Ticket`, for every TicketStore implementation
 * (both keep the JSON columns as text): each keeps only its SQL.
 * @module
 */

export interface TicketRow {
  number: number
  id: string
  requester: string
  owner: string | null
  subject: string
  reason: string
  session_id: string
  turn: number
  status: string
  assignee: string | null
  transcript: string
  messages: string
  external: string | null
  created_at: string
  updated_at: string
  version: number
}

export function ticketFromRow(row: TicketRow): Ticket {
  const external = row.external ? (JSON.parse(row.external) as Ticket['external'] | null) : null
  return {
    id: row.id,
    number: row.number,
    requester: row.requester,
    ...(row.owner !== null ? { owner: row.owner } : {}),
    subject: row.subject,
    reason: row.reason as Ticket['reason'],
    sessionId: row.session_id,
    turn: row.turn,
    transcript: JSON.parse(row.transcript) as Ticket['transcript'],
    status: row.status as Ticket['status'],
    ...(row.assignee !== null ? { assignee: row.assignee } : {}),
    messages: JSON.parse(row.messages) as Ticket['messages'],
    ...(external ? { external } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
  }
}
