import { randomUUID } from 'node:crypto'
import type { PostgresDatabase } from '../../store/postgres/postgres-database.ts'
import {
  type ConversationArchive,
  newSession,
  type Session,
  type SessionStore,
  type SessionSummary,
} from './session.ts'
import { type SessionRow, sessionFromRow, stateOf, summaryFromRow } from './session-state.ts'

/**
 * Conversations in PostgreSQL (migration `0004_sessions.sql`), so a conversation started on one
 * replica continues on another. Same rows as the SQLite store: a save writes only what a turn
 * changes; requester, owner and createdAt stay as created.
 * @module
 */

export class PostgresSessionStore implements SessionStore, ConversationArchive {
  private readonly database: PostgresDatabase
  private readonly now: () => Date

  constructor(options: { database: PostgresDatabase; now?: () => Date }) {
    this.database = options.database
    this.now = options.now ?? (() => new Date())
  }

  async create(requester?: string, options: { owner?: string } = {}): Promise<Session> {
    const at = this.now().toISOString()
    const session = newSession(randomUUID(), at, requester, options.owner)
    await this.database.pool.query(
      'INSERT INTO chat_sessions (id, owner, requester, created_at, updated_at, state) VALUES ($1, $2, $3, $4, $5, $6)',
      [
        session.id,
        session.owner ?? null,
        session.requester ?? null,
        at,
        at,
        JSON.stringify(stateOf(session)),
      ],
    )
    return session
  }

  async get(id: string): Promise<Session | undefined> {
    const [row] = (
      await this.database.pool.query<SessionRow>('SELECT * FROM chat_sessions WHERE id = $1', [id])
    ).rows
    if (!row) return undefined
    return sessionFromRow(row)
  }

  async listActive(range: { from: string; to: string; limit: number }): Promise<Session[]> {
    const rows = (
      await this.database.pool.query<SessionRow>(
        'SELECT * FROM chat_sessions WHERE updated_at >= $1 AND created_at < $2 ORDER BY updated_at, position LIMIT $3',
        [range.from, range.to, range.limit],
      )
    ).rows
    return rows.map(sessionFromRow)
  }

  async save(session: Session): Promise<void> {
    const at = this.now().toISOString()
    const first = session.history.find((entry) => entry.role === 'user')?.text ?? null
    await this.database.pool.query(
      `INSERT INTO chat_sessions (id, owner, requester, created_at, updated_at, first_message, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, state = excluded.state,
         first_message = coalesce(chat_sessions.first_message, excluded.first_message)`,
      [
        session.id,
        session.owner ?? null,
        session.requester ?? null,
        session.createdAt,
        at,
        first,
        JSON.stringify(stateOf(session)),
      ],
    )
  }

  async listFor(owner: string, options: { limit?: number } = {}): Promise<SessionSummary[]> {
    const rows = (
      await this.database.pool.query<SessionRow>(
        'SELECT id, requester, created_at, updated_at, first_message FROM chat_sessions WHERE owner = $1 ORDER BY updated_at DESC, position DESC LIMIT $2',
        [owner, options.limit ?? 50],
      )
    ).rows
    return rows.map(summaryFromRow)
  }

  /** The pool is the shared database's: its owner ends it. */
  async close(): Promise<void> {}
}
