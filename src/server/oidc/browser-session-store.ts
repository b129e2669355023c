import type { Role } from '../../identity/user.ts'

/** A browser signed in through the provider: who, as what, and until when. */
export interface BrowserSession {
  username: string
  role: Role
  /** Sent back by the page in `X-CSRF-Token` on every state-changing API call. */
  csrfToken: string
  /** The provider's ID token, for `id_token_hint` at sign-out; never sent to the page. */
  idToken: string | undefined
  /** Milliseconds since the epoch. */
  expiresAt: number
}

/** A sign-in that went to the provider and has not come back yet. */
export interface PendingSignIn {
  state: string
  nonce: string
  codeVerifier: string
  /** Milliseconds since the epoch. */
  expiresAt: number
}

/**
 * Server-side state of browser sign-in: signed-in sessions and sign-ins under way. The browser
 * holds only an opaque random id (in an HttpOnly cookie); only its SHA-256 is stored, so the
 * store's content alone signs nobody in. `SqliteBrowserSessionStore` keeps it in the project
 * store, so a restart keeps people signed in.
 *
 * Contract (checked by `browser-session-store-contract.case.test.ts` for every implementation):
 * - `create` returns a fresh id; `find` returns its session until `expiresAt`, then undefined
 *   (as for an unknown, malformed or deleted id); it never throws for bad input.
 * - `delete` ends a session at once.
 * - `takePendingSignIn` returns a pending sign-in once (a second take finds nothing), expired or
 *   not: the caller tells an expired one from an unknown one.
 * - Sessions survive closing and reopening a persistent store.
 */
export interface BrowserSessionStore {
  create(session: BrowserSession): Promise<string>
  find(id: string): Promise<BrowserSession | undefined>
  delete(id: string): Promise<void>
  savePendingSignIn(pending: PendingSignIn): Promise<string>
  takePendingSignIn(id: string): Promise<PendingSignIn | undefined>
  close(): Promise<void>
}
