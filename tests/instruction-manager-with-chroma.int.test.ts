import path from 'node:path'
import { serve } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildRuntime, type HelpdeskRuntime } from '../src/app/build-runtime.ts'
import { loadConfig } from '../src/config/load-config.ts'
import { EmbeddedChromaServer } from '../src/knowledge/chroma/embedded-chroma-server.ts'
import { createApp } from '../src/server/create-app.ts'
import { SMARTBOARD } from './support/instruction-manager-world.ts'
import { RUNTIME_CACHE_DIRECTORY, temporaryDirectory } from './support/temporary-directory.ts'

/**
 * Issue 11: a runbook saved through the API is in Chroma and routed to by the very next chat
 * turn, with no restart; deleted, it is gone from both. The server is built as `helpdesk serve`
 * builds it (project store, executors, audit) against a real Chroma; a second start reads the
 * runbooks from the store alone, with the seed directory gone.
 */
let directory: Awaited<ReturnType<typeof temporaryDirectory>>
let chroma: EmbeddedChromaServer
let chromaUrl: string
let runtime: HelpdeskRuntime | undefined
let baseUrl: string
let closeHttp: (() => void) | undefined
const tokens: Record<string, string> = {}
const REQUEST = 'the smartboard in room 4.12 says no signal from my laptop'

async function start(instructionsDirectory: string): Promise<HelpdeskRuntime> {
  const built = await buildRuntime(
    loadConfig({
      CHROMA_URL: chromaUrl,
      HELPDESK_DATA_DIR: directory.path,
      INSTRUCTIONS_DIR: instructionsDirectory,
    }),
    { log: () => {}, ingest: true, persistence: true, execution: true },
  )
  const users = built.users
  if (!users) throw new Error('persistence: true builds a user store')
  for (const [name, role] of [
    ['rita', 'requester'],
    ['tom', 'technician'],
    ['ada', 'admin'],
  ] as const) {
    if (!tokens[name]) tokens[name] = (await users.add(name, role)).token
  }
  const app = createApp({
    core: built.core,
    sessions: built.sessions,
    authentication: { mode: 'token', users },
    instructions: built.knowledge.instructions,
    ...(built.library ? { library: built.library } : {}),
    readiness: () => built.knowledge.readiness(),
    log: () => {},
  })
  await new Promise<void>((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
      baseUrl = `http://127.0.0.1:${info.port}`
      resolve()
    })
    closeHttp = () => server.close()
  })
  return built
}

async function stop(): Promise<void> {
  closeHttp?.()
  await runtime?.close()
  runtime = undefined
}

beforeAll(async () => {
  directory = await temporaryDirectory('helpdesk-instructions')
  chroma = new EmbeddedChromaServer({
    dataDirectory: path.join(directory.path, 'chroma'),
    runtimeCacheDirectory: RUNTIME_CACHE_DIRECTORY,
  })
  chromaUrl = (await chroma.start()).url
  runtime = await start('data/instructions')
})

afterAll(async () => {
  await stop()
  await chroma?.stop()
  await directory?.remove()
})

const headers = (person: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${tokens[person]}`,
  ...extra,
})
const chatTasks = async (message: string) => {
  const response = await fetch(`${baseUrl}/api/chat`, {
    method: 'POST',
    headers: headers('rita', { 'content-type': 'application/json' }),
    body: JSON.stringify({ message }),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { tasks: string[] }).tasks
}
const chunksOf = async (id: string) => {
  const hashes = await runtime?.knowledge.store.listHashes()
  return [...(hashes?.keys() ?? [])].filter((chunk) => chunk.startsWith(`${id}:`)).length
}

describe('instruction manager on a real Chroma, without a restart', () => {
  it('seeded the store from data/instructions and ingested it', async () => {
    expect(runtime?.library?.currentVersions().size).toBe(23)
    expect(await runtime?.knowledge.store.count()).toBe(runtime?.ingestReport?.total)
  })

  it('POST a new runbook: in Chroma at once, and the next chat turn routes to it', async () => {
    expect(await chatTasks(REQUEST)).not.toContain('smartboard_not_projecting')
    expect(await chunksOf('smartboard_not_projecting')).toBe(0)
    const started = performance.now()
    const created = await fetch(`${baseUrl}/api/instructions`, {
      method: 'POST',
      headers: headers('tom', {
        'content-type': 'text/markdown',
        'x-change-reason': 'new%20rooms',
      }),
      body: SMARTBOARD,
    })
    const saveMs = Math.round(performance.now() - started)
    expect(created.status, await created.clone().text()).toBe(201)
    expect(await created.json()).toMatchObject({ id: 'smartboard_not_projecting', indexed: true })
    console.log(`save + re-index + router rebuild: ${saveMs} ms`)
    expect(await chunksOf('smartboard_not_projecting')).toBeGreaterThan(12)
    expect(await chatTasks(REQUEST)).toEqual(['smartboard_not_projecting'])
  })

  it('DELETE it: its chunks leave Chroma and the next turn no longer routes to it', async () => {
    const deleted = await fetch(`${baseUrl}/api/instructions/smartboard_not_projecting`, {
      method: 'DELETE',
      headers: headers('ada'),
    })
    expect(deleted.status).toBe(200)
    expect(await chunksOf('smartboard_not_projecting')).toBe(0)
    expect(await chatTasks(REQUEST)).not.toContain('smartboard_not_projecting')
  })

  it('a restart reads the store alone: the seed directory may be gone', async () => {
    const restored = await fetch(
      `${baseUrl}/api/instructions/smartboard_not_projecting/versions/1/restore`,
      { method: 'POST', headers: headers('ada') },
    )
    expect(restored.status).toBe(200)
    await stop()
    runtime = await start(path.join(directory.path, 'no-such-directory'))
    expect(runtime.knowledge.instructions.has('smartboard_not_projecting')).toBe(true)
    expect(runtime.knowledge.instructions.size).toBe(24)
    expect(await chatTasks(REQUEST)).toEqual(['smartboard_not_projecting'])
    const versions = await fetch(`${baseUrl}/api/instructions/smartboard_not_projecting/versions`, {
      headers: headers('tom'),
    })
    const body = (await versions.json()) as { versions: Array<{ change: string }> }
    expect(body.versions.map((each) => each.change)).toEqual(['restored', 'deleted', 'created'])
  })
})
