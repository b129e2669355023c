import { randomUUID } from 'node:crypto'
import type { DatabaseSync } from 'node:sqlite'
import { openProjectDatabase } from '../../store/open-project-database.ts'
import {
  type ConversationArchive,
  newSession,
  type Session,
  type SessionStore,
  type SessionSummary,
} from './session.ts'
import { type SessionRow, sessionFromRow, stateOf, summaryFromRow } from './session-state.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS chat_sessions (
  id TEXT PRIMARY KEY,
  owner TEXT,
  requester TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  first_message TEXT,
  state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chat_sessions_by_owner ON chat_sessions (owner, updated_at);
`

/**
 * Sessions in the project store (`node:sqlite`): history, known values, the task queue and the
 * open question survive a restart. Who a session is for and whose it is are columns, set once.
 */
export class SqliteSessionStore implements SessionStore, ConversationArchive {
  private readonly database: DatabaseSync
  private readonly now: () => Date

  /** @param file a path, or `:memory:` */
  constructor(options: { file: string; now?: () => Date }) {
    this.database = openProjectDatabase(options.file, { synchronous: 'NORMAL' })
    this.database.exec(SCHEMA)
    this.now = options.now ?? (() => new Date())
  }

  async create(requester?: string, options: { owner?: string } = {}): Promise<Session> {
    const at = this.now().toISOString()
    const session = newSession(randomUUID(), at, requester, options.owner)
    this.database
      .prepare(
        'INSERT INTO chat_sessions (id, owner, requester, created_at, updated_at, state) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        session.id,
        session.owner ?? null,
        session.requester ?? null,
        at,
        at,
        JSON.stringify(stateOf(session)),
      )
    return session
  }

  async get(id: string): Promise<Session | undefined> {
    const row = this.database.prepare('SELECT * FROM chat_sessions WHERE id = ?').get(id) as
      | SessionRow
      | undefined
    if (!row) return undefined
    return sessionFromRow(row)
  }

  async listActive(range: { from: string; to: string; limit: number }): Promise<Session[]> {
    const rows = this.database
      .prepare(
        'SELECT * FROM chat_sessions WHERE updated_at >= ? AND created_at < ? ORDER BY updated_at, rowid LIMIT ?',
      )
      .all(range.from, range.to, range.limit) as unknown as SessionRow[]
    return rows.map(sessionFromRow)
  }

  async save(session: Session): Promise<void> {
    const at = this.now().toISOString()
    const first = session.history.find((entry) => entry.role === 'user')?.text ?? null
    // On conflict only what a turn changes is written: requester, owner and createdAt stay.
    this.database
      .prepare(
        `INSERT INTO chat_sessions (id, owner, requester, created_at, updated_at, first_message, state)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, state = excluded.state,
           first_message = coalesce(chat_sessions.first_message, excluded.first_message)`,
      )
      .run(
        session.id,
        session.owner ?? null,
        session.requester ?? null,
        session.createdAt,
        at,
        first,
        JSON.stringify(stateOf(session)),
      )
  }

  async listFor(owner: string, options: { limit?: number } = {}): Promise<SessionSummary[]> {
    const rows = this.database
      .prepare(
        'SELECT id, requester, created_at, updated_at, first_message FROM chat_sessions WHERE owner = ? ORDER BY updated_at DESC, rowid DESC LIMIT ?',
      )
      .all(owner, options.limit ?? 50) as unknown as SessionRow[]
    return rows.map(summaryFromRow)
  }

  async close(): Promise<void> {
    if (this.database.isOpen) this.database.close()
  }
}
