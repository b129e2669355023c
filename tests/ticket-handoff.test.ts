import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type AuthorizationWorld,
  buildAuthorizationWorld,
  type Person,
} from './support/authorization-world.ts'

/**
 * A hand-off end to end through the HTTP API: the employee asks for a person, a ticket opens
 * (once) with the conversation attached and the reply names it; a technician picks it up,
 * answers and closes it; the employee reads the answer in the conversation and "My requests"
 * follows (handed off, answered, done); every change is in the audit trail.
 */

let world: AuthorizationWorld

// Building the world runs a first turn for each of six people: slow on a busy machine.
beforeAll(async () => {
  world = await buildAuthorizationWorld()
}, 60_000)
afterAll(async () => {
  await world?.close()
})

async function call(person: Person, method: string, path: string, body?: unknown) {
  const response = await world.app.request(path, {
    method,
    headers: {
      authorization: `Bearer ${world.tokens[person]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('tickets through the API', () => {
  it('a hand-off opens one ticket; technicians pick it up, answer and close it; the employee reads the answer', async () => {
    const first = await call('bob', 'POST', '/api/chat', {
      message: 'my outlook crashes every time I open it, my password is Winter2026!',
    })
    const sessionId = first.body.sessionId as string
    const handoff = await call('bob', 'POST', '/api/chat', {
      sessionId,
      message: 'I want to talk to a person',
    })
    expect(handoff.status).toBe(200)
    const opened = handoff.body.ticket as { id: string; number: number }
    expect(opened.number).toBeGreaterThan(0)
    expect(handoff.body.reply).toContain(`I've opened ticket ${opened.number}`)
    expect(handoff.body.reply).toContain('will answer here')

    // The stored conversation says the same; the ticket carries it, the password masked.
    const session = await call('bob', 'GET', `/api/sessions/${sessionId}`)
    const history = session.body.history as Array<{ role: string; text: string }>
    expect(history.at(-1)?.text).toBe(handoff.body.reply)
    expect(session.body.status).toBe('handed_off')
    const ticket = await call('bob', 'GET', `/api/tickets/${opened.id}`)
    expect(ticket.body).toMatchObject({ requester: 'bob', status: 'open', sessionId })
    expect(ticket.body).not.toHaveProperty('external')
    const transcript = JSON.stringify(ticket.body.transcript)
    expect(transcript).toContain('my outlook crashes')
    expect(transcript).toContain('I want to talk to a person')
    expect(transcript).not.toContain('Winter2026')
    expect(ticket.body.subject).not.toContain('Winter2026')

    // Opened once per hand-off: the same turn again gives the same ticket.
    const again = await world.dependencies.tickets?.openForHandoff({
      sessionId,
      reason: 'requested',
      reply: String(handoff.body.reply),
      actor: 'bob',
    })
    expect(again?.ticket.id).toBe(opened.id)
    const mine = await call('bob', 'GET', '/api/tickets')
    expect(
      (mine.body.tickets as Array<{ sessionId: string }>).filter(
        (each) => each.sessionId === sessionId,
      ),
    ).toHaveLength(1)

    // In the technicians' queue.
    const queue = await call('tom', 'GET', '/api/tickets?status=open&requester=bob')
    expect((queue.body.tickets as Array<{ id: string }>).map((each) => each.id)).toContain(
      opened.id,
    )

    expect((await call('tom', 'POST', `/api/tickets/${opened.id}/pick-up`)).body).toMatchObject({
      status: 'picked_up',
      assignee: 'tom',
    })
    const taken = await call('tina', 'POST', `/api/tickets/${opened.id}/pick-up`, {})
    expect(taken.status).toBe(409)
    expect((taken.body.error as { message: string }).message).toContain('tom picked it up already')
    expect(
      (await call('tom', 'POST', `/api/tickets/${opened.id}/answer`, { text: '   ' })).status,
    ).toBe(400)
    // An answer the employee reads may not hide or reorder its text (bidi controls, zero widths).
    const hidden = await call('tom', 'POST', `/api/tickets/${opened.id}/answer`, {
      text: 'run \u202Etxt.exe',
    })
    expect(hidden.status).toBe(400)
    expect((hidden.body.error as { message: string }).message).toContain('U+202E')
    const answered = await call('tom', 'POST', `/api/tickets/${opened.id}/answer`, {
      text: 'I repaired your Outlook profile; open Outlook again and tell me if it still crashes.',
    })
    expect(answered.body).toMatchObject({ status: 'answered', assignee: 'tom' })

    const after = await call('bob', 'GET', `/api/sessions/${sessionId}`)
    expect(after.body.status).toBe('answered')
    const note = (after.body.history as Array<{ text: string }>).at(-1)?.text
    expect(note).toContain(`Answer from tom (IT service desk) on ticket ${opened.number}`)
    expect(note).toContain('I repaired your Outlook profile')
    const requests = await call('bob', 'GET', '/api/sessions')
    const line = (requests.body.sessions as Array<{ id: string; status: string }>).find(
      (each) => each.id === sessionId,
    )
    expect(line?.status).toBe('answered')

    expect((await call('tom', 'POST', `/api/tickets/${opened.id}/close`)).body).toMatchObject({
      status: 'closed',
    })
    expect((await call('tom', 'POST', `/api/tickets/${opened.id}/close`)).status).toBe(409)
    expect(
      (await call('tom', 'POST', `/api/tickets/${opened.id}/answer`, { text: 'more' })).status,
    ).toBe(409)
    expect((await call('bob', 'GET', `/api/sessions/${sessionId}`)).body.status).toBe('done')

    const records = await world.stack.audit.list({ newest: true, limit: 200 })
    const ours = records
      .filter((record) => record.requestId === opened.id)
      .map((record) => record.action)
    expect(ours.sort()).toEqual(['ticket-answer', 'ticket-close', 'ticket-open', 'ticket-pick-up'])
  })

  it('a value nobody knows hands off too: the ticket says it needs a person', async () => {
    const first = await call('carol', 'POST', '/api/chat', { message: 'my outlook keeps crashing' })
    const sessionId = first.body.sessionId as string
    let last = first
    for (const message of ["I don't know", "no idea, I really don't know"]) {
      last = await call('carol', 'POST', '/api/chat', { sessionId, message })
      if (last.body.ticket) break
    }
    expect(last.body.handoff).toEqual({ reason: 'needs_a_person' })
    const opened = last.body.ticket as { id: string; number: number }
    expect(last.body.reply).toContain(
      "this needs a person, who can look it up for you, so I've handed it over",
    )
    expect(last.body.reply).toContain(`ticket ${opened.number}`)
    const ticket = await call('tom', 'GET', `/api/tickets/${opened.id}`)
    expect(ticket.body).toMatchObject({ reason: 'needs_a_person', requester: 'carol' })
  })

  it("a requester reads the helpdesk's lines of a technician-held conversation without addresses or codes", async () => {
    const sessions = world.dependencies.sessions
    const session = await sessions.create('carol', { owner: 'tom' })
    const at = new Date().toISOString()
    session.history.push(
      { role: 'user', text: 'carol cannot reach the file share', at },
      {
        role: 'assistant',
        text: 'Step 1 could not finish: connect ECONNREFUSED 10.0.0.5:5985',
        at,
      },
      { role: 'user', text: 'talk to a person', at },
      { role: 'assistant', text: 'the hand-off reply', at },
    )
    await sessions.save(session)
    const opened = await world.dependencies.tickets?.openForHandoff({
      sessionId: session.id,
      reason: 'requested',
      reply: 'not the stored reply',
      actor: 'tom',
    })
    const id = opened?.ticket.id ?? ''
    const asCarol = JSON.stringify((await call('carol', 'GET', `/api/tickets/${id}`)).body)
    expect(asCarol).not.toContain('10.0.0.5')
    expect(asCarol).not.toContain('ECONNREFUSED')
    expect(asCarol).toContain('[address]')
    const asTom = JSON.stringify((await call('tom', 'GET', `/api/tickets/${id}`)).body)
    expect(asTom).toContain('ECONNREFUSED 10.0.0.5:5985')
  })

  it('the streamed turn ends with the ticket reply', async () => {
    const response = await world.app.request('/api/chat/stream', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${world.tokens.alice}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ message: 'can I speak to a human please' }),
    })
    const text = await response.text()
    const last = text.split('\n\n').filter((block) => block.includes('event: reply-end'))
    expect(last).toHaveLength(1)
    const data = JSON.parse(last[0]?.split('data: ')[1] ?? '{}') as {
      result: { reply: string; ticket?: { number: number } }
    }
    expect(data.result.ticket?.number).toBeGreaterThan(0)
    expect(data.result.reply).toContain(`ticket ${data.result.ticket?.number}`)
  })

  it('refuses bad filters and answers by field', async () => {
    const bad = await call('tom', 'GET', '/api/tickets?status=pending&limit=0')
    expect(bad.status).toBe(400)
    expect((bad.body.error as { message: string }).message).toMatch(
      /status: expected one of open, picked_up, answered, closed/,
    )
    const ticket = await world.ticketFor('carol')
    const long = await call('tom', 'POST', `/api/tickets/${ticket.id}/answer`, {
      text: 'x'.repeat(4001),
    })
    expect(long.status).toBe(400)
    const extra = await call('tom', 'POST', `/api/tickets/${ticket.id}/close`, { force: true })
    expect(extra.status).toBe(400)
    expect(
      (await world.dependencies.tickets?.get(ticket.id, { username: 'tom', role: 'technician' }))
        ?.status,
    ).toBe('open')
  })
})
