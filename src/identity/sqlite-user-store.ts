import type { DatabaseSync } from 'node:sqlite'
import { HelpdeskError } from '../errors/index.ts'
import { openProjectDatabase } from '../store/open-project-database.ts'
import {
  ACCESS_TOKEN_PATTERN,
  createAccessToken,
  createTokenId,
  hashAccessToken,
  sameHash,
  TOKEN_ID_PATTERN,
} from './access-token.ts'
import { inTransaction, prepareUserSchema } from './sqlite-user-schema.ts'
import { checkRole, checkUsername, type Role, type User } from './user.ts'
import { type TokenRow, tokenInfoFromRow, type UserRow, userFromRow } from './user-rows.ts'
import type { AddedUser, TokenCheck, TokenInfo, UserStore } from './user-store.ts'

/** How long a token signs in when nothing else is configured (`HELPDESK_TOKEN_TTL_DAYS`). */
export const DEFAULT_TOKEN_LIFETIME_DAYS = 90

const DAY_MILLISECONDS = 86_400_000
/** `last_used_at` is written at most this often per token, not on every request. */
const LAST_USED_RESOLUTION_MILLISECONDS = 60_000

/** Users and their tokens in the project store (`node:sqlite`): the embedded default. */
export class SqliteUserStore implements UserStore {
  private readonly database: DatabaseSync
  private readonly now: () => Date
  private readonly lifetimeMilliseconds: number

  /**
   * @param options.file a path, or `:memory:`
   * @param options.tokenLifetimeDays how long a new token signs in (default 90)
   */
  constructor(options: { file: string; now?: () => Date; tokenLifetimeDays?: number }) {
    const days = options.tokenLifetimeDays ?? DEFAULT_TOKEN_LIFETIME_DAYS
    if (!Number.isInteger(days) || days < 1) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: `token lifetime ${days}: expected a whole number of days, at least 1`,
      })
    }
    this.lifetimeMilliseconds = days * DAY_MILLISECONDS
    this.now = options.now ?? (() => new Date())
    this.database = openProjectDatabase(options.file)
    try {
      prepareUserSchema(this.database, {
        now: this.now(),
        lifetimeMilliseconds: this.lifetimeMilliseconds,
      })
    } catch (error) {
      this.database.close()
      throw error
    }
  }

  async add(username: string, role: Role, options: { token?: string } = {}): Promise<AddedUser> {
    const now = this.now()
    const user: User = {
      username: checkUsername(username),
      role: checkRole(role),
      createdAt: now.toISOString(),
    }
    const token = options.token ?? createAccessToken()
    if (!ACCESS_TOKEN_PATTERN.test(token)) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: 'the given token is not one: expected hd_ followed by 43 base64url characters',
      })
    }
    return inTransaction(this.database, () => {
      const inserted = this.database
        .prepare(
          'INSERT INTO helpdesk_users (username, role, created_at) VALUES (?, ?, ?) ON CONFLICT (username) DO NOTHING',
        )
        .run(user.username, user.role, user.createdAt)
      if (inserted.changes === 0) {
        const existing = this.userRow(user.username)
        throw new HelpdeskError({
          code: 'USER_EXISTS',
          message: `user "${user.username}" already exists${existing && existing.username !== user.username ? ` as "${existing.username}" (usernames compare without case)` : ''}; helpdesk users list shows who is there`,
        })
      }
      if (this.tokenRowByHash(hashAccessToken(token))) {
        throw new HelpdeskError({
          code: 'INVALID_INPUT',
          message: 'the given token is already in use; generate a new one',
        })
      }
      return { user, token, tokenInfo: this.insertToken(user.username, token, now) }
    })
  }

  async findByToken(token: string): Promise<User | undefined> {
    const check = await this.checkToken(token)
    return check.status === 'valid' ? check.user : undefined
  }

  async checkToken(token: string): Promise<TokenCheck> {
    if (typeof token !== 'string' || !ACCESS_TOKEN_PATTERN.test(token)) return { status: 'unknown' }
    const hash = hashAccessToken(token)
    // The lookup is by the hash of the presented token, which the caller cannot steer byte by
    // byte; the final comparison is constant-time anyway, so equality itself never leaks timing.
    const row = this.tokenRowByHash(hash)
    if (!row || !sameHash(row.token_sha256, hash)) return { status: 'unknown' }
    if (row.revoked_at !== null) return { status: 'revoked', revokedAt: row.revoked_at }
    const now = this.now()
    if (row.expires_at <= now.toISOString()) return { status: 'expired', expiresAt: row.expires_at }
    const user = this.userRow(row.username)
    if (!user) return { status: 'unknown' }
    if (
      row.last_used_at === null ||
      now.getTime() - Date.parse(row.last_used_at) >= LAST_USED_RESOLUTION_MILLISECONDS
    ) {
      this.database
        .prepare('UPDATE helpdesk_tokens SET last_used_at = ? WHERE id = ?')
        .run(now.toISOString(), row.id)
    }
    return { status: 'valid', user: userFromRow(user), tokenId: row.id }
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const row = typeof username === 'string' ? this.userRow(username) : undefined
    return row ? userFromRow(row) : undefined
  }

  async list(): Promise<User[]> {
    const rows = this.database
      .prepare('SELECT * FROM helpdesk_users ORDER BY rowid')
      .all() as unknown as UserRow[]
    return rows.map(userFromRow)
  }

  async listTokens(username?: string): Promise<TokenInfo[]> {
    if (username === undefined) {
      const rows = this.database
        .prepare('SELECT * FROM helpdesk_tokens ORDER BY created_at, rowid')
        .all() as unknown as TokenRow[]
      return rows.map(tokenInfoFromRow)
    }
    const user = this.existingUser(username)
    return this.tokenRowsOf(user.username).map(tokenInfoFromRow)
  }

  async revoke(username: string, tokenId?: string): Promise<TokenInfo[]> {
    return inTransaction(this.database, () => {
      const user = this.existingUser(username)
      const tokens = this.tokenRowsOf(user.username)
      if (tokenId !== undefined && !tokens.some((token) => token.id === tokenId)) {
        throw new HelpdeskError({
          code: 'TOKEN_NOT_FOUND',
          // Only an id is repeated: what was given may be a pasted token.
          message: `user "${user.username}" has no token ${TOKEN_ID_PATTERN.test(tokenId) ? `"${tokenId}"` : 'of that id (expected tok_ and 12 hex digits)'}; helpdesk users tokens ${user.username} lists them`,
        })
      }
      return this.revokeRows(
        tokens.filter((token) => tokenId === undefined || token.id === tokenId),
      )
    })
  }

  async rotate(username: string): Promise<AddedUser & { revoked: TokenInfo[] }> {
    return inTransaction(this.database, () => {
      const user = this.existingUser(username)
      const revoked = this.revokeRows(this.tokenRowsOf(user.username))
      const token = createAccessToken()
      return {
        user: userFromRow(user),
        token,
        tokenInfo: this.insertToken(user.username, token),
        revoked,
      }
    })
  }

  async close(): Promise<void> {
    if (this.database.isOpen) this.database.close()
  }

  private insertToken(username: string, token: string, now = this.now()): TokenInfo {
    const info: TokenInfo = {
      id: createTokenId(),
      username,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.lifetimeMilliseconds).toISOString(),
    }
    this.database
      .prepare(
        'INSERT INTO helpdesk_tokens (id, username, token_sha256, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(info.id, username, hashAccessToken(token), info.createdAt, info.expiresAt)
    return info
  }

  /** Revokes the rows not revoked yet; @returns them as revoked now. */
  private revokeRows(rows: TokenRow[]): TokenInfo[] {
    const revokedAt = this.now().toISOString()
    const update = this.database.prepare(
      'UPDATE helpdesk_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    )
    return rows
      .filter((row) => row.revoked_at === null)
      .map((row) => {
        update.run(revokedAt, row.id)
        return tokenInfoFromRow({ ...row, revoked_at: revokedAt })
      })
  }

  private userRow(username: string): UserRow | undefined {
    return this.database.prepare('SELECT * FROM helpdesk_users WHERE username = ?').get(username) as
      | UserRow
      | undefined
  }

  private existingUser(username: string): UserRow {
    const row = typeof username === 'string' ? this.userRow(username) : undefined
    if (!row) {
      throw new HelpdeskError({
        code: 'USER_NOT_FOUND',
        message: `no user "${String(username).slice(0, 80)}"; helpdesk users list shows who is there`,
      })
    }
    return row
  }

  private tokenRowByHash(hash: string): TokenRow | undefined {
    return this.database
      .prepare('SELECT * FROM helpdesk_tokens WHERE token_sha256 = ?')
      .get(hash) as TokenRow | undefined
  }

  private tokenRowsOf(username: string): TokenRow[] {
    return this.database
      .prepare('SELECT * FROM helpdesk_tokens WHERE username = ? ORDER BY created_at, rowid')
      .all(username) as unknown as TokenRow[]
  }
}
