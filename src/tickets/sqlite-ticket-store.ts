/**
 * Tickets in the project's SQLite file (`node:sqlite`): the built-in queue's store.
 * @module
 */
import type { DatabaseSync } from 'node:sqlite'
import { openProjectDatabase } from '../store/open-project-database.ts'
import type { NewTicket, Ticket, TicketChange, TicketListFilter, TicketStore } from './ticket.ts'
import { type TicketRow, ticketFromRow } from './ticket-row.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tickets (
  number INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  requester TEXT NOT NULL,
  owner TEXT,
  subject TEXT NOT NULL,
  reason TEXT NOT NULL CHECK (reason IN ('requested', 'needs_a_person')),
  session_id TEXT NOT NULL,
  turn INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'picked_up', 'answered', 'closed')),
  assignee TEXT,
  transcript TEXT NOT NULL,
  messages TEXT NOT NULL,
  external TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL,
  -- One ticket per hand-off: the same turn of a conversation never opens a second one.
  UNIQUE (session_id, turn)
);
CREATE INDEX IF NOT EXISTS tickets_by_status ON tickets (status, number);
CREATE INDEX IF NOT EXISTS tickets_by_requester ON tickets (requester COLLATE NOCASE, number);
`

const DEFAULT_LIMIT = 100

export class SqliteTicketStore implements TicketStore {
  private readonly database: DatabaseSync

  /** @param options.file a path, or `:memory:` */
  constructor(options: { file: string }) {
    this.database = openProjectDatabase(options.file)
    this.database.exec(SCHEMA)
  }

  async open(ticket: NewTicket): Promise<{ ticket: Ticket; created: boolean }> {
    const at = new Date().toISOString()
    const inserted = this.database
      .prepare(
        `INSERT INTO tickets (id, requester, owner, subject, reason, session_id, turn, status,
           transcript, messages, created_at, updated_at, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, '[]', ?, ?, 1)
         ON CONFLICT (session_id, turn) DO NOTHING`,
      )
      .run(
        ticket.id,
        ticket.requester,
        ticket.owner ?? null,
        ticket.subject,
        ticket.reason,
        ticket.sessionId,
        ticket.turn,
        JSON.stringify(ticket.transcript),
        at,
        at,
      )
    const row = this.database
      .prepare('SELECT * FROM tickets WHERE session_id = ? AND turn = ?')
      .get(ticket.sessionId, ticket.turn) as TicketRow | undefined
    if (!row) throw new Error(`ticket for ${ticket.sessionId}#${ticket.turn} was not stored`)
    return { ticket: ticketFromRow(row), created: Number(inserted.changes) === 1 }
  }

  async get(id: string): Promise<Ticket | undefined> {
    const row = this.database.prepare('SELECT * FROM tickets WHERE id = ?').get(id) as
      | TicketRow
      | undefined
    return row ? ticketFromRow(row) : undefined
  }

  async findByNumber(number: number): Promise<Ticket | undefined> {
    const row = this.database.prepare('SELECT * FROM tickets WHERE number = ?').get(number) as
      | TicketRow
      | undefined
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
    const updated = this.database
      .prepare(
        `UPDATE tickets SET status = ?, assignee = ?, messages = ?, external = ?, updated_at = ?,
           version = version + 1
         WHERE id = ? AND version = ?`,
      )
      .run(
        change.status ?? current.status,
        change.assignee ?? current.assignee ?? null,
        JSON.stringify(messages),
        JSON.stringify(change.external ?? current.external ?? null),
        new Date().toISOString(),
        id,
        expectedVersion,
      )
    if (Number(updated.changes) !== 1) return undefined
    return this.get(id)
  }

  async list(filter: TicketListFilter = {}): Promise<Ticket[]> {
    const conditions: string[] = []
    const values: Array<string | number> = []
    if (filter.status) {
      conditions.push('status = ?')
      values.push(filter.status)
    }
    if (filter.requester) {
      conditions.push('(requester = ? COLLATE NOCASE OR owner = ? COLLATE NOCASE)')
      values.push(filter.requester, filter.requester)
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''
    const rows = this.database
      .prepare(`SELECT * FROM tickets ${where} ORDER BY number DESC LIMIT ?`)
      .all(...values, filter.limit ?? DEFAULT_LIMIT) as unknown as TicketRow[]
    return rows.map(ticketFromRow)
  }

  async forSession(sessionId: string): Promise<Ticket[]> {
    const rows = this.database
      .prepare('SELECT * FROM tickets WHERE session_id = ? ORDER BY number DESC')
      .all(sessionId) as unknown as TicketRow[]
    return rows.map(ticketFromRow)
  }

  async close(): Promise<void> {
    if (this.database.isOpen) this.database.close()
  }
}
