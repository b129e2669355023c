import path from 'node:path'
import { serve } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqliteSessionStore } from '../src/agent/core/sqlite-session-store.ts'
import type { TurnResult } from '../src/agent/core/turn.ts'
import { buildRuntime, type HelpdeskRuntime } from '../src/app/build-runtime.ts'
import { loadConfig } from '../src/config/load-config.ts'
import { EmbeddedChromaServer } from '../src/knowledge/chroma/embedded-chroma-server.ts'
import { createApp } from '../src/server/create-app.ts'
import { TROUBLE_MESSAGE } from '../src/server/error-response.ts'
import { RUNTIME_CACHE_DIRECTORY, temporaryDirectory } from './support/temporary-directory.ts'

// The server against a real Chroma that the test controls, so it can take it away and bring it back.
let directory: Awaited<ReturnType<typeof temporaryDirectory>>
let chroma: EmbeddedChromaServer
let runtime: HelpdeskRuntime
let baseUrl: string
let closeHttp: () => void
let chromaPort: number
let token = ''
let technicianToken = ''

beforeAll(async () => {
  directory = await temporaryDirectory('helpdesk-server')
  chroma = new EmbeddedChromaServer({
    dataDirectory: path.join(directory.path, 'chroma'),
    runtimeCacheDirectory: RUNTIME_CACHE_DIRECTORY,
  })
  const address = await chroma.start()
  chromaPort = address.port
  runtime = await buildRuntime(
    loadConfig({ CHROMA_URL: address.url, HELPDESK_DATA_DIR: directory.path }),
    { log: () => {}, ingest: true, persistence: true },
  )
  const users = runtime.users
  if (!users) throw new Error('persistence: true builds a user store')
  token = (await users.add('jdoe', 'requester')).token
  technicianToken = (await users.add('tech.tina', 'technician')).token
  const app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: () => runtime.knowledge.readiness(),
    log: () => {},
  })
  await new Promise<void>((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
      baseUrl = `http://127.0.0.1:${info.port}`
      resolve()
    })
    closeHttp = () => server.close()
  })
})

afterAll(async () => {
  closeHttp?.()
  await runtime?.close()
  await chroma?.stop()
  await directory?.remove()
})

const chat = (message: string, sessionId?: string, authorization = `Bearer ${token}`) =>
  fetch(`${baseUrl}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ message, sessionId }),
  })

describe('chat server on a real Chroma', () => {
  it('ingested every runbook and is ready', async () => {
    expect(runtime.ingestReport?.total).toBeGreaterThan(23 * 12)
    expect(await runtime.knowledge.store.count()).toBe(runtime.ingestReport?.total)
    const ready = await fetch(`${baseUrl}/readyz`)
    expect(ready.status).toBe(200)
  })

  it('refuses a chat without a valid bearer token', async () => {
    for (const authorization of ['', 'Bearer hd_not-a-real-token', `Basic ${token}`]) {
      const refused = await chat('my vpn says error 809', undefined, authorization)
      expect(refused.status).toBe(401)
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'UNAUTHENTICATED',
      )
    }
  })

  it('re-ingesting changes nothing', async () => {
    const again = await runtime.knowledge.ingest()
    expect(again).toMatchObject({ added: 0, updated: 0, deleted: 0, reset: false })
    expect(again.unchanged).toBe(again.total)
  })

  it('routes, asks for the missing printer, takes the answer and plans', async () => {
    const first = (await (
      await chat('my printer is not printing, jobs are stuck in the queue')
    ).json()) as TurnResult
    expect(first.tasks).toEqual(['printer_not_working'])
    expect(first.missing[0]?.parameter).toBe('printer')
    expect(first.reply).toContain(first.missing[0]?.question ?? 'no question')
    const second = (await (await chat("it's PRN-3F-EAST", first.sessionId)).json()) as TurnResult
    expect(second.missing[0]?.parameter).toBe('device')
    const third = (await (await chat('LT-0423', first.sessionId)).json()) as TurnResult
    expect(third.missing).toEqual([])
    expect(third.plan[0]?.parameters).toMatchObject({ printer: 'PRN-3F-EAST', device: 'LT-0423' })
    const scripts = third.plan[0]?.steps.filter((step) => step.invocation.type === 'script') ?? []
    expect(scripts.length).toBeGreaterThan(0)
    expect(JSON.stringify(scripts)).toContain("'PRN-3F-EAST'")

    // The conversation is in the project store, owned by the signed-in user.
    const reopened = new SqliteSessionStore({ file: path.join(directory.path, 'helpdesk.sqlite') })
    const stored = await reopened.get(first.sessionId)
    await reopened.close()
    expect(stored).toMatchObject({ owner: 'jdoe', requester: 'jdoe' })
    expect(
      stored?.history.filter((entry) => entry.role === 'user').map((entry) => entry.text),
    ).toEqual([
      'my printer is not printing, jobs are stuck in the queue',
      "it's PRN-3F-EAST",
      'LT-0423',
    ])
  })

  it('splits a compound request and plans each part', async () => {
    const turn = (await (
      await chat(
        'I forgot my password, user jdoe, and I also need access to the FIN project in Jira',
      )
    ).json()) as TurnResult
    expect(turn.tasks).toEqual(['password_reset', 'jira_access_request'])
  })

  it('hands off an out-of-scope request without a plan', async () => {
    const turn = (await (
      await chat('can you order a new toner cartridge for the 3rd floor printer')
    ).json()) as TurnResult
    expect(turn.tasks).toEqual([])
    expect(turn.plan).toEqual([])
    expect(turn.outOfScope?.handoff).toBeTruthy()
  })

  it('when Chroma goes down: /readyz 503, a clear chat error, no crash; and it recovers', async () => {
    await chroma.stop()
    const notReady = await fetch(`${baseUrl}/readyz`)
    expect(notReady.status).toBe(503)
    const failed = await chat('my vpn says error 809')
    expect(failed.status).toBe(503)
    const body = (await failed.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('KNOWLEDGE_STORE_UNAVAILABLE')
    // The employee reads a plain sentence; a technician the detail.
    expect(body.error.message).toBe(TROUBLE_MESSAGE)
    const detailed = await chat('my vpn says error 809', undefined, `Bearer ${technicianToken}`)
    const detail = (await detailed.json()) as { error: { code: string; message: string } }
    expect(detail.error.message).toMatch(/Chroma .* could not/)

    chroma = new EmbeddedChromaServer({
      dataDirectory: path.join(directory.path, 'chroma'),
      runtimeCacheDirectory: RUNTIME_CACHE_DIRECTORY,
      port: chromaPort,
    })
    await chroma.start()
    expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200)
    const recovered = (await (await chat('my vpn says error 809')).json()) as TurnResult
    expect(recovered.tasks).toEqual(['vpn_not_connecting'])
  })

  it('re-ingests by itself when Chroma comes back empty', async () => {
    await chroma.stop()
    chroma = new EmbeddedChromaServer({
      dataDirectory: path.join(directory.path, 'chroma-wiped'),
      runtimeCacheDirectory: RUNTIME_CACHE_DIRECTORY,
      port: chromaPort,
    })
    await chroma.start()
    // The first /readyz starts the re-ingest and answers within its limit; it turns ready when done.
    const deadline = Date.now() + 60_000
    while ((await fetch(`${baseUrl}/readyz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error('not ready again within 60 s')
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(await runtime.knowledge.store.count()).toBe(runtime.ingestReport?.total)
  })
})
