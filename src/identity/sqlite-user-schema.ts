import type { DatabaseSync } from 'node:sqlite'
import { HelpdeskError } from '../errors/index.ts'
import { createTokenId } from './access-token.ts'
import { ROLES } from './user.ts'

/**
 * The user store's tables. Usernames are `COLLATE NOCASE` (they are ASCII), so `ALICE` collides
 * with `alice` in the primary key itself and every lookup by name ignores case. A user may hold
 * several tokens; each has a public id, an expiry and, once revoked, the time it was.
 * @module
 */

const USERS_TABLE = `
CREATE TABLE IF NOT EXISTS helpdesk_users (
  username TEXT PRIMARY KEY COLLATE NOCASE,
  role TEXT NOT NULL CHECK (role IN (${ROLES.map((role) => `'${role}'`).join(', ')})),
  created_at TEXT NOT NULL
);
`

const TOKENS_TABLE = `
CREATE TABLE IF NOT EXISTS helpdesk_tokens (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL COLLATE NOCASE REFERENCES helpdesk_users (username),
  token_sha256 TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT,
  last_used_at TEXT
);
CREATE INDEX IF NOT EXISTS helpdesk_tokens_by_user ON helpdesk_tokens (username);
`

/** Runs `work` in one write transaction (`BEGIN IMMEDIATE`: other writers wait, none interleave). */
export function inTransaction<T>(database: DatabaseSync, work: () => T): T {
  database.exec('BEGIN IMMEDIATE')
  try {
    const result = work()
    database.exec('COMMIT')
    return result
  } catch (error) {
    database.exec('ROLLBACK')
    throw error
  }
}

/**
 * Creates the tables, or brings a store of the first version (one `token_sha256` column on
 * `helpdesk_users`, usernames compared with case) to this one: each user's token moves to
 * `helpdesk_tokens` and keeps working, expiring `lifetimeDays` after the migration (its age was
 * never limited before, so it is not cut short now). Two users differing only by case cannot be
 * merged silently: the migration then stops, changing nothing, and names them.
 */
export function prepareUserSchema(
  database: DatabaseSync,
  options: { now: Date; lifetimeMilliseconds: number },
): void {
  if (!hasTokenColumn(database)) {
    database.exec(USERS_TABLE + TOKENS_TABLE)
    return
  }
  inTransaction(database, () => {
    // Another process may have migrated while this one waited for the lock.
    if (!hasTokenColumn(database)) return
    const clashes = database
      .prepare(
        `SELECT group_concat(username, ', ') AS names FROM helpdesk_users
         GROUP BY lower(username) HAVING count(*) > 1`,
      )
      .all() as Array<{ names: string }>
    if (clashes.length > 0) {
      throw new HelpdeskError({
        code: 'INVALID_CONFIGURATION',
        category: 'SYSTEM',
        message: `the user store holds users whose names differ only by case (${clashes.map((clash) => clash.names).join('; ')}); usernames now compare without case, so rename or delete all but one of each in helpdesk_users before starting (nothing was changed)`,
      })
    }
    // Migration 0003 (src/store/sqlite/migrations) may have created an empty tokens table beside
    // the first version's users; renaming helpdesk_users would point its foreign key at the
    // renamed table, so it is dropped first and recreated below. The first version had no tokens
    // table, so one holding rows is not ours to drop.
    dropEmptyTokensTable(database)
    database.exec('ALTER TABLE helpdesk_users RENAME TO helpdesk_users_version1')
    database.exec(USERS_TABLE + TOKENS_TABLE)
    const old = database
      .prepare(
        'SELECT username, role, token_sha256, created_at FROM helpdesk_users_version1 ORDER BY rowid',
      )
      .all() as Array<{ username: string; role: string; token_sha256: string; created_at: string }>
    const addUser = database.prepare(
      'INSERT INTO helpdesk_users (username, role, created_at) VALUES (?, ?, ?)',
    )
    const addToken = database.prepare(
      'INSERT INTO helpdesk_tokens (id, username, token_sha256, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    )
    const expiresAt = new Date(options.now.getTime() + options.lifetimeMilliseconds).toISOString()
    for (const row of old) {
      addUser.run(row.username, row.role, row.created_at)
      addToken.run(createTokenId(), row.username, row.token_sha256, row.created_at, expiresAt)
    }
    database.exec('DROP TABLE helpdesk_users_version1')
  })
}

function hasTokenColumn(database: DatabaseSync): boolean {
  const columns = database.prepare('PRAGMA table_info(helpdesk_users)').all() as Array<{
    name: string
  }>
  return columns.some((column) => column.name === 'token_sha256')
}

function dropEmptyTokensTable(database: DatabaseSync): void {
  const table = database
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'helpdesk_tokens'")
    .get()
  if (table === undefined) return
  const row = database.prepare('SELECT count(*) AS count FROM helpdesk_tokens').get() as {
    count: number
  }
  if (row.count > 0) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'SYSTEM',
      message:
        "the user store has both the first version's token_sha256 column on helpdesk_users and a helpdesk_tokens table with rows; it cannot tell which tokens are current, so move the database aside or remove one of them before starting (nothing was changed)",
    })
  }
  database.exec('DROP TABLE helpdesk_tokens')
}
