import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../tests/support/memory-runtime.ts'
import { SqliteUserStore } from '../identity/sqlite-user-store.ts'
import { createApp } from '../server/create-app.ts'
import { readMetricsToken } from './http-observability.ts'
import { createServerLogger, lineLog } from './logger.ts'
import { metrics } from './metrics.ts'

const METRICS_TOKEN = 'scrape-token-0123456789abcdef'
const logChunks: string[] = []
const users = new SqliteUserStore({ file: ':memory:' })
let userToken = ''
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  const runtime = await buildMemoryRuntime()
  userToken = (await users.add('maria.garcia', 'requester')).token
  const logger = createServerLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        logChunks.push(chunk.toString())
        done()
      },
    }),
  })
  app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: (line) => logger.info(line),
    logger,
    metricsToken: METRICS_TOKEN,
  })
})

const scrape = async () => {
  const response = await app.request('/metrics', {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return response.text()
}
const logLines = () =>
  logChunks
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)

const chat = (message: string, requestId?: string) =>
  app.request('/api/chat', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${userToken}`,
      ...(requestId ? { 'x-request-id': requestId } : {}),
    },
    body: JSON.stringify({ message }),
  })

describe('/metrics', () => {
  it('is refused without the metrics token, and a user token is not one', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token-0123456789',
      `Bearer ${userToken}`,
    ]) {
      const response = await app.request('/metrics', {
        headers: authorization ? { authorization } : {},
      })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect(await response.text()).not.toMatch(/helpdesk_/)
    }
  })

  it('is off (404) when no metrics token is configured', async () => {
    const runtime = await buildMemoryRuntime()
    const plain = createApp({
      core: runtime.core,
      sessions: runtime.sessions,
      authentication: { mode: 'none' },
      instructions: runtime.knowledge.instructions,
      readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
      log: () => {},
    })
    const response = await plain.request('/metrics')
    expect(response.status).toBe(404)
    expect(await response.text()).toMatch(/HELPDESK_METRICS_TOKEN_FILE/)
  })

  it('counts chat turns by framework, routing decisions, HTTP requests by route template and errors by code', async () => {
    const turns = () =>
      metrics.chatTurns
        .get()
        .then((m) =>
          m.values.find((v) => v.labels.framework === 'core' && v.labels.outcome === 'ok'),
        )
    const before = (await turns())?.value ?? 0
    expect((await chat('I forgot my Windows password, my username is maria.garcia')).status).toBe(
      200,
    )
    expect((await chat('what is the weather tomorrow in Lisbon?')).status).toBe(200)
    const session = await chat('my account is locked')
    const { sessionId } = (await session.json()) as { sessionId: string }
    await app.request(`/api/sessions/${sessionId}`, {
      headers: { authorization: `Bearer ${userToken}` },
    })
    await app.request('/api/sessions/00000000-0000-0000-0000-000000000000', {
      headers: { authorization: `Bearer ${userToken}` },
    })
    expect((await turns())?.value).toBe(before + 3)

    const text = await scrape()
    expect(text).toMatch(/helpdesk_chat_turns_total\{framework="core",outcome="ok"\} \d+/)
    expect(text).toMatch(/helpdesk_chat_turn_duration_seconds_count\{framework="core"\} \d+/)
    expect(text).toMatch(
      /helpdesk_routing_decisions_total\{task="password_reset",out_of_scope="false"\} \d+/,
    )
    expect(text).toMatch(/helpdesk_routing_decisions_total\{task="none",out_of_scope="true"\} \d+/)
    expect(text).toMatch(
      /helpdesk_http_requests_total\{method="POST",route="\/api\/chat",status="200"\} \d+/,
    )
    expect(text).toMatch(
      /helpdesk_http_requests_total\{method="GET",route="\/api\/sessions\/:id",status="200"\} \d+/,
    )
    expect(text).toMatch(/helpdesk_errors_total\{code="SESSION_NOT_FOUND"\} \d+/)
    // Default process metrics.
    expect(text).toMatch(/helpdesk_process_resident_memory_bytes \d+/)
    expect(text).toMatch(/helpdesk_nodejs_eventloop_lag_seconds/)
    // Nothing identifying: no username, no session id, no token.
    for (const secret of ['maria.garcia', sessionId, userToken, METRICS_TOKEN])
      expect(text).not.toContain(secret)
  })
})

describe('request log', () => {
  it('gives every request an id, answers it, and writes one access line with it and no secrets', async () => {
    logChunks.length = 0
    const response = await chat('I forgot my Windows password, my username is maria.garcia')
    const requestId = response.headers.get('x-request-id')
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
    const access = logLines().filter((line) => line.msg === 'request')
    expect(access).toEqual([
      expect.objectContaining({
        requestId,
        method: 'POST',
        route: '/api/chat',
        status: 200,
        durationMs: expect.any(Number),
      }),
    ])
    expect(logChunks.join('')).not.toContain(userToken)
  })

  it('writes the access lines of probes and scrapes at debug level only', async () => {
    logChunks.length = 0
    await app.request('/healthz')
    await app.request('/readyz')
    await app.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(logLines().filter((line) => line.msg === 'request')).toEqual([])
    await app.request('/api/sessions', { headers: { authorization: `Bearer ${userToken}` } })
    expect(logLines().filter((line) => line.msg === 'request')).toHaveLength(1)
  })

  it('keeps a plain caller-given request id and replaces a hostile one', async () => {
    expect((await chat('hello', 'trace-42')).headers.get('x-request-id')).toBe('trace-42')
    const hostile = await chat('hello', `x "forged" ${'y'.repeat(80)}`)
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('puts the request id on the error lines of a request', async () => {
    logChunks.length = 0
    const runtime = await buildMemoryRuntime()
    const logger = createServerLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          logChunks.push(chunk.toString())
          done()
        },
      }),
    })
    const failing = createApp({
      core: runtime.core,
      sessions: runtime.sessions,
      authentication: { mode: 'none' },
      instructions: runtime.knowledge.instructions,
      readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
      log: lineLog(logger),
      logger,
    })
    failing.get('/boom', () => {
      throw new Error(`kaboom with Bearer ${userToken}`)
    })
    const response = await failing.request('/boom')
    expect(response.status).toBe(500)
    const requestId = response.headers.get('x-request-id')
    const lines = logLines()
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        requestId,
        msg: expect.stringMatching(/^error INTERNAL on GET \/boom: kaboom/),
      }),
      expect.objectContaining({ level: 'info', requestId, msg: 'request', status: 500 }),
    ])
    expect(logChunks.join('')).not.toContain(userToken)
  })
})

describe('readMetricsToken', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'metrics-token-'))
  it('reads a token and refuses a short or missing one, naming the setting', () => {
    const good = path.join(directory, 'good')
    writeFileSync(good, `${METRICS_TOKEN}\n`)
    expect(readMetricsToken(good)).toBe(METRICS_TOKEN)
    const short = path.join(directory, 'short')
    writeFileSync(short, 'abc')
    expect(() => readMetricsToken(short)).toThrow(/HELPDESK_METRICS_TOKEN_FILE: .* at least 16/)
    expect(() => readMetricsToken(path.join(directory, 'missing'))).toThrow(
      /HELPDESK_METRICS_TOKEN_FILE: cannot read .*ENOENT/,
    )
  })
})
