import type { PostgresDatabase } from '../../store/postgres/postgres-database.ts'
import {
  hashId,
  isWellFormedId,
  KEEP_EXPIRED_MS,
  newId,
  PENDING_COLUMNS,
  type PendingRow,
  pendingFromRow,
  pendingValues,
  SESSION_COLUMNS,
  type SessionRow,
  sessionFromRow,
  sessionValues,
} from './browser-session-rows.ts'
import type { BrowserSession, BrowserSessionStore, PendingSignIn } from './browser-session-store.ts'

/**
 * Browser sessions in PostgreSQL (migration `0007_browser_sessions.sql`): a browser signed in
 * through one replica is signed in on every other, and a sign-in started on one may come back
 * to another.
 * @module
 */
export class PostgresBrowserSessionStore implements BrowserSessionStore {
  private readonly database: PostgresDatabase
  private readonly now: () => number

  constructor(options: { database: PostgresDatabase; now?: () => number }) {
    this.database = options.database
    this.now = options.now ?? Date.now
  }

  async create(session: BrowserSession): Promise<string> {
    await this.purge()
    const id = newId()
    await this.database.pool.query(
      `INSERT INTO helpdesk_browser_sessions (${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`,
      sessionValues(id, session),
    )
    return id
  }

  async find(id: string): Promise<BrowserSession | undefined> {
    if (!isWellFormedId(id)) return undefined
    const result = await this.database.pool.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM helpdesk_browser_sessions WHERE id_sha256 = $1`,
      [hashId(id)],
    )
    return sessionFromRow(result.rows[0], this.now())
  }

  async delete(id: string): Promise<void> {
    if (!isWellFormedId(id)) return
    await this.database.pool.query('DELETE FROM helpdesk_browser_sessions WHERE id_sha256 = $1', [
      hashId(id),
    ])
  }

  async savePendingSignIn(pending: PendingSignIn): Promise<string> {
    await this.purge()
    const id = newId()
    await this.database.pool.query(
      `INSERT INTO helpdesk_pending_sign_ins (${PENDING_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`,
      pendingValues(id, pending),
    )
    return id
  }

  async takePendingSignIn(id: string): Promise<PendingSignIn | undefined> {
    if (!isWellFormedId(id)) return undefined
    // One DELETE … RETURNING: two replicas racing on the same callback cannot both take it.
    const result = await this.database.pool.query<PendingRow>(
      `DELETE FROM helpdesk_pending_sign_ins WHERE id_sha256 = $1 RETURNING ${PENDING_COLUMNS}`,
      [hashId(id)],
    )
    return pendingFromRow(result.rows[0])
  }

  /** The pool is the project's: `ProjectStores.close` ends it. */
  async close(): Promise<void> {}

  private async purge(): Promise<void> {
    const before = this.now() - KEEP_EXPIRED_MS
    await this.database.pool.query('DELETE FROM helpdesk_browser_sessions WHERE expires_at < $1', [
      before,
    ])
    await this.database.pool.query('DELETE FROM helpdesk_pending_sign_ins WHERE expires_at < $1', [
      before,
    ])
  }
}
