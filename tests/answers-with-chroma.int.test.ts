import { readFileSync } from 'node:fs'
import path from 'node:path'
import { serve } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TurnResult } from '../src/agent/core/turn.ts'
import { buildRuntime, type HelpdeskRuntime } from '../src/app/build-runtime.ts'
import { loadConfig } from '../src/config/load-config.ts'
import { EmbeddedChromaServer } from '../src/knowledge/chroma/embedded-chroma-server.ts'
import { createApp } from '../src/server/create-app.ts'
import { type RecordedAnswer, startRecordedLlmServer } from './support/recorded-llm-server.ts'
import { RUNTIME_CACHE_DIRECTORY, temporaryDirectory } from './support/temporary-directory.ts'

// Answers to how-to questions through the HTTP API, with the runbooks routed on a real Chroma:
// extractive without a model, and written by the (recorded) model when LLM_BASE_URL is set.
const RECORDED: RecordedAnswer[] = JSON.parse(
  readFileSync('tests/fixtures/llm-recordings/answer-map-network-drive.json', 'utf8'),
)
const DRIVE_RUNBOOK_TITLE =
  'Get access to a shared drive, or bring back a missing or disconnected mapped drive'

let directory: Awaited<ReturnType<typeof temporaryDirectory>>
let chroma: EmbeddedChromaServer
let chromaUrl = ''
const closers: Array<() => Promise<void> | void> = []

beforeAll(async () => {
  directory = await temporaryDirectory('helpdesk-answers')
  chroma = new EmbeddedChromaServer({
    dataDirectory: path.join(directory.path, 'chroma'),
    runtimeCacheDirectory: RUNTIME_CACHE_DIRECTORY,
  })
  chromaUrl = (await chroma.start()).url
})

afterAll(async () => {
  for (const close of closers.reverse()) await close()
  await chroma?.stop()
  await directory?.remove()
})

/** A server over a runtime built from `environment` (the model settings are read from it). */
async function serverWith(name: string, environment: Record<string, string>) {
  const saved = { ...process.env }
  Object.assign(process.env, environment)
  let runtime: HelpdeskRuntime
  try {
    runtime = await buildRuntime(
      loadConfig({ CHROMA_URL: chromaUrl, HELPDESK_DATA_DIR: path.join(directory.path, name) }),
      { log: () => {}, ingest: true },
    )
  } finally {
    for (const key of Object.keys(environment)) delete process.env[key]
    Object.assign(process.env, saved)
  }
  closers.push(() => runtime.close())
  const app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'none' },
    instructions: runtime.knowledge.instructions,
    readiness: () => runtime.knowledge.readiness(),
    log: () => {},
  })
  const baseUrl = await new Promise<string>((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
      resolve(`http://127.0.0.1:${info.port}`),
    )
    closers.push(() => {
      server.close()
    })
  })
  return async (message: string): Promise<TurnResult> => {
    const response = await fetch(`${baseUrl}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message }),
    })
    expect(response.status).toBe(200)
    return (await response.json()) as TurnResult
  }
}

describe('answers to how-to and why questions over HTTP, routed on a real Chroma', () => {
  it('answers from the runbook prose without a model, cited, with no plan', async () => {
    const chat = await serverWith('offline', {})
    const answered = await chat('how do I map a network drive')
    expect(answered.answer?.sources.map((source) => source.runbook)).toContain(
      'shared_drive_access',
    )
    expect(answered.reply).toContain(`Source: ${DRIVE_RUNBOOK_TITLE} › `)
    expect(answered.reply).toContain('remove and map again')
    expect(answered.plan).toEqual([])
    const locking = await chat('why does my account keep locking')
    expect(locking.answer?.sources[0]?.runbook).toBe('account_locked')
    const handedOff = await chat('how do I claim travel expenses')
    expect(handedOff.answer).toBeUndefined()
    expect(handedOff.outOfScope?.handoff).toBeTruthy()
    const request = await chat('how do I get my password reset')
    expect(request.answer).toBeUndefined()
    expect(request.tasks).toEqual(['password_reset'])
  })

  it('has the configured model write the answer from the retrieved passages', async () => {
    const model = await startRecordedLlmServer(RECORDED)
    closers.push(() => model.close())
    const chat = await serverWith('model', {
      LLM_BASE_URL: model.baseURL,
      LLM_MODEL: 'llama3.1',
      LLM_MAX_RETRIES: '0',
    })
    const answered = await chat('how do I map a network drive')
    const recorded = (
      RECORDED[0]?.body as { choices?: Array<{ message?: { content?: string } }> } | undefined
    )?.choices?.[0]?.message?.content
    expect(answered.reply.startsWith(String(recorded))).toBe(true)
    expect(answered.reply).toContain(`Source: ${DRIVE_RUNBOOK_TITLE} › `)
    expect(answered.plan).toEqual([])
    expect(model.requests).toHaveLength(1)
    const prompt = JSON.stringify(model.requests[0]?.body.messages)
    expect(prompt).toContain('remove and map again')
    expect(prompt).toContain('how do I map a network drive')
  })
})
