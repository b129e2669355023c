import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../tests/support/memory-runtime.ts'
import type { TurnResult } from '../agent/core/turn.ts'
import { hashAccessToken } from '../identity/access-token.ts'
import { SqliteUserStore } from '../identity/sqlite-user-store.ts'
import type { Authentication } from './authentication.ts'
import { createApp } from './create-app.ts'

// Who may call the API, as whom, and whose conversations they see.

let runtime: Awaited<ReturnType<typeof buildMemoryRuntime>>
let app: ReturnType<typeof createApp>
const users = new SqliteUserStore({ file: ':memory:' })
const tokens: Record<string, string> = {}

function appWith(authentication: Authentication) {
  return createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication,
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
  })
}

beforeAll(async () => {
  runtime = await buildMemoryRuntime()
  const roles = { jdoe: 'requester', maria: 'requester', tech: 'technician', boss: 'admin' }
  for (const [username, role] of Object.entries(roles)) {
    tokens[username] = (await users.add(username, role as 'requester')).token
  }
  app = appWith({ mode: 'token', users })
})

interface ErrorBody {
  error: { code: string; message: string }
}
const as = (username: string) => ({ authorization: `Bearer ${tokens[username]}` })
const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers })
const post = (path: string, body: unknown, headers: Record<string, string>) =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
const chatAs = async (username: string, body: Record<string, unknown>) => {
  const response = await post('/api/chat', body, as(username))
  expect(response.status, await response.clone().text()).toBe(200)
  return (await response.json()) as TurnResult
}

describe('every /api call needs a bearer token', () => {
  const routes: Array<[string, string]> = [
    ['GET', '/api/me'],
    ['GET', '/api/sessions'],
    ['GET', '/api/instructions'],
    ['GET', '/api/nothing'],
    ['POST', '/api/chat'],
    ['POST', '/api/chat/stream'],
  ]

  it.each(routes)(
    '%s %s without a token: 401 UNAUTHENTICATED saying what to send',
    async (method, path) => {
      const response = await app.request(path, {
        method,
        ...(method === 'POST' ? { body: JSON.stringify({ message: 'hi' }) } : {}),
      })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
      const body = (await response.json()) as ErrorBody
      expect(body.error.code).toBe('UNAUTHENTICATED')
      expect(body.error.message).toMatch(/Authorization: Bearer <token>/)
      expect(body.error.message).toMatch(/helpdesk users add/)
    },
  )

  it.each([
    ['Basic amRvZTpodW50ZXIy', /malformed/],
    ['Bearer', /malformed/],
    ['hd_abc', /malformed/],
    [`Bearer hd_${'A'.repeat(43)}`, /not valid/],
    ['Bearer not-a-helpdesk-token', /not valid/],
  ])('Authorization %j: 401 (%s)', async (header, message) => {
    const response = await get('/api/me', { authorization: header })
    expect(response.status).toBe(401)
    const body = (await response.json()) as ErrorBody
    expect(body.error.code).toBe('UNAUTHENTICATED')
    expect(body.error.message).toMatch(message)
  })

  it('refuses an altered token and the stored hash of a real one, and never echoes it', async () => {
    const token = tokens.jdoe ?? ''
    const altered = `${token.slice(0, -2)}${token.endsWith('xx') ? 'yy' : 'xx'}`
    for (const wrong of [altered, hashAccessToken(token)]) {
      const response = await get('/api/me', { authorization: `Bearer ${wrong}` })
      expect(response.status).toBe(401)
      expect(await response.text()).not.toContain(wrong)
    }
  })

  it('answers who the caller is', async () => {
    const response = await get('/api/me', as('tech'))
    expect(await response.json()).toEqual({
      username: 'tech',
      role: 'technician',
      authentication: 'token',
    })
    // The scheme name is case-insensitive (RFC 7235).
    const lower = await get('/api/me', { authorization: `bearer ${tokens.jdoe}` })
    expect(((await lower.json()) as { username: string }).username).toBe('jdoe')
  })

  it('leaves the health checks and the page open', async () => {
    for (const path of ['/healthz', '/readyz', '/', '/ui/app.js', '/ui/styles.css']) {
      expect((await get(path)).status, path).toBe(200)
    }
  })
})

describe('the signed-in user is the requester', () => {
  it("fills the request with the caller's username", async () => {
    const first = await chatAs('maria', { message: 'I need a password reset' })
    const second = await chatAs('maria', { sessionId: first.sessionId, message: 'the AWS one' })
    expect(second.plan[0]?.parameters).toMatchObject({ username: 'maria', system: 'aws_iam' })
  })

  it('refuses a requester naming someone else (403), accepts their own name', async () => {
    const refused = await post(
      '/api/chat',
      { message: 'I forgot my password', requester: 'maria' },
      as('jdoe'),
    )
    expect(refused.status).toBe(403)
    const body = (await refused.json()) as ErrorBody
    expect(body.error.code).toBe('FORBIDDEN')
    expect(body.error.message).toMatch(/signed in as jdoe .*only for yourself/)
    const stream = await post(
      '/api/chat/stream',
      { message: 'I forgot my password', requester: 'maria' },
      as('jdoe'),
    )
    expect(stream.status).toBe(403)
    const own = await chatAs('jdoe', { message: 'I forgot my AWS password', requester: 'jdoe' })
    expect(own.plan[0]?.parameters.username).toBe('jdoe')
    // Usernames compare without case: JDOE is jdoe asking for themselves.
    const upper = await chatAs('jdoe', { message: 'I forgot my AWS password', requester: 'JDOE' })
    expect(upper.plan).toHaveLength(1)
  })

  it('lets a technician act for an employee; the session stays the technician’s', async () => {
    const turn = await chatAs('tech', {
      message: 'I forgot my AWS password',
      requester: 'maria',
    })
    expect(turn.plan[0]?.parameters.username).toBe('maria')
    const listed = (await (await get('/api/sessions', as('tech'))).json()) as {
      sessions: Array<{ id: string; requester: string }>
    }
    expect(listed.sessions.find((each) => each.id === turn.sessionId)?.requester).toBe('maria')
    expect((await get(`/api/sessions/${turn.sessionId}`, as('maria'))).status).toBe(404)
    // A conversation is for one person: naming another needs a new conversation.
    const other = await post(
      '/api/chat',
      { sessionId: turn.sessionId, message: 'also unlock it', requester: 'jdoe' },
      as('tech'),
    )
    expect(other.status).toBe(400)
    expect(((await other.json()) as ErrorBody).error.message).toMatch(
      /this conversation is for maria/,
    )
  })
})

describe('sessions are isolated per user', () => {
  it("user B cannot read or continue user A's session: the same 404 as an unknown id", async () => {
    const mine = await chatAs('jdoe', { message: 'my printer PRN-3F-EAST is not working' })
    const unknownId = '00000000-0000-4000-8000-000000000000'
    const answers: string[] = []
    for (const id of [mine.sessionId, unknownId]) {
      const read = await get(`/api/sessions/${id}`, as('maria'))
      const chat = await post('/api/chat', { sessionId: id, message: 'LT-0423' }, as('maria'))
      const stream = await post(
        '/api/chat/stream',
        { sessionId: id, message: 'LT-0423' },
        as('maria'),
      )
      for (const response of [read, chat, stream]) {
        expect(response.status).toBe(404)
        const body = (await response.json()) as ErrorBody
        expect(body.error.code).toBe('SESSION_NOT_FOUND')
        answers.push(body.error.message.replace(id, 'ID'))
      }
    }
    expect(new Set(answers).size).toBe(1)
    const marias = (await (await get('/api/sessions', as('maria'))).json()) as {
      sessions: Array<{ id: string }>
    }
    expect(marias.sessions.map((each) => each.id)).not.toContain(mine.sessionId)
    // Nothing maria sent reached jdoe's conversation.
    const after = (await (await get(`/api/sessions/${mine.sessionId}`, as('jdoe'))).json()) as {
      history: Array<{ text: string }>
    }
    expect(after.history.map((entry) => entry.text)).not.toContain('LT-0423')
  })

  it("lists the caller's own sessions, newest first, with the first message", async () => {
    const first = await chatAs('jdoe', { message: 'my vpn says error 809' })
    const second = await chatAs('jdoe', { message: 'outlook keeps asking for my password' })
    const listed = (await (await get('/api/sessions', as('jdoe'))).json()) as {
      sessions: Array<{ id: string; firstMessage: string; createdAt: string; updatedAt: string }>
    }
    const ids = listed.sessions.map((each) => each.id)
    expect(ids.indexOf(second.sessionId)).toBeLessThan(ids.indexOf(first.sessionId))
    expect(listed.sessions.find((each) => each.id === first.sessionId)).toMatchObject({
      firstMessage: 'my vpn says error 809',
      createdAt: expect.stringMatching(/^\d{4}-/),
      updatedAt: expect.stringMatching(/^\d{4}-/),
    })
    const history = (await (await get(`/api/sessions/${first.sessionId}`, as('jdoe'))).json()) as {
      history: Array<{ role: string; text: string }>
    }
    expect(history.history.map((entry) => entry.role)).toEqual(['user', 'assistant'])
  })

  it("lets an admin read and continue anyone's session", async () => {
    const mine = await chatAs('jdoe', { message: 'my printer is not working' })
    expect((await get(`/api/sessions/${mine.sessionId}`, as('boss'))).status).toBe(200)
    const continued = await chatAs('boss', { sessionId: mine.sessionId, message: 'PRN-3F-EAST' })
    expect(continued.sessionId).toBe(mine.sessionId)
    // A technician is not an admin: someone else's session does not exist for them.
    expect((await get(`/api/sessions/${mine.sessionId}`, as('tech'))).status).toBe(404)
  })
})

describe('HELPDESK_AUTH=none: the old anonymous behaviour', () => {
  it('needs no token, takes the body requester and continues sessions by id', async () => {
    const open = appWith({ mode: 'none' })
    expect(await (await open.request('/api/me')).json()).toEqual({
      username: 'anonymous',
      role: 'requester',
      authentication: 'none',
    })
    const send = async (body: Record<string, unknown>) =>
      (await (
        await open.request('/api/chat', { method: 'POST', body: JSON.stringify(body) })
      ).json()) as TurnResult
    const first = await send({ message: 'I need a password reset', requester: 'maria.garcia' })
    const second = await send({ sessionId: first.sessionId, message: 'the AWS one' })
    expect(second.plan[0]?.parameters.username).toBe('maria.garcia')
    // A signed-in user's session stays theirs even then.
    const signed = await chatAs('jdoe', { message: 'my printer is not working' })
    const foreign = await open.request('/api/chat', {
      method: 'POST',
      body: JSON.stringify({ sessionId: signed.sessionId, message: 'PRN-3F-EAST' }),
    })
    expect(foreign.status).toBe(404)
  })
})
