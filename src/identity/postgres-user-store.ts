import type pg from 'pg'
import { HelpdeskError } from '../errors/index.ts'
import type { PostgresDatabase } from '../store/postgres/postgres-database.ts'
import {
  ACCESS_TOKEN_PATTERN,
  createAccessToken,
  createTokenId,
  hashAccessToken,
  sameHash,
  TOKEN_ID_PATTERN,
} from './access-token.ts'
import { DEFAULT_TOKEN_LIFETIME_DAYS } from './sqlite-user-store.ts'
import { checkRole, checkUsername, type Role, type User } from './user.ts'
import { type TokenRow, tokenInfoFromRow, type UserRow, userFromRow } from './user-rows.ts'
import type { AddedUser, TokenCheck, TokenInfo, UserStore } from './user-store.ts'

/**
 * Users and their tokens in PostgreSQL (migration `0003_users.sql`). Only token hashes are
 * stored. Changes that touch several rows (add, revoke, rotate) run in one transaction that
 * first locks the user's row, so two replicas rotating the same user leave one live token.
 * @module
 */

const DAY_MILLISECONDS = 86_400_000
const LAST_USED_RESOLUTION_MILLISECONDS = 60_000

type Queryable = pg.Pool | pg.PoolClient

export class PostgresUserStore implements UserStore {
  private readonly database: PostgresDatabase
  private readonly now: () => Date
  private readonly lifetimeMilliseconds: number

  constructor(options: {
    database: PostgresDatabase
    now?: () => Date
    tokenLifetimeDays?: number
  }) {
    const days = options.tokenLifetimeDays ?? DEFAULT_TOKEN_LIFETIME_DAYS
    if (!Number.isInteger(days) || days < 1)
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: `token lifetime ${days}: expected a whole number of days, at least 1`,
      })
    this.lifetimeMilliseconds = days * DAY_MILLISECONDS
    this.now = options.now ?? (() => new Date())
    this.database = options.database
  }

  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.database.pool.connect()
    try {
      await client.query('BEGIN')
      const result = await work(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
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
    if (!ACCESS_TOKEN_PATTERN.test(token))
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: 'the given token is not one: expected hd_ followed by 43 base64url characters',
      })
    return this.inTransaction(async (client) => {
      const inserted = await client.query(
        'INSERT INTO helpdesk_users (username, role, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [user.username, user.role, user.createdAt],
      )
      if (inserted.rowCount === 0) {
        const existing = await this.userRow(user.username, client)
        throw new HelpdeskError({
          code: 'USER_EXISTS',
          message: `user "${user.username}" already exists${existing && existing.username !== user.username ? ` as "${existing.username}" (usernames compare without case)` : ''}; helpdesk users list shows who is there`,
        })
      }
      if (await this.tokenRowByHash(hashAccessToken(token), client))
        throw new HelpdeskError({
          code: 'INVALID_INPUT',
          message: 'the given token is already in use; generate a new one',
        })
      return { user, token, tokenInfo: await this.insertToken(client, user.username, token, now) }
    })
  }

  async findByToken(token: string): Promise<User | undefined> {
    const check = await this.checkToken(token)
    return check.status === 'valid' ? check.user : undefined
  }

  async checkToken(token: string): Promise<TokenCheck> {
    if (typeof token !== 'string' || !ACCESS_TOKEN_PATTERN.test(token)) return { status: 'unknown' }
    const hash = hashAccessToken(token)
    // The token and its user in one round trip: every API request asks this.
    const row = (
      await this.database.pool.query<
        TokenRow & { user_username: string | null; user_role: string; user_created_at: string }
      >(
        `SELECT t.*, u.username AS user_username, u.role AS user_role, u.created_at AS user_created_at
           FROM helpdesk_tokens t LEFT JOIN helpdesk_users u ON lower(u.username) = lower(t.username)
          WHERE t.token_sha256 = $1`,
        [hash],
      )
    ).rows[0]
    if (!row || !sameHash(row.token_sha256, hash)) return { status: 'unknown' }
    if (row.revoked_at !== null) return { status: 'revoked', revokedAt: row.revoked_at }
    const now = this.now()
    if (row.expires_at <= now.toISOString()) return { status: 'expired', expiresAt: row.expires_at }
    if (row.user_username === null) return { status: 'unknown' }
    const user: UserRow = {
      username: row.user_username,
      role: row.user_role,
      created_at: row.user_created_at,
    }
    if (
      row.last_used_at === null ||
      now.getTime() - Date.parse(row.last_used_at) >= LAST_USED_RESOLUTION_MILLISECONDS
    )
      await this.database.pool.query('UPDATE helpdesk_tokens SET last_used_at = $1 WHERE id = $2', [
        now.toISOString(),
        row.id,
      ])
    return { status: 'valid', user: userFromRow(user), tokenId: row.id }
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const row = typeof username === 'string' ? await this.userRow(username) : undefined
    return row ? userFromRow(row) : undefined
  }

  async list(): Promise<User[]> {
    const rows = (
      await this.database.pool.query<UserRow>('SELECT * FROM helpdesk_users ORDER BY position')
    ).rows
    return rows.map(userFromRow)
  }

  async listTokens(username?: string): Promise<TokenInfo[]> {
    if (username === undefined) {
      const rows = (
        await this.database.pool.query<TokenRow>(
          'SELECT * FROM helpdesk_tokens ORDER BY created_at, position',
        )
      ).rows
      return rows.map(tokenInfoFromRow)
    }
    const user = await this.existingUser(username, this.database.pool)
    return (await this.tokenRowsOf(user.username, this.database.pool)).map(tokenInfoFromRow)
  }

  async revoke(username: string, tokenId?: string): Promise<TokenInfo[]> {
    return this.inTransaction(async (client) => {
      const user = await this.existingUser(username, client, true)
      const tokens = await this.tokenRowsOf(user.username, client)
      if (tokenId !== undefined && !tokens.some((token) => token.id === tokenId))
        throw new HelpdeskError({
          code: 'TOKEN_NOT_FOUND',
          message: `user "${user.username}" has no token ${TOKEN_ID_PATTERN.test(tokenId) ? `"${tokenId}"` : 'of that id (expected tok_ and 12 hex digits)'}; helpdesk users tokens ${user.username} lists them`,
        })
      return this.revokeRows(
        client,
        tokens.filter((token) => tokenId === undefined || token.id === tokenId),
      )
    })
  }

  async rotate(username: string): Promise<AddedUser & { revoked: TokenInfo[] }> {
    return this.inTransaction(async (client) => {
      const user = await this.existingUser(username, client, true)
      const revoked = await this.revokeRows(client, await this.tokenRowsOf(user.username, client))
      const token = createAccessToken()
      return {
        user: userFromRow(user),
        token,
        tokenInfo: await this.insertToken(client, user.username, token),
        revoked,
      }
    })
  }

  /** The pool is the shared database's: its owner ends it. */
  async close(): Promise<void> {}

  private async insertToken(
    client: Queryable,
    username: string,
    token: string,
    now = this.now(),
  ): Promise<TokenInfo> {
    const info: TokenInfo = {
      id: createTokenId(),
      username,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.lifetimeMilliseconds).toISOString(),
    }
    await client.query(
      'INSERT INTO helpdesk_tokens (id, username, token_sha256, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [info.id, username, hashAccessToken(token), info.createdAt, info.expiresAt],
    )
    return info
  }

  private async revokeRows(client: Queryable, rows: TokenRow[]): Promise<TokenInfo[]> {
    const revokedAt = this.now().toISOString()
    const revoked: TokenInfo[] = []
    for (const row of rows.filter((each) => each.revoked_at === null)) {
      await client.query(
        'UPDATE helpdesk_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
        [revokedAt, row.id],
      )
      revoked.push(tokenInfoFromRow({ ...row, revoked_at: revokedAt }))
    }
    return revoked
  }

  private async userRow(
    username: string,
    client: Queryable = this.database.pool,
    lock = false,
  ): Promise<UserRow | undefined> {
    return (
      await client.query<UserRow>(
        `SELECT username, role, created_at FROM helpdesk_users WHERE lower(username) = lower($1)${lock ? ' FOR UPDATE' : ''}`,
        [username],
      )
    ).rows[0]
  }

  private async existingUser(username: string, client: Queryable, lock = false): Promise<UserRow> {
    const row =
      typeof username === 'string' ? await this.userRow(username, client, lock) : undefined
    if (!row)
      throw new HelpdeskError({
        code: 'USER_NOT_FOUND',
        message: `no user "${String(username).slice(0, 80)}"; helpdesk users list shows who is there`,
      })
    return row
  }

  private async tokenRowByHash(
    hash: string,
    client: Queryable = this.database.pool,
  ): Promise<TokenRow | undefined> {
    return (
      await client.query<TokenRow>('SELECT * FROM helpdesk_tokens WHERE token_sha256 = $1', [hash])
    ).rows[0]
  }

  private async tokenRowsOf(username: string, client: Queryable): Promise<TokenRow[]> {
    return (
      await client.query<TokenRow>(
        'SELECT * FROM helpdesk_tokens WHERE lower(username) = lower($1) ORDER BY created_at, position',
        [username],
      )
    ).rows
  }
}
