import type { Role, User } from './user.ts'

/** What `add` hands back: the new user and their bearer token, which is never available again. */
export interface AddedUser {
  user: User
  token: string
}

/**
 * The helpdesk's users and their bearer tokens. `SqliteUserStore` keeps them in the project
 * store; another backend (PostgreSQL, a directory) implements the same contract.
 *
 * Contract (checked by `user-store-contract.case.test.ts` for every implementation):
 * - `add` validates the username (letters, digits, `.`, `_`, `-`; not the reserved `anonymous`)
 *   and the role, and returns a fresh `hd_` token once; only a hash of it is stored, never the
 *   token itself.
 * - `findByToken` returns the user whose token it is, or undefined for an unknown, malformed or
 *   empty token; it never throws for bad input (the caller answers 401).
 * - Usernames are unique; `list` returns users in the order they were added.
 * - Users and tokens survive closing and reopening a persistent store.
 */
export interface UserStore {
  /**
   * @throws {HelpdeskError} INVALID_INPUT for a bad username or role, USER_EXISTS when the name is
   *   taken.
   */
  add(username: string, role: Role): Promise<AddedUser>
  /** @returns the token's user, or undefined when the token is not one of ours. */
  findByToken(token: string): Promise<User | undefined>
  list(): Promise<User[]>
  close(): Promise<void>
}
