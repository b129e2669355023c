import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../tests/support/memory-runtime.ts'
import { SqliteUserStore } from '../identity/sqlite-user-store.ts'
import { createApp } from './create-app.ts'

/**
 * Replicas: before each chat turn the app asks the runbook library to catch up with changes made
 * through another replica (`refreshRunbooks`), on the JSON API and on its stream alike; a failing
 * catch-up is logged and the turn goes on with the set it has.
 */
const users = new SqliteUserStore({ file: ':memory:' })
let token = ''
let runtime: Awaited<ReturnType<typeof buildMemoryRuntime>>

beforeAll(async () => {
  runtime = await buildMemoryRuntime()
  token = (await users.add('jdoe', 'requester')).token
})

function appWith(refreshRunbooks: () => Promise<unknown>, logged: string[]) {
  return createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: (line) => logged.push(line),
    refreshRunbooks,
  })
}

const ask = (app: ReturnType<typeof createApp>, path = '/api/chat') =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ message: 'my laptop is very slow' }),
  })

describe('runbook refresh before a chat turn', () => {
  it('runs before every turn, on /api/chat and /api/chat/stream', async () => {
    const order: string[] = []
    const app = appWith(async () => {
      order.push('refresh')
    }, [])
    const answered = await ask(app)
    expect(answered.status).toBe(200)
    expect(order).toEqual(['refresh'])
    const streamed = await ask(app, '/api/chat/stream')
    expect(streamed.status).toBe(200)
    await streamed.text()
    expect(order).toEqual(['refresh', 'refresh'])
  })

  it('a refresh that fails is logged, and the turn is answered with the set in use', async () => {
    const logged: string[] = []
    const app = appWith(async () => {
      throw new Error('database unreachable')
    }, logged)
    const answered = await ask(app)
    expect(answered.status).toBe(200)
    expect(((await answered.json()) as { tasks: string[] }).tasks).toEqual(['laptop_running_slow'])
    expect(logged).toContain(
      'runbook refresh before a turn failed (the turn uses the set it has): database unreachable',
    )
  })
})
