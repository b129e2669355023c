import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { isHelpdeskError } from '../errors/index.ts'
import { migrateProjectDatabase } from '../store/sqlite/migrate-sqlite-database.ts'
import { createAccessToken, hashAccessToken } from './access-token.ts'
import { SqliteUserStore } from './sqlite-user-store.ts'
import { runUserStoreContract } from './user-store-contract.case.test.ts'

runUserStoreContract({
  name: 'sqlite',
  create: async (options = {}) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'users-')), 'helpdesk.sqlite')
    return {
      store: new SqliteUserStore({ file, ...options }),
      reopen: async () => new SqliteUserStore({ file }),
      // The write-ahead log too: a row may still sit there rather than in the main file.
      storedText: async () =>
        [file, `${file}-wal`]
          .filter((each) => existsSync(each))
          .map((each) => readFileSync(each).toString('latin1'))
          .join('\n'),
    }
  },
})

// The first version kept one token hash per user on helpdesk_users, usernames compared with case.
const VERSION_1_SCHEMA = `
CREATE TABLE helpdesk_users (
  username TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('requester', 'technician', 'admin')),
  token_sha256 TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);`

function version1Store(users: Array<[string, string, string]>): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'users-v1-')), 'helpdesk.sqlite')
  const database = new DatabaseSync(file)
  database.exec(VERSION_1_SCHEMA)
  for (const [username, role, token] of users) {
    database
      .prepare('INSERT INTO helpdesk_users VALUES (?, ?, ?, ?)')
      .run(username, role, hashAccessToken(token), '2025-06-01T08:00:00.000Z')
  }
  database.close()
  return file
}

describe('a user store of the first version', () => {
  it('is migrated on open: every token keeps working and now expires after the lifetime', async () => {
    const admin = createAccessToken()
    const jdoe = createAccessToken()
    const file = version1Store([
      ['zed', 'admin', admin],
      ['jdoe', 'requester', jdoe],
    ])
    const now = new Date('2026-03-01T00:00:00.000Z')
    const store = new SqliteUserStore({ file, now: () => now, tokenLifetimeDays: 10 })
    try {
      expect(await store.findByToken(admin)).toEqual({
        username: 'zed',
        role: 'admin',
        createdAt: '2025-06-01T08:00:00.000Z',
      })
      expect(await store.findByToken(jdoe)).toMatchObject({ username: 'jdoe' })
      expect((await store.list()).map((user) => user.username)).toEqual(['zed', 'jdoe'])
      const tokens = await store.listTokens()
      expect(tokens.map((token) => [token.username, token.expiresAt])).toEqual([
        ['zed', '2026-03-11T00:00:00.000Z'],
        ['jdoe', '2026-03-11T00:00:00.000Z'],
      ])
      expect(await errorCodeOf(store.add('JDOE', 'admin'))).toBe('USER_EXISTS')
    } finally {
      await store.close()
    }
    // Opening it again migrates nothing twice.
    const again = new SqliteUserStore({ file })
    expect(await again.listTokens()).toHaveLength(2)
    await again.close()
    const database = new DatabaseSync(file)
    const tables = database
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => row.name)
    expect(tables).toEqual(['helpdesk_tokens', 'helpdesk_users'])
    database.close()
  })

  it('is migrated after the versioned SQLite migrations ran first (as openProjectStores does)', async () => {
    const admin = createAccessToken()
    const file = version1Store([['zed', 'admin', admin]])
    // Migration 0003 adds an empty helpdesk_tokens beside the first version's users.
    expect(await migrateProjectDatabase(file)).toContain('0003_users')
    const store = new SqliteUserStore({ file, tokenLifetimeDays: 10 })
    try {
      expect(await store.findByToken(admin)).toMatchObject({ username: 'zed', role: 'admin' })
      await store.add('jdoe', 'requester')
      expect(await store.listTokens()).toHaveLength(2)
    } finally {
      await store.close()
    }
    const database = new DatabaseSync(file)
    // The tokens' foreign key still names helpdesk_users, not the renamed first-version table.
    expect(database.prepare('PRAGMA foreign_key_list(helpdesk_tokens)').all()).toMatchObject([
      { table: 'helpdesk_users' },
    ])
    database.close()
  })

  it('refuses, changing nothing, when two users differ only by case', async () => {
    const file = version1Store([
      ['alice', 'requester', createAccessToken()],
      ['ALICE', 'admin', createAccessToken()],
    ])
    expect(() => new SqliteUserStore({ file })).toThrow(
      /differ only by case \((alice, ALICE|ALICE, alice)\)/,
    )
    const database = new DatabaseSync(file)
    const columns = database.prepare('PRAGMA table_info(helpdesk_users)').all()
    expect(columns.map((column) => column.name)).toContain('token_sha256')
    expect(database.prepare('SELECT count(*) AS count FROM helpdesk_users').get()).toEqual({
      count: 2,
    })
    database.close()
  })
})

async function errorCodeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work
  } catch (error) {
    return isHelpdeskError(error) ? error.code : String(error)
  }
  return undefined
}
