/**
 * Tickets in PostgreSQL (migration `0005_tickets.sql`): the built-in queue shared by replicas.
 * `open` is decided by the (session, turn) key, `update` is compare-and-set on `version`, as in
 * the SQLite store.
 * @module
 */
import type { PostgresDatabase } from '../store/postgres/postgres-database.ts'
import type { NewTicket, Ticket, TicketChange, TicketListFilter, TicketStore } from './ticket.ts'
import { type TicketRow, ticketFromRow } from './ticket-row.ts'

const DEFAULT_LIMIT = 100

export class PostgresTicketStore implements TicketStore {
  private readonly database: PostgresDatabase

  constructor(options: { database: PostgresDatabase }) {
    this.database = options.database
  }

  private async rows(text: string, values: unknown[]): Promise<TicketRow[]> {
    return (await this.database.pool.query<TicketRow>(text, values)).rows
  }

  async open(ticket: NewTicket): Promise<{ ticket: Ticket; created: boolean }> {
    const at = new Date().toISOString()
    const inserted = await this.database.pool.query(
      `INSERT INTO tickets (id, requester, owner, subject, reason, session_id, turn, status,
         transcript, messages, created_at, updated_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, '[]', $9, $9, 1)
       ON CONFLICT (session_id, turn) DO NOTHING`,
      [
        ticket.id,
        ticket.requester,
        ticket.owner ?? null,
        ticket.subject,
        ticket.reason,
        ticket.sessionId,
        ticket.turn,
        JSON.stringify(ticket.transcript),
        at,
      ],
    )
    const [row] = await this.rows('SELECT * FROM tickets WHERE session_id = $1 AND turn = $2', [
      ticket.sessionId,
      ticket.turn,
    ])
    if (!row) throw new Error(`ticket for ${ticket.sessionId}#${ticket.turn} was not stored`)
    return { ticket: ticketFromRow(row), created: inserted.rowCount === 1 }
  }

  async get(id: string): Promise<Ticket | undefined> {
    const [row] = await this.rows('SELECT * FROM tickets WHERE id = $1', [id])
    return row ? ticketFromRow(row) : undefined
  }

  async findByNumber(number: number): Promise<Ticket | undefined> {
    if (!Number.isSafeInteger(number) || number < 1 || number > 2_147_483_647) return undefined
    const [row] = await this.rows('SELECT * FROM tickets WHERE number = $1', [number])
    return row ? ticketFromRow(row) : undefined
  }

  async update(
    id: string,
    expectedVersion: number,
    change: TicketChange,
  ): Promise<Ticket | undefined> {
    const current = await this.get(id)
    if (!current || current.version !== expectedVersion) return undefined
    const messages = change.message ? [...current.messages, change.message] : current.messages
    const [row] = await this.rows(
      `UPDATE tickets SET status = $1, assignee = $2, messages = $3, external = $4, updated_at = $5,
         version = version + 1
       WHERE id = $6 AND version = $7
       RETURNING *`,
      [
        change.status ?? current.status,
        change.assignee ?? current.assignee ?? null,
        JSON.stringify(messages),
        JSON.stringify(change.external ?? current.external ?? null),
        new Date().toISOString(),
        id,
        expectedVersion,
      ],
    )
    return row ? ticketFromRow(row) : undefined
  }

  async list(filter: TicketListFilter = {}): Promise<Ticket[]> {
    const rows = await this.rows(
      `SELECT * FROM tickets
       WHERE ($1::text IS NULL OR status = $1)
         AND ($2::text IS NULL OR lower(requester) = lower($2) OR lower(owner) = lower($2))
       ORDER BY number DESC LIMIT $3`,
      [filter.status ?? null, filter.requester ?? null, filter.limit ?? DEFAULT_LIMIT],
    )
    return rows.map(ticketFromRow)
  }

  async forSession(sessionId: string): Promise<Ticket[]> {
    const rows = await this.rows(
      'SELECT * FROM tickets WHERE session_id = $1 ORDER BY number DESC',
      [sessionId],
    )
    return rows.map(ticketFromRow)
  }

  /** The pool is the shared database's: its owner ends it. */
  async close(): Promise<void> {}
}
