import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MemorySessionStore } from '../agent/core/memory-session-store.ts'
import type { Session } from '../agent/core/session.ts'
import type { ExternalReceipt, TicketConnector } from './connectors/ticket-connector.ts'
import { SqliteTicketStore } from './sqlite-ticket-store.ts'
import type { Ticket } from './ticket.ts'
import { TicketService } from './ticket-service.ts'

/** Fails while `failing` is set; records each ticket number it was given. */
class ScriptedConnector implements TicketConnector {
  readonly name = 'scripted'
  failing = false
  readonly seen: number[] = []
  async create(ticket: Ticket): Promise<ExternalReceipt> {
    this.seen.push(ticket.number)
    if (this.failing) throw new Error('the other system is down')
    return { externalId: `EXT-${ticket.number}` }
  }
}

let store: SqliteTicketStore
let sessions: MemorySessionStore
let connector: ScriptedConnector

beforeEach(() => {
  store = new SqliteTicketStore({ file: ':memory:' })
  sessions = new MemorySessionStore()
  connector = new ScriptedConnector()
})
afterEach(async () => {
  await store.close()
})

async function handedOff(requester = 'jdoe'): Promise<Session> {
  const session = await sessions.create(requester, { owner: requester })
  session.history.push(
    { role: 'user', text: 'my screen flickers', at: new Date().toISOString() },
    { role: 'assistant', text: 'Which computer?', at: new Date().toISOString() },
    { role: 'user', text: 'talk to a person', at: new Date().toISOString() },
    { role: 'assistant', text: 'the hand-off reply', at: new Date().toISOString() },
  )
  await sessions.save(session)
  return session
}

describe('the ticket service', () => {
  it('opens once per turn, replaces the reply in the conversation, and copies it once', async () => {
    const service = new TicketService({ store, sessions, connector, delivery: { firstPauseMs: 1 } })
    const session = await handedOff()
    const input = {
      sessionId: session.id,
      reason: 'requested' as const,
      reply: 'the hand-off reply',
      actor: 'jdoe',
    }
    const first = await service.openForHandoff(input)
    const second = await service.openForHandoff(input)
    await service.settled()
    expect(second?.ticket.id).toBe(first?.ticket.id)
    expect(connector.seen).toEqual([first?.ticket.number])
    expect((await sessions.get(session.id))?.history.at(-1)?.text).toBe(first?.reply)
    // The ticket's own reply is not in its transcript.
    expect(first?.ticket.transcript.map((each) => each.text)).toEqual([
      'my screen flickers',
      'Which computer?',
      'talk to a person',
    ])
    expect((await store.get(first?.ticket.id ?? ''))?.external).toMatchObject({
      status: 'delivered',
      externalId: `EXT-${first?.ticket.number}`,
    })
    expect(await service.openForHandoff({ ...input, sessionId: 'gone' })).toBeUndefined()
  })

  it('copies again at start what a connector did not take, and leaves delivered and closed ones', async () => {
    connector.failing = true
    const service = new TicketService({
      store,
      sessions,
      connector,
      delivery: { attempts: 1, firstPauseMs: 1 },
    })
    const tom = { username: 'tom', role: 'technician' as const }
    const failed = await service.openForHandoff({
      sessionId: (await handedOff()).id,
      reason: 'requested',
      reply: 'x',
      actor: 'jdoe',
    })
    const closed = await service.openForHandoff({
      sessionId: (await handedOff()).id,
      reason: 'requested',
      reply: 'x',
      actor: 'jdoe',
    })
    await service.settled()
    await service.close(closed?.ticket.id ?? '', tom)
    expect((await store.get(failed?.ticket.id ?? ''))?.external?.status).toBe('failed')

    connector.failing = false
    connector.seen.length = 0
    const restarted = new TicketService({
      store,
      sessions,
      connector,
      delivery: { firstPauseMs: 1 },
    })
    expect(await restarted.redeliver()).toBe(1)
    await restarted.settled()
    expect(connector.seen).toEqual([failed?.ticket.number])
    expect((await store.get(failed?.ticket.id ?? ''))?.external?.status).toBe('delivered')
    expect(await restarted.redeliver()).toBe(0)
  })

  it('shutting down ends the attempts after the current one', async () => {
    connector.failing = true
    const service = new TicketService({
      store,
      sessions,
      connector,
      delivery: { attempts: 5, firstPauseMs: 200 },
    })
    await service.openForHandoff({
      sessionId: (await handedOff()).id,
      reason: 'requested',
      reply: 'x',
      actor: 'jdoe',
    })
    const started = performance.now()
    await service.shutdown()
    expect(performance.now() - started).toBeLessThan(1000)
    expect(connector.seen).toHaveLength(1)
  })

  it('pick up is idempotent for its assignee; an answered ticket can be picked up again', async () => {
    const service = new TicketService({ store, sessions })
    const tom = { username: 'tom', role: 'technician' as const }
    const tina = { username: 'tina', role: 'technician' as const }
    const opened = await service.openForHandoff({
      sessionId: (await handedOff()).id,
      reason: 'requested',
      reply: 'x',
      actor: 'jdoe',
    })
    const id = opened?.ticket.id ?? ''
    const picked = await service.pickUp(id, tom)
    expect((await service.pickUp(id, tom)).version).toBe(picked.version)
    await expect(service.pickUp(id, tina)).rejects.toMatchObject({ code: 'TICKET_CONFLICT' })
    await service.answer(id, tom, 'Try the other cable.')
    expect(await service.pickUp(id, tina)).toMatchObject({ status: 'picked_up', assignee: 'tina' })
    await expect(
      service.answer(id, { username: 'jdoe', role: 'requester' }, 'never mind'),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(service.get(id, { username: 'someone', role: 'requester' })).rejects.toMatchObject(
      { code: 'TICKET_NOT_FOUND' },
    )
  })
})
