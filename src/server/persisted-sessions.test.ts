import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../tests/support/memory-runtime.ts'
import { SqliteSessionStore } from '../agent/core/sqlite-session-store.ts'
import type { TurnResult } from '../agent/core/turn.ts'
import { assembleHelpdesk } from '../app/assemble-helpdesk.ts'
import { SqliteUserStore } from '../identity/sqlite-user-store.ts'
import { createApp } from './create-app.ts'

it('a conversation carries on after a restart: same session, history and open question', async () => {
  const runtime = await buildMemoryRuntime()
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'restart-')), 'helpdesk.sqlite')

  /** One server life: a store over the file, the core and the app, as `helpdesk serve` builds them. */
  const start = () => {
    const sessions = new SqliteSessionStore({ file })
    const users = new SqliteUserStore({ file })
    const { core } = assembleHelpdesk(runtime.knowledge, { maxMessageCharacters: 4000, sessions })
    const app = createApp({
      core,
      sessions,
      authentication: { mode: 'token', users },
      instructions: runtime.knowledge.instructions,
      readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
      log: () => {},
    })
    return { app, users, stop: async () => Promise.all([sessions.close(), users.close()]) }
  }

  const first = start()
  const { token } = await first.users.add('jdoe', 'requester')
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const asked = (await (
    await first.app.request('/api/chat', {
      method: 'POST',
      headers,
      body: JSON.stringify({ message: 'my printer PRN-3F-EAST is not printing' }),
    })
  ).json()) as TurnResult
  expect(asked.missing[0]?.parameter).toBe('device')
  await first.stop()

  const second = start()
  try {
    const listed = (await (await second.app.request('/api/sessions', { headers })).json()) as {
      sessions: Array<{ id: string; firstMessage: string }>
    }
    expect(listed.sessions).toEqual([
      expect.objectContaining({
        id: asked.sessionId,
        firstMessage: 'my printer PRN-3F-EAST is not printing',
      }),
    ])
    const answered = (await (
      await second.app.request('/api/chat', {
        method: 'POST',
        headers,
        body: JSON.stringify({ sessionId: asked.sessionId, message: 'LT-0423' }),
      })
    ).json()) as TurnResult
    expect(answered.sessionId).toBe(asked.sessionId)
    expect(answered.missing).toEqual([])
    expect(answered.plan[0]?.parameters).toMatchObject({
      printer: 'PRN-3F-EAST',
      device: 'LT-0423',
    })
  } finally {
    await second.stop()
  }
})
