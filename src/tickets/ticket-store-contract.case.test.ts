import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { NewTicket, TicketStore } from './ticket.ts'

/** Run by every TicketStore implementation; `reopen` opens the same backing store again. */
export interface TicketStoreContractInitializer {
  name: string
  create(): Promise<{ store: TicketStore; reopen: () => Promise<TicketStore> }>
}

export function sampleTicket(overrides: Partial<NewTicket> = {}): NewTicket {
  return {
    id: randomUUID(),
    requester: 'jdoe',
    owner: 'jdoe',
    subject: 'VPN keeps disconnecting',
    reason: 'requested',
    sessionId: randomUUID(),
    turn: 3,
    transcript: [
      { role: 'employee', text: 'my vpn drops every hour', at: '2026-01-01T10:00:00.000Z' },
      { role: 'assistant', text: 'Which computer?', at: '2026-01-01T10:00:01.000Z' },
    ],
    ...overrides,
  }
}

export function runTicketStoreContract(init: TicketStoreContractInitializer): void {
  describe(`TicketStore contract: ${init.name}`, () => {
    let store: TicketStore
    let reopen: () => Promise<TicketStore>

    beforeEach(async () => {
      ;({ store, reopen } = await init.create())
    })
    afterEach(async () => {
      await store.close()
    })

    it('opens a ticket with the next number, status open, the transcript attached', async () => {
      const first = await store.open(sampleTicket())
      const second = await store.open(sampleTicket({ requester: 'msmith' }))
      expect(first.created).toBe(true)
      expect(first.ticket).toMatchObject({ number: 1, status: 'open', version: 1, messages: [] })
      expect(first.ticket.transcript).toHaveLength(2)
      expect(second.ticket.number).toBe(2)
      expect(await store.get(first.ticket.id)).toEqual(first.ticket)
      expect(await store.findByNumber(2)).toEqual(second.ticket)
      expect(await store.get(randomUUID())).toBeUndefined()
      expect(await store.findByNumber(99)).toBeUndefined()
    })

    it('opening again for the same conversation turn returns the same ticket, unchanged', async () => {
      const ticket = sampleTicket()
      const first = await store.open(ticket)
      const again = await store.open({ ...ticket, id: randomUUID(), subject: 'something else' })
      expect(again.created).toBe(false)
      expect(again.ticket).toEqual(first.ticket)
      const nextTurn = await store.open({ ...ticket, id: randomUUID(), turn: ticket.turn + 2 })
      expect(nextTurn.created).toBe(true)
      expect(await store.forSession(ticket.sessionId)).toHaveLength(2)
    })

    it('updates only from the stored version, appending messages', async () => {
      const { ticket } = await store.open(sampleTicket())
      const picked = await store.update(ticket.id, 1, { status: 'picked_up', assignee: 'tom' })
      expect(picked).toMatchObject({ status: 'picked_up', assignee: 'tom', version: 2 })
      // A stale copy (version 1) changes nothing.
      expect(await store.update(ticket.id, 1, { status: 'closed' })).toBeUndefined()
      expect((await store.get(ticket.id))?.status).toBe('picked_up')
      const answer = {
        author: 'tom',
        text: 'Restart the VPN client.',
        at: new Date().toISOString(),
      }
      const answered = await store.update(ticket.id, 2, { status: 'answered', message: answer })
      const again = await store.update(ticket.id, 3, {
        message: { ...answer, text: 'And tell me if it happens again.' },
      })
      expect(answered?.messages).toEqual([answer])
      expect(again?.messages.map((each) => each.text)).toEqual([
        'Restart the VPN client.',
        'And tell me if it happens again.',
      ])
      expect(again).toMatchObject({ status: 'answered', assignee: 'tom', version: 4 })
      expect(await store.update(randomUUID(), 1, { status: 'closed' })).toBeUndefined()
    })

    it('records where a connector put a copy', async () => {
      const { ticket } = await store.open(sampleTicket())
      const external = {
        connector: 'servicenow',
        status: 'delivered' as const,
        attempts: 1,
        externalId: 'INC0010001',
        link: 'https://example.service-now.com/incident.do?sys_id=abc',
        updatedAt: new Date().toISOString(),
      }
      const updated = await store.update(ticket.id, 1, { external })
      expect(updated?.external).toEqual(external)
      expect(updated?.status).toBe('open')
    })

    it('lists newest first, by status and by requester or owner without case', async () => {
      const a = (await store.open(sampleTicket({ requester: 'alice', owner: 'alice' }))).ticket
      const b = (await store.open(sampleTicket({ requester: 'carol', owner: 'tom' }))).ticket
      const c = (await store.open(sampleTicket({ requester: 'Alice', owner: 'Alice' }))).ticket
      await store.update(b.id, 1, { status: 'closed' })
      expect((await store.list()).map((each) => each.number)).toEqual([
        c.number,
        b.number,
        a.number,
      ])
      expect((await store.list({ status: 'open' })).map((each) => each.id)).toEqual([c.id, a.id])
      expect((await store.list({ requester: 'ALICE' })).map((each) => each.id)).toEqual([
        c.id,
        a.id,
      ])
      expect((await store.list({ requester: 'tom' })).map((each) => each.id)).toEqual([b.id])
      expect((await store.list({ requester: 'carol', status: 'open' })).length).toBe(0)
      expect(await store.list({ limit: 1 })).toHaveLength(1)
    })

    it('keeps tickets across closing and reopening', async () => {
      const { ticket } = await store.open(sampleTicket())
      const picked = await store.update(ticket.id, 1, { status: 'picked_up', assignee: 'tom' })
      await store.close()
      store = await reopen()
      expect(await store.get(ticket.id)).toEqual(picked)
      expect((await store.open(sampleTicket())).ticket.number).toBe(2)
    })
  })
}
