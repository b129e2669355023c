import type { Hono } from 'hono'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import { HelpdeskError } from '../../errors/index.ts'
import { SqliteUserStore } from '../../identity/sqlite-user-store.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'
import type { ChatTurns } from '../chat-turns.ts'
import { createApp } from '../create-app.ts'
import { gradioRoutes } from './gradio-routes.ts'

// The wire protocol as the client meets it, without sockets: the full app for sign-in and
// session separation, and the routes alone over stand-in turns for failures inside a turn.
// tests/gradio-client.int.test.ts runs the real @gradio/client against a real server.

let app: ReturnType<typeof createApp>
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
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
  })
})

interface Message {
  msg: string
  event_id: string | null
  [field: string]: unknown
}

const signedIn = (username: string): Record<string, string> =>
  tokens[username] ? { authorization: `Bearer ${tokens[username]}` } : {}

function join(target: { request: Hono['request'] }, username: string, body: unknown) {
  return target.request('/gradio_api/queue/join', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signedIn(username) },
    body: JSON.stringify(body),
  })
}

/** The data stream to its end: one parsed message per `data:` line. */
async function messages(
  target: { request: Hono['request'] },
  username: string,
  sessionHash: string,
): Promise<{ status: number; messages: Message[] }> {
  const response = await target.request(`/gradio_api/queue/data?session_hash=${sessionHash}`, {
    headers: signedIn(username),
  })
  const text = await response.text()
  const parsed = [...text.matchAll(/^data: (.*)$/gm)].map(
    (match) => JSON.parse(match[1] ?? '') as Message,
  )
  return { status: response.status, messages: parsed }
}

const chatBody = (message: string, sessionHash: string, sessionId: string | null = '') => ({
  data: [message, sessionId],
  event_data: null,
  fn_index: 1,
  trigger_id: null,
  session_hash: sessionHash,
})

describe('Gradio routes in the app', () => {
  it('a 401 on /config carries the reason where the client reads it, and nothing is cached', async () => {
    const response = await app.request('/config')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const body = (await response.json()) as { detail: { auth_message: string } }
    expect(body.detail.auth_message).toMatch(/this API needs a signed-in user/)
    const info = await app.request('/gradio_api/info')
    expect(info.status).toBe(401)
    expect(((await info.json()) as { detail: string }).detail).toMatch(/signed-in user/)
  })

  it('the data stream refuses a caller without a token as a Gradio message, never an HTTP error', async () => {
    const { status, messages: sent } = await messages(app, 'nobody', 'abc')
    expect(status).toBe(200)
    expect(sent).toEqual([
      {
        msg: 'unexpected_error',
        event_id: null,
        message: expect.stringMatching(/this API needs a signed-in user/),
        success: false,
      },
    ])
  })

  it("a session hash names the caller's own stream: another user naming it reads nothing of theirs", async () => {
    const joined = await join(
      app,
      'jdoe',
      chatBody('I forgot my Windows password, my username is jdoe', 'same-hash'),
    )
    expect(joined.status).toBe(200)
    const { event_id: eventId } = (await joined.json()) as { event_id: string }
    const intruder = await messages(app, 'maria.garcia', 'same-hash')
    expect(intruder.messages).toEqual([
      expect.objectContaining({ msg: 'unexpected_error', session_not_found: true }),
    ])
    const owner = await messages(app, 'jdoe', 'same-hash')
    expect(owner.messages.map((message) => message.msg)).toEqual([
      'estimation',
      'process_starts',
      ...owner.messages.slice(2, -2).map(() => 'process_generating'),
      'process_completed',
      'close_stream',
    ])
    const completed = owner.messages.at(-2)
    expect(completed).toMatchObject({ event_id: eventId, success: true })
    const output = completed?.output as { data: [string] } | undefined
    expect(output?.data[0]).toMatch(/Reset a forgotten or expired password/)
  })

  it("failed sign-ins there count with the API's: guessing tokens on /config is limited as on /api", async () => {
    const from = (address: string, path: string, token: string) =>
      app.request(
        path,
        { headers: { authorization: `Bearer ${token}` } },
        { incoming: { socket: { remoteAddress: address } } },
      )
    const wrong = `hd_${'W'.repeat(43)}`
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect((await from('10.9.0.1', '/config', wrong)).status, `attempt ${attempt + 1}`).toBe(401)
    }
    // The API, with a right token, now waits at that address too.
    expect((await from('10.9.0.1', '/api/me', tokens.jdoe ?? '')).status).toBe(429)
    const limited = await from('10.9.0.1', '/gradio_api/info', tokens.jdoe ?? '')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
    expect((await from('10.9.0.2', '/config', tokens.jdoe ?? '')).status).toBe(200)
  })

  it.each([
    [{ ...chatBody('hi', 'h1'), fn_index: 0 }, /fn_index: expected 1, the only endpoint/],
    [{ ...chatBody('hi', 'h1'), data: ['hi'] }, /data: /],
    [{ ...chatBody('hi', 'h1'), data: [42, ''] }, /data.0: expected the message as a string/],
    [{ ...chatBody('hi', 'h1'), session_hash: '../x' }, /session_hash: expected 1 to 100/],
    [chatBody('hi', 'h1', 'x'.repeat(101)), /data.1: /],
  ])('a malformed join is refused naming the field: %j', async (body, expected) => {
    const response = await join(app, 'jdoe', body)
    expect(response.status).toBe(400)
    expect(((await response.json()) as { detail: string }).detail).toMatch(expected)
  })
})

describe('a turn that fails', () => {
  const anyone = { username: 'jdoe', role: 'requester', signedIn: true } as const
  const logged: string[] = []
  function routesFailingWith(error: Error): Hono<AuthenticatedEnvironment> {
    const turns: ChatTurns = {
      prepare: async (_caller, request) => ({ sessionId: 'session-1', message: request.message }),
      run: async (_input, onEvent = () => {}) => {
        onEvent({ type: 'route-end', tasks: ['password_reset'], ranked: [] })
        throw error
      },
    }
    return gradioRoutes({
      turns,
      signIn: async (context, next) => {
        context.set('caller', anyone)
        await next()
      },
      log: (line) => logged.push(line),
    })
  }

  it('ends its event with the error where the client reads it (output.error), after the progress so far', async () => {
    const routes = routesFailingWith(
      new HelpdeskError({ code: 'SESSION_NOT_FOUND', message: 'sessionId: no session "x"' }),
    )
    await join(routes, 'jdoe', chatBody('hello', 'failing'))
    const { messages: sent } = await messages(routes, 'jdoe', 'failing')
    expect(sent.map((message) => message.msg)).toEqual([
      'estimation',
      'process_starts',
      'process_generating',
      'process_completed',
      'close_stream',
    ])
    expect(sent[3]).toMatchObject({
      success: false,
      output: { error: 'sessionId: no session "x"', visible: true },
    })
  })

  it('an internal failure reaches the client as "see the server log", its detail only the log', async () => {
    const routes = routesFailingWith(new Error('database at /var/lib/secret is locked'))
    await join(routes, 'jdoe', chatBody('hello', 'internal'))
    const { messages: sent } = await messages(routes, 'jdoe', 'internal')
    expect(JSON.stringify(sent)).not.toContain('/var/lib/secret')
    expect(sent[3]).toMatchObject({
      success: false,
      output: { error: 'internal error; see the server log' },
    })
    expect(logged.join('\n')).toContain('database at /var/lib/secret is locked')
  })
})
