import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { openProjectStores } from './project-stores.ts'

describe('openProjectStores without DATABASE_URL', () => {
  it('keeps runbooks, browser sessions and paused runs in the SQLite file, and close lets it go', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'project-stores-')), 'helpdesk.sqlite')
    const stores = await openProjectStores({ DATABASE_URL: undefined }, file, () => {})
    expect(stores.kind).toBe('sqlite')
    const runbooks = stores.runbooks()
    await runbooks.apply('runbook', [{ id: 'vpn', change: 'created', text: 'v1' }], {
      author: 'ada',
      reason: 'test',
    })
    await runbooks.close()
    const sessions = stores.browserSessions()
    await sessions.create({
      username: 'ada',
      role: 'technician',
      csrfToken: 'csrf',
      idToken: undefined,
      expiresAt: Date.now() + 60_000,
    })
    await sessions.close()
    // Every framework's paused runs share one connection, each in its own tables.
    await stores.pausedRuns('langgraph').remember('thread-1', ['a-1'])
    expect(await stores.pausedRuns('openai_agents').find('a-1')).toBeUndefined()
    expect(await stores.pausedRuns('langgraph').find('a-1')).toBe('thread-1')
    await stores.close()

    const database = new DatabaseSync(file)
    const count = (table: string) =>
      (database.prepare(`SELECT COUNT(*) AS count FROM ${table}`).get() as { count: number }).count
    expect(count('runbook_versions')).toBe(1)
    expect(count('helpdesk_browser_sessions')).toBe(1)
    expect(count('langgraph_approval_threads')).toBe(1)
    database.close()
  })
})
