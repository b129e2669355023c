import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAccessToken } from './access-token.ts'
import { ensureFirstAdmin } from './first-admin.ts'
import { SqliteUserStore } from './sqlite-user-store.ts'

describe('the first admin', () => {
  it('is created once, on an empty store, with its token only in a 0600 file, never in the log', async () => {
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
      expect(logged[0]).toMatch(
        /^no users yet: created admin; its token is in \S+admin-token \(mode 0600, not shown in this log\)/,
      )
      expect(logged.join('\n')).not.toContain(token)
      expect(logged.join('\n')).not.toContain(token.slice(3, 20))
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

  it('takes the token an operator generated (a mounted secret), writing no file and logging no token', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'first-admin-'))
    const secret = path.join(directory, 'secret-admin-token')
    const given = createAccessToken()
    writeFileSync(secret, `${given}\n`)
    const tokenFile = path.join(directory, 'admin-token')
    const users = new SqliteUserStore({ file: ':memory:' })
    const logged: string[] = []
    try {
      const added = await ensureFirstAdmin(users, {
        tokenFile,
        givenTokenFile: secret,
        log: (line) => logged.push(line),
      })
      expect(added?.token).toBe(given)
      expect(await users.findByToken(given)).toMatchObject({ username: 'admin', role: 'admin' })
      expect(existsSync(tokenFile)).toBe(false)
      expect(logged).toHaveLength(1)
      expect(logged[0]).toMatch(/created admin with the token in HELPDESK_ADMIN_TOKEN_FILE/)
      expect(logged.join('\n')).not.toContain(given)
      // Later starts leave the admin as it is.
      expect(
        await ensureFirstAdmin(users, { tokenFile, givenTokenFile: secret, log: () => {} }),
      ).toBeUndefined()
    } finally {
      await users.close()
    }
  })

  it.each([
    ['not a token at all', /does not hold a helpdesk token: expected hd_ followed by 43/],
    [`hd_${'A'.repeat(42)}`, /does not hold a helpdesk token/],
    ['', /does not hold a helpdesk token/],
  ])(
    'refuses a given token file holding %j, creating no one and echoing nothing',
    async (content, message) => {
      const directory = mkdtempSync(path.join(tmpdir(), 'first-admin-'))
      const secret = path.join(directory, 'secret')
      writeFileSync(secret, content)
      const users = new SqliteUserStore({ file: ':memory:' })
      const options = {
        tokenFile: path.join(directory, 'admin-token'),
        givenTokenFile: secret,
        log: () => {},
      }
      const refused = ensureFirstAdmin(users, options)
      await expect(refused).rejects.toThrow(message)
      await expect(refused).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' })
      if (content !== '') await expect(refused).rejects.not.toThrow(content)
      expect(await users.list()).toEqual([])
      await users.close()
    },
  )

  it('refuses a given token file that cannot be read', async () => {
    const users = new SqliteUserStore({ file: ':memory:' })
    const refused = ensureFirstAdmin(users, {
      tokenFile: path.join(tmpdir(), 'unused'),
      givenTokenFile: '/nonexistent/secret',
      log: () => {},
    })
    await expect(refused).rejects.toThrow(
      /HELPDESK_ADMIN_TOKEN_FILE: cannot read \/nonexistent\/secret \(ENOENT\)/,
    )
    expect(await users.list()).toEqual([])
    await users.close()
  })
})
