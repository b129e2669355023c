import { createHash, randomBytes } from 'node:crypto'
import { checkRole } from '../../identity/user.ts'
import type { BrowserSession, PendingSignIn } from './browser-session-store.ts'

/**
 * What every BrowserSessionStore implementation shares besides its SQL: the ids the browser
 * holds (made and checked here, stored only as their SHA-256), the stored rows and their
 * mapping to sessions and pending sign-ins, and how long expired rows are kept.
 * @module
 */

/** Ids are 32 random bytes, base64url; anything else is not looked up. */
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/
/** Expired rows are kept this long, so a late callback can still be told "expired". */
export const KEEP_EXPIRED_MS = 24 * 60 * 60 * 1000

export interface SessionRow {
  username: string
  role: string
  csrf_token: string
  id_token: string | null
  /** PostgreSQL returns a BIGINT as text. */
  expires_at: number | string
}

export interface PendingRow {
  state: string
  nonce: string
  code_verifier: string
  expires_at: number | string
}

export function newId(): string {
  return randomBytes(32).toString('base64url')
}

/** Whether `id` could be one `newId` made: nothing else is looked up. */
export function isWellFormedId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id)
}

export function hashId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex')
}

/** The columns of a session, in the order of `SESSION_COLUMNS`, after its id's hash. */
export const SESSION_COLUMNS = 'id_sha256, username, role, csrf_token, id_token, expires_at'
export function sessionValues(id: string, session: BrowserSession): unknown[] {
  return [
    hashId(id),
    session.username,
    session.role,
    session.csrfToken,
    session.idToken ?? null,
    session.expiresAt,
  ]
}

export const PENDING_COLUMNS = 'id_sha256, state, nonce, code_verifier, expires_at'
export function pendingValues(id: string, pending: PendingSignIn): unknown[] {
  return [hashId(id), pending.state, pending.nonce, pending.codeVerifier, pending.expiresAt]
}

/** The session of a row, or undefined when it has expired by `now`. */
export function sessionFromRow(
  row: SessionRow | undefined,
  now: number,
): BrowserSession | undefined {
  if (!row || Number(row.expires_at) <= now) return undefined
  return {
    username: row.username,
    role: checkRole(row.role),
    csrfToken: row.csrf_token,
    idToken: row.id_token ?? undefined,
    expiresAt: Number(row.expires_at),
  }
}

export function pendingFromRow(row: PendingRow | undefined): PendingSignIn | undefined {
  if (!row) return undefined
  return {
    state: row.state,
    nonce: row.nonce,
    codeVerifier: row.code_verifier,
    expiresAt: Number(row.expires_at),
  }
}
