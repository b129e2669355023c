import type { AddressInfo } from 'node:net'
import { Client } from '@gradio/client'
import { type ServerType, serve } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqliteUserStore } from '../src/identity/sqlite-user-store.ts'
import type { Plan } from '../src/planning/plan.ts'
import { AccessPolicy } from '../src/policy/access-policy.ts'
import { AccountMap } from '../src/policy/account-map.ts'
import { createApp } from '../src/server/create-app.ts'
import { buildMemoryRuntime } from './support/memory-runtime.ts'

// The real `@gradio/client` against the real HTTP server on a loopback port (in-memory reference
// store, dry-run steps): connect with the bearer token in the client's headers, describe the API,
// ask, continue a conversation, stream, and be refused exactly as the JSON API refuses.

let server: ServerType | undefined
let url = ''
const users = new SqliteUserStore({ file: ':memory:' })
const tokens: Record<string, string> = {}
const clients: Client[] = []

beforeAll(async () => {
  // Whose account: a requester may have only their own planned (the access policy sees the actor).
  const runtime = await buildMemoryRuntime({
    access: new AccessPolicy({ accounts: new AccountMap() }),
  })
  for (const username of ['jdoe', 'maria.garcia']) {
    tokens[username] = (await users.add(username, 'requester')).token
  }
  const app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
  })
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve(info.port),
    )
  })
  url = `http://127.0.0.1:${port}/`
})

afterAll(async () => {
  for (const client of clients) client.close()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
})

/** A client signed in as `username` (the token in the client's headers option). */
async function connect(
  username: string,
  options: Parameters<typeof Client.connect>[1] = {},
): Promise<Client> {
  const client = await Client.connect(url, {
    headers: { Authorization: `Bearer ${tokens[username]}` },
    ...options,
  })
  clients.push(client)
  return client
}

interface DescribedEndpoint {
  parameters: Array<{ parameter_name: string; type: string }>
  returns: Array<{ label: string }>
  type: { generator: boolean }
}

type ChatData = [reply: string, sessionId: string, plan: Plan[]]

async function chat(client: Client, message: string, sessionId = ''): Promise<ChatData> {
  const result = await client.predict('/chat', { message, session_id: sessionId })
  return result.data as ChatData
}

const operationsOf = (plan: Plan | undefined) =>
  plan?.steps.map((step) => (step.invocation.type === 'operation' ? step.invocation.operation : ''))

describe('@gradio/client against the helpdesk', () => {
  it('connects with the bearer token and view_api lists /chat: message and session id in; reply, session id and plan out', async () => {
    const client = await connect('jdoe')
    // The package's own types import "./types" without an extension, which NodeNext resolution
    // leaves unresolved: the fields read here are spelled out instead.
    const api = (await client.view_api()) as { named_endpoints: Record<string, DescribedEndpoint> }
    const chatEndpoint = api.named_endpoints['/chat']
    expect(chatEndpoint?.parameters.map((parameter) => parameter.parameter_name)).toEqual([
      'message',
      'session_id',
    ])
    expect(chatEndpoint?.parameters.map((parameter) => parameter.type)).toEqual([
      'string',
      'string',
    ])
    expect(chatEndpoint?.returns.map((output) => output.label)).toEqual([
      'Reply',
      'Session id',
      'Plan',
    ])
    expect(chatEndpoint?.type.generator).toBe(true)
  })

  it('predict answers a password reset with its dry-run plan', async () => {
    const client = await connect('jdoe')
    const [reply, sessionId, plan] = await chat(
      client,
      'I forgot my Windows password, my username is jdoe',
    )
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/)
    expect(reply).toMatch(/Reset a forgotten or expired password/)
    expect(plan[0]?.taskType).toBe('password_reset')
    expect(plan[0]?.parameters).toMatchObject({ username: 'jdoe', system: 'active_directory' })
    expect(operationsOf(plan[0])).toContain('reset_password')
  })

  it('a second predict with the session id continues the conversation: it answers the open question', async () => {
    const client = await connect('maria.garcia')
    const [question, sessionId, noPlan] = await chat(client, 'I need a password reset')
    expect(question).toMatch(/AWS console login/)
    expect(noPlan).toEqual([])
    const [reply, sameSession, plan] = await chat(client, 'the AWS one', sessionId)
    expect(sameSession).toBe(sessionId)
    expect(reply).not.toBe('')
    expect(plan[0]?.parameters).toMatchObject({ username: 'maria.garcia', system: 'aws_iam' })
    expect(operationsOf(plan[0])).toContain('reset_console_password')
  })

  it('submit streams what the turn does before the completed reply', async () => {
    const client = await connect('jdoe', { events: ['data', 'status'] })
    const job = client.submit('/chat', {
      message: 'forgot my AD password, user jdoe',
      session_id: '',
    })
    const seen: Array<{ stage: string; data?: ChatData }> = []
    for await (const message of job) {
      if (message.type === 'data') seen.push({ stage: 'data', data: message.data as ChatData })
      if (message.type === 'status') seen.push({ stage: message.stage })
    }
    const completed = seen.findIndex((entry) => entry.stage === 'complete')
    expect(completed).toBeGreaterThan(0)
    const updates = seen.slice(0, completed).filter((entry) => entry.data !== undefined)
    // Updates while it ran (routed, planned, steps), then the final reply.
    expect(updates.length).toBeGreaterThan(1)
    const [firstProgress] = updates[0]?.data ?? []
    expect(firstProgress).toMatch(/^Understood as: password_reset/)
    const beforeLast = updates.at(-2)?.data
    expect(beforeLast?.[0]).toMatch(/Planned: .*\n(.*\n)*Step .*: dry_run/)
    expect(beforeLast?.[2].length).toBe(1)
    const final = updates.at(-1)?.data
    expect(final?.[0]).toMatch(/Reset a forgotten or expired password/)
    expect(final?.[1]).toBe(updates[0]?.data?.[1])
    expect(final?.[2][0]?.taskType).toBe('password_reset')
    // The same client can ask again: the stream was closed properly.
    const [again] = await chat(client, 'I forgot my Windows password, my username is jdoe')
    expect(again).toMatch(/Reset a forgotten or expired password/)
  })

  it('two predicts at once on one client share its stream and each gets its own answer', async () => {
    const client = await connect('maria.garcia')
    const [aws, windows] = await Promise.all([
      chat(client, 'I forgot my AWS console password'),
      chat(client, 'I forgot my Windows password'),
    ])
    expect(aws[1]).not.toBe(windows[1])
    expect(aws[2][0]?.parameters).toMatchObject({ username: 'maria.garcia', system: 'aws_iam' })
    expect(windows[2][0]?.parameters).toMatchObject({
      username: 'maria.garcia',
      system: 'active_directory',
    })
    const [after] = await chat(client, 'I forgot my Windows password')
    expect(after).toMatch(/Reset a forgotten or expired password/)
  })

  it('without a token the client cannot connect, and says why', async () => {
    await expect(Client.connect(url)).rejects.toThrow(/this API needs a signed-in user/)
    await expect(
      Client.connect(url, { headers: { Authorization: 'Bearer hd_not-a-real-token' } }),
    ).rejects.toThrow(/the bearer token is not valid/)
  })

  it("another user's session id gets the API's not-found, and the session is left as it was", async () => {
    const owner = await connect('jdoe')
    const [, sessionId] = await chat(owner, 'I need a password reset')
    const other = await connect('maria.garcia')
    await expect(chat(other, 'the AWS one', sessionId)).rejects.toThrow(
      `sessionId: no session "${sessionId}"; omit sessionId to start a new one`,
    )
    // The owner's open question is still open: their answer continues it.
    const [, , plan] = await chat(owner, 'the AWS one', sessionId)
    expect(plan[0]?.parameters).toMatchObject({ username: 'jdoe', system: 'aws_iam' })
  })

  it("a requester asking for another person's account is refused as through the API: the turn's actor is the caller", async () => {
    const message = 'please reset the active directory password for user maria.garcia'
    const client = await connect('jdoe')
    const [reply, , plan] = await chat(client, message)
    expect(plan).toEqual([])
    expect(reply).toMatch(/Only a technician can do this for another person/)
    const api = await fetch(`${url}api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.jdoe}` },
      body: JSON.stringify({ message }),
    })
    expect(((await api.json()) as { reply: string }).reply).toBe(reply)
  })

  it('bad input is refused with the same message as the API, and the client keeps working', async () => {
    const client = await connect('jdoe')
    await expect(chat(client, '   ')).rejects.toThrow(/message: must not be empty/)
    await expect(chat(client, 'x'.repeat(4001))).rejects.toThrow(
      /4001 characters is more than the 4000 allowed/,
    )
    const [reply] = await chat(client, 'I forgot my Windows password, my username is jdoe')
    expect(reply).toMatch(/Reset a forgotten or expired password/)
  })
})
