import type { DatabaseSync } from 'node:sqlite'
import { openProjectDatabase } from '../../store/open-project-database.ts'
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

const SCHEMA = `
CREATE TABLE IF NOT EXISTS helpdesk_browser_sessions (
  id_sha256 TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  role TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  id_token TEXT,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS helpdesk_pending_sign_ins (
  id_sha256 TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
`

/** Browser sessions in the project store (`node:sqlite`). */
export class SqliteBrowserSessionStore implements BrowserSessionStore {
  private readonly database: DatabaseSync
  private readonly now: () => number

  /** @param file a path, or `:memory:` */
  constructor(options: { file: string; now?: () => number }) {
    this.database = openProjectDatabase(options.file)
    this.database.exec(SCHEMA)
    this.now = options.now ?? Date.now
  }

  async create(session: BrowserSession): Promise<string> {
    this.purge()
    const id = newId()
    this.database
      .prepare(
        `INSERT INTO helpdesk_browser_sessions (${SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(...(sessionValues(id, session) as Array<string | number | null>))
    return id
  }

  async find(id: string): Promise<BrowserSession | undefined> {
    if (!isWellFormedId(id)) return undefined
    const row = this.database
      .prepare('SELECT * FROM helpdesk_browser_sessions WHERE id_sha256 = ?')
      .get(hashId(id)) as SessionRow | undefined
    return sessionFromRow(row, this.now())
  }

  async delete(id: string): Promise<void> {
    if (!isWellFormedId(id)) return
    this.database
      .prepare('DELETE FROM helpdesk_browser_sessions WHERE id_sha256 = ?')
      .run(hashId(id))
  }

  async savePendingSignIn(pending: PendingSignIn): Promise<string> {
    this.purge()
    const id = newId()
    this.database
      .prepare(`INSERT INTO helpdesk_pending_sign_ins (${PENDING_COLUMNS}) VALUES (?, ?, ?, ?, ?)`)
      .run(...(pendingValues(id, pending) as Array<string | number>))
    return id
  }

  async takePendingSignIn(id: string): Promise<PendingSignIn | undefined> {
    if (!isWellFormedId(id)) return undefined
    // DELETE … RETURNING: one statement, so two callbacks racing cannot both take it.
    const row = this.database
      .prepare('DELETE FROM helpdesk_pending_sign_ins WHERE id_sha256 = ? RETURNING *')
      .get(hashId(id)) as PendingRow | undefined
    return pendingFromRow(row)
  }

  async close(): Promise<void> {
    if (this.database.isOpen) this.database.close()
  }

  private purge(): void {
    const before = this.now() - KEEP_EXPIRED_MS
    this.database.prepare('DELETE FROM helpdesk_browser_sessions WHERE expires_at < ?').run(before)
    this.database.prepare('DELETE FROM helpdesk_pending_sign_ins WHERE expires_at < ?').run(before)
  }
}
