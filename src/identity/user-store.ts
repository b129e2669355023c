import type { Role, User } from './user.ts'

/** What `add` and `rotate` hand back: the bearer token, which is never available again. */
export interface AddedUser {
  user: User
  token: string
  /** The new token's record (its id, creation and expiry), as `listTokens` shows it later. */
  tokenInfo: TokenInfo
}

/** One bearer token of a user, as an admin may see it: never the token, never its hash. */
export interface TokenInfo {
  /** Short public id (`tok_` and 12 hex digits), to name the token in `revoke --token`. */
  id: string
  username: string
  /** ISO 8601 times. */
  createdAt: string
  expiresAt: string
  /** Set once revoked; a revoked token never signs in again. */
  revokedAt?: string
  /** When it last signed a request in (kept to the minute). */
  lastUsedAt?: string
}

/** What a presented token is: one that signs in, or why it does not. */
export type TokenCheck =
  | { status: 'valid'; user: User; tokenId: string }
  | { status: 'expired'; expiresAt: string }
  | { status: 'revoked'; revokedAt: string }
  | { status: 'unknown' }

/**
 * The helpdesk's users and their bearer tokens. `SqliteUserStore` keeps them in the project
 * store; another backend (PostgreSQL, a directory) implements the same contract.
 *
 * Contract (checked by `user-store-contract.case.test.ts` for every implementation):
 * - `add` validates the username (letters, digits, `.`, `_`, `-`; not the reserved `anonymous`)
 *   and the role, and returns a fresh `hd_` token once (or takes the one given, for a token an
 *   operator generated); only a hash of a token is stored, never the token itself.
 * - Usernames are unique without regard to case: `ALICE` is refused when `alice` exists, and
 *   every lookup by name finds `alice` for `Alice`; names keep the case they were added with.
 * - A user may hold several tokens. Each expires `tokenLifetimeDays` after it was issued (the
 *   implementation's setting); an expired or revoked token no longer signs in, and `checkToken`
 *   says which it is.
 * - `findByToken` returns the user of a valid token, or undefined for an unknown, malformed,
 *   empty, expired or revoked one; neither it nor `checkToken` throws for bad input (the caller
 *   answers 401).
 * - `rotate` issues a new token and revokes every other token of the user, in one step.
 * - `list` returns users in the order they were added; `listTokens` tokens in the order issued.
 * - Users and tokens survive closing and reopening a persistent store.
 */
export interface UserStore {
  /**
   * @param options.token a token the operator generated (e.g. a Kubernetes secret); must match
   *   `ACCESS_TOKEN_PATTERN`. Without it a fresh token is made.
   * @throws {HelpdeskError} INVALID_INPUT for a bad username, role or given token, USER_EXISTS when
   *   the name is taken (in any case).
   */
  add(username: string, role: Role, options?: { token?: string }): Promise<AddedUser>
  /** @returns the token's user, or undefined when the token does not sign in. */
  findByToken(token: string): Promise<User | undefined>
  /** Like `findByToken`, saying why a token does not sign in. Notes the token's use. */
  checkToken(token: string): Promise<TokenCheck>
  /** @returns the user of that name in any case, or undefined. */
  findByUsername(username: string): Promise<User | undefined>
  list(): Promise<User[]>
  /**
   * Every token of one user, or of all users (revoked and expired ones too).
   * @throws {HelpdeskError} USER_NOT_FOUND for an unknown username.
   */
  listTokens(username?: string): Promise<TokenInfo[]>
  /**
   * Revokes every token of a user, or the one named; revoking an already revoked token is no error.
   * @returns the tokens this call revoked.
   * @throws {HelpdeskError} USER_NOT_FOUND, or TOKEN_NOT_FOUND for an id that is not this user's.
   */
  revoke(username: string, tokenId?: string): Promise<TokenInfo[]>
  /**
   * A new token for the user; all their other tokens are revoked.
   * @throws {HelpdeskError} USER_NOT_FOUND for an unknown username.
   */
  rotate(username: string): Promise<AddedUser & { revoked: TokenInfo[] }>
  close(): Promise<void>
}
