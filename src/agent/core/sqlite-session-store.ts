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
import { pendingOf, stateOf, stateSchema } from './session-state.ts'

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

interface Row {
  id: string
  owner: string | null
  requester: string | null
  created_at: string
  updated_at: string
  first_message: string | null
  state: string
}

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
      | Row
      | undefined
    return row ? sessionOf(row) : undefined
  }

  async listActive(range: { from: string; to: string; limit: number }): Promise<Session[]> {
    const rows = this.database
      .prepare(
        'SELECT * FROM chat_sessions WHERE updated_at >= ? AND created_at < ? ORDER BY updated_at, rowid LIMIT ?',
      )
      .all(range.from, range.to, range.limit) as unknown as Row[]
    return rows.map(sessionOf)
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
      .all(owner, options.limit ?? 50) as unknown as Row[]
    return rows.map((row) => ({
      id: row.id,
      ...(row.requester !== null ? { requester: row.requester } : {}),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      ...(row.first_message !== null ? { firstMessage: row.first_message } : {}),
    }))
  }

  async close(): Promise<void> {
    if (this.database.isOpen) this.database.close()
  }
}

function sessionOf(row: Row): Session {
  const state = stateSchema.parse(JSON.parse(row.state))
  return {
    id: row.id,
    ...(row.requester !== null ? { requester: row.requester } : {}),
    ...(row.owner !== null ? { owner: row.owner } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    history: state.history,
    known: state.known,
    queue: state.queue,
    ...(state.pending ? { pending: pendingOf(state.pending) } : {}),
    ...(state.lastTasks ? { lastTasks: state.lastTasks } : {}),
    ...(state.skipped ? { skipped: state.skipped } : {}),
  }
}
