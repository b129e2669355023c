import { checkRole, type User } from './user.ts'
import type { TokenInfo } from './user-store.ts'

/**
 * The one mapping from `helpdesk_users` and `helpdesk_tokens` rows to users and token facts, for
 * every UserStore implementation: each keeps only its SQL.
 * @module
 */

export interface UserRow {
  username: string
  role: string
  created_at: string
}

export interface TokenRow {
  id: string
  username: string
  token_sha256: string
  created_at: string
  expires_at: string
  revoked_at: string | null
  last_used_at: string | null
}

export function userFromRow(row: UserRow): User {
  return { username: row.username, role: checkRole(row.role), createdAt: row.created_at }
}

export function tokenInfoFromRow(row: TokenRow): TokenInfo {
  return {
    id: row.id,
    username: row.username,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    ...(row.revoked_at !== null ? { revokedAt: row.revoked_at } : {}),
    ...(row.last_used_at !== null ? { lastUsedAt: row.last_used_at } : {}),
  }
}
