import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect, it } from 'vitest'
import { runSessionStoreContract } from './session-store-contract.case.test.ts'
import { SqliteSessionStore } from './sqlite-session-store.ts'

runSessionStoreContract({
  name: 'sqlite',
  create: async (now) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sessions-')), 'helpdesk.sqlite')
    const store = new SqliteSessionStore({ file, now })
    return {
      store,
      reopen: async () => new SqliteSessionStore({ file, now }),
      close: () => store.close(),
    }
  },
})

it('writes sessions to the file itself, where a new process finds them', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sessions-')), 'helpdesk.sqlite')
  const store = new SqliteSessionStore({ file })
  const session = await store.create('jdoe', { owner: 'jdoe' })
  session.history.push({ role: 'user', text: 'remember the laptop LT-0423', at: 'x' })
  await store.save(session)
  await store.close()
  // Closing checkpoints the write-ahead log, so the text is in the main file.
  expect(readFileSync(file).toString('utf8')).toContain('remember the laptop LT-0423')
})
