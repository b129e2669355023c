import { createHash, randomBytes } from 'node:crypto'
import type { DatabaseSync } from 'node:sqlite'
import { checkRole } from '../../identity/user.ts'
import { openProjectDatabase } from '../../store/open-project-database.ts'
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

/** Ids are 32 random bytes, base64url; anything else is not looked up. */
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/
/** Expired rows are kept this long, so a late callback can still be told "expired". */
const KEEP_EXPIRED_MS = 24 * 60 * 60 * 1000

interface SessionRow {
  username: string
  role: string
  csrf_token: string
  id_token: string | null
  expires_at: number
}

interface PendingRow {
  state: string
  nonce: string
  code_verifier: string
  expires_at: number
}

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
        'INSERT INTO helpdesk_browser_sessions (id_sha256, username, role, csrf_token, id_token, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        hashId(id),
        session.username,
        session.role,
        session.csrfToken,
        session.idToken ?? null,
        session.expiresAt,
      )
    return id
  }

  async find(id: string): Promise<BrowserSession | undefined> {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) return undefined
    const row = this.database
      .prepare('SELECT * FROM helpdesk_browser_sessions WHERE id_sha256 = ?')
      .get(hashId(id)) as SessionRow | undefined
    if (!row || row.expires_at <= this.now()) return undefined
    return {
      username: row.username,
      role: checkRole(row.role),
      csrfToken: row.csrf_token,
      idToken: row.id_token ?? undefined,
      expiresAt: row.expires_at,
    }
  }

  async delete(id: string): Promise<void> {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) return
    this.database
      .prepare('DELETE FROM helpdesk_browser_sessions WHERE id_sha256 = ?')
      .run(hashId(id))
  }

  async savePendingSignIn(pending: PendingSignIn): Promise<string> {
    this.purge()
    const id = newId()
    this.database
      .prepare(
        'INSERT INTO helpdesk_pending_sign_ins (id_sha256, state, nonce, code_verifier, expires_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(hashId(id), pending.state, pending.nonce, pending.codeVerifier, pending.expiresAt)
    return id
  }

  async takePendingSignIn(id: string): Promise<PendingSignIn | undefined> {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) return undefined
    // DELETE … RETURNING: one statement, so two callbacks racing cannot both take it.
    const row = this.database
      .prepare('DELETE FROM helpdesk_pending_sign_ins WHERE id_sha256 = ? RETURNING *')
      .get(hashId(id)) as PendingRow | undefined
    if (!row) return undefined
    return {
      state: row.state,
      nonce: row.nonce,
      codeVerifier: row.code_verifier,
      expiresAt: row.expires_at,
    }
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

function newId(): string {
  return randomBytes(32).toString('base64url')
}

function hashId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex')
}
