import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ensureFirstAdmin } from './first-admin.ts'
import { SqliteUserStore } from './sqlite-user-store.ts'

describe('the first admin', () => {
  it('is created once, on an empty store, with its token in the log and a 0600 file', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'first-admin-'))
    const tokenFile = path.join(directory, 'data', 'admin-token')
    const users = new SqliteUserStore({ file: path.join(directory, 'data', 'helpdesk.sqlite') })
    const logged: string[] = []
    const log = (line: string) => logged.push(line)
    try {
      const added = await ensureFirstAdmin(users, { tokenFile, log })
      expect(added?.user).toMatchObject({ username: 'admin', role: 'admin' })
      const token = added?.token ?? 'none'
      expect(readFileSync(tokenFile, 'utf8')).toBe(`${token}\n`)
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
      expect(logged).toHaveLength(1)
      expect(logged[0]).toMatch(/^no users yet: created admin; token hd_\S+ \(shown once/)
      expect(logged[0]).toContain(token)
      expect(logged[0]).toContain('npx helpdesk users add')
      expect(await users.findByToken(token)).toMatchObject({ role: 'admin' })

      // A second start: nothing new, nothing logged, the file is left as it was.
      expect(await ensureFirstAdmin(users, { tokenFile, log })).toBeUndefined()
      expect(logged).toHaveLength(1)
      expect(await users.list()).toHaveLength(1)
    } finally {
      await users.close()
    }
  })

  it('does nothing when any user exists, and tightens a left-over token file', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'first-admin-'))
    const users = new SqliteUserStore({ file: ':memory:' })
    await users.add('jdoe', 'requester')
    const tokenFile = path.join(directory, 'admin-token')
    expect(await ensureFirstAdmin(users, { tokenFile, log: () => {} })).toBeUndefined()
    expect(await users.list()).toHaveLength(1)

    const empty = new SqliteUserStore({ file: ':memory:' })
    writeFileSync(tokenFile, 'old\n', { mode: 0o644 })
    const added = await ensureFirstAdmin(empty, { tokenFile, log: () => {} })
    expect(readFileSync(tokenFile, 'utf8')).toBe(`${added?.token}\n`)
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
    await users.close()
    await empty.close()
  })
})
