import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../tests/support/memory-runtime.ts'
import { HelpdeskCore } from '../agent/core/helpdesk-core.ts'
import { MemorySessionStore } from '../agent/core/memory-session-store.ts'
import type { TurnResult } from '../agent/core/turn.ts'
import { dryRunSteps } from '../app/chat-step-runner.ts'
import { SqliteUserStore } from '../identity/sqlite-user-store.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { Readiness } from '../knowledge/knowledge-base.ts'
import type { RequestRouter } from '../retrieval/request-router.ts'
import { createApp } from './create-app.ts'

let app: ReturnType<typeof createApp>
let readiness: Readiness = { ready: true, checks: { store: 'ok', ingested: 'ok' } }
const logged: string[] = []
const users = new SqliteUserStore({ file: ':memory:' })
const tokens: Record<string, string> = {}

beforeAll(async () => {
  const runtime = await buildMemoryRuntime()
  for (const username of ['jdoe', 'maria.garcia']) {
    tokens[username] = (await users.add(username, 'requester')).token
  }
  app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => readiness,
    log: (line) => logged.push(line),
  })
})

interface ErrorBody {
  error: { code: string; message: string }
}
const turn = async (response: Response) => (await response.json()) as TurnResult
const failure = async (response: Response) => (await response.json()) as ErrorBody

const signedIn = (username = 'jdoe') => ({ authorization: `Bearer ${tokens[username]}` })
const get = (path: string) => app.request(path, { headers: signedIn() })

const chat = (body: unknown, path = '/api/chat', username = 'jdoe') =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signedIn(username) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

describe('chat API', () => {
  it('answers a request with tasks, a dry-run plan and the exact script', async () => {
    const response = await chat({ message: 'I forgot my Windows password, my username is jdoe' })
    expect(response.status).toBe(200)
    const body = await turn(response)
    expect(body.sessionId).toMatch(/^[0-9a-f-]{36}$/)
    expect(body.tasks).toEqual(['password_reset'])
    expect(body.missing).toEqual([])
    expect(body.plan[0]?.parameters).toMatchObject({ username: 'jdoe', system: 'active_directory' })
    const operations = body.plan[0]?.steps.map((step) =>
      step.invocation.type === 'operation' ? step.invocation.operation : '',
    )
    expect(operations).toContain('reset_password')
    expect(body.results.every((result) => result.status === 'dry_run' && !result.changed)).toBe(
      true,
    )
    // jdoe is a requester: the short reply; the plan and results above carry the details.
    expect(body.reply).toMatch(/nothing has been changed yet/)
  })

  it('asks for a missing parameter and takes "the AWS one" as the answer', async () => {
    // The signed-in user is the requester: their username fills the request.
    const first = await turn(
      await chat({ message: 'I need a password reset' }, '/api/chat', 'maria.garcia'),
    )
    expect(first.tasks).toEqual(['password_reset'])
    expect(first.plan).toEqual([])
    expect(first.missing[0]?.parameter).toBe('system')
    expect(first.reply).toMatch(/AWS console login/)
    const aws = await turn(
      await chat(
        { sessionId: first.sessionId, message: 'the AWS one' },
        '/api/chat',
        'maria.garcia',
      ),
    )
    expect(aws.plan[0]?.parameters.username).toBe('maria.garcia')
    expect(aws.plan[0]?.parameters.system).toBe('aws_iam')
    expect(
      aws.plan[0]?.steps.map((step) =>
        step.invocation.type === 'operation' ? step.invocation.operation : '',
      ),
    ).toContain('reset_console_password')
  })

  it('streams noun-verb events over SSE and ends with reply-end', async () => {
    const response = await chat({ message: 'forgot my AD password, user jdoe' }, '/api/chat/stream')
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/)
    const text = await response.text()
    const events = [...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1])
    expect(events[0]).toBe('route-end')
    expect(events).toContain('plan-end')
    expect(events).toContain('step-end')
    expect(events.at(-1)).toBe('reply-end')
  })
})

describe('bad input gets a 4xx that says what was wrong', () => {
  it.each([
    [{ message: '' }, 400, 'INVALID_INPUT', /message: must not be empty/],
    [{ message: '   ' }, 400, 'INVALID_INPUT', /message: must not be empty/],
    [
      { message: 'x'.repeat(4001) },
      413,
      'MESSAGE_TOO_LONG',
      /4001 characters is more than the 4000 allowed/,
    ],
    [
      { message: 'unlock user ad\u200bministrator' },
      400,
      'INVALID_INPUT',
      /message: contains U\+200B ZERO WIDTH SPACE \(character 15\)/,
    ],
    [{}, 400, 'INVALID_INPUT', /message: expected a string/],
    [{ message: 'hi', extra: 1 }, 400, 'INVALID_INPUT', /extra/],
    [
      { message: 'hi', sessionId: 'no-such-session' },
      404,
      'SESSION_NOT_FOUND',
      /no session "no-such-session"/,
    ],
    ['{"message": "unterminated', 400, 'MALFORMED_JSON', /not valid JSON/],
  ])('%j -> %i %s', async (body, status, code, message) => {
    const response = await chat(body)
    expect(response.status).toBe(status)
    const json = await failure(response)
    expect(json.error.code).toBe(code)
    expect(json.error.message).toMatch(message)
  })

  it('the stream refuses an invisible character with a 400 before it opens', async () => {
    const response = await chat({ message: 'unlock user jdoe\u202e' }, '/api/chat/stream')
    expect(response.status).toBe(400)
    expect((await failure(response)).error.message).toMatch(/U\+202E RIGHT-TO-LEFT OVERRIDE/)
  })

  it('refuses an unknown instruction id and an unknown route', async () => {
    const unknown = await get('/api/instructions/nope')
    expect(unknown.status).toBe(404)
    expect((await failure(unknown)).error.message).toMatch(/no instruction "nope"/)
    expect((await get('/api/nothing')).status).toBe(404)
  })

  it('refuses an over-large body before reading it', async () => {
    const response = await chat({ message: 'a'.repeat(70_000) })
    expect(response.status).toBe(413)
  })
})

describe('instructions, health and the page', () => {
  it('lists every runbook and returns one in full', async () => {
    const list = (await (await get('/api/instructions')).json()) as {
      instructions: unknown[]
    }
    expect(list.instructions.length).toBeGreaterThanOrEqual(23)
    const one = (await (await get('/api/instructions/password_reset')).json()) as Instruction
    expect(one.actions.length).toBeGreaterThan(0)
    expect(one.body).toMatch(/## When to use/)
  })

  it('is alive, and ready only when the store is', async () => {
    expect((await app.request('/healthz')).status).toBe(200)
    expect((await app.request('/readyz')).status).toBe(200)
    readiness = { ready: false, checks: { store: 'Chroma unreachable', ingested: 'unknown' } }
    const down = await app.request('/readyz')
    expect(down.status).toBe(503)
    expect(((await down.json()) as Readiness).checks.store).toBe('Chroma unreachable')
    readiness = { ready: true, checks: { store: 'ok', ingested: 'ok' } }
  })

  it('serves the chat page with a strict content security policy', async () => {
    const page = await app.request('/')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/text\/html/)
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/)
  })

  it('serves Preact with htm as one ES module the browser can cache', async () => {
    const module = await app.request('/ui/vendor/preact-htm.js')
    expect(module.status).toBe(200)
    expect(module.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(module.headers.get('cache-control')).toMatch(/^public, max-age=\d+/)
    const text = await module.text()
    // What the pages import from it; and no bare import the browser could not resolve.
    expect(text).toMatch(/export\s*\{[^}]*\bhtml\b[^}]*\}/)
    for (const name of ['render', 'useState', 'useEffect', 'useRef']) expect(text).toContain(name)
    expect(text).not.toMatch(/\bimport\s*[{"'a-zA-Z*]/)
  })

  it('keeps internal error details out of responses and in the log', async () => {
    // A real core whose router fails with an unexpected (non-helpdesk) error.
    const failingRouter: RequestRouter = {
      route: async () => {
        throw new Error('secret stack detail')
      },
    }
    const sessions = new MemorySessionStore()
    const failing = createApp({
      core: new HelpdeskCore({
        instructions: new Map(),
        router: failingRouter,
        sessions,
        runStep: dryRunSteps(),
        handoffs: new Map(),
        maxMessageCharacters: 4000,
      }),
      sessions,
      authentication: { mode: 'token', users },
      instructions: new Map(),
      readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
      log: (line) => logged.push(line),
    })
    const response = await failing.request('/api/chat', {
      method: 'POST',
      headers: signedIn(),
      // A request, so the router is asked (a greeting is answered without routing).
      body: JSON.stringify({ message: 'my printer is broken' }),
    })
    expect(response.status).toBe(500)
    expect(JSON.stringify(await response.json())).not.toMatch(/secret stack detail/)
    expect(logged.join('\n')).toMatch(/secret stack detail/)
  })
})
