/**
 * The ticket rows of the authorization matrix (tests/authorization-matrix.test.ts): technicians
 * and admins see and work every ticket; a requester sees their own (and may not pick up, answer or
 * close even those), and someone else's is a 404 like an unknown id. A refused change changes
 * nothing.
 * @module
 */
import { expect } from 'vitest'
import type { TicketStatus } from '../../src/tickets/ticket.ts'
import type { Row, Whose } from './authorization-rows.ts'
import { type AuthorizationWorld, PEOPLE, type Person } from './authorization-world.ts'

const BOTH: readonly Whose[] = ['own', "someone else's"]
const isStaff = (person: Person | undefined) =>
  person !== undefined && PEOPLE[person] !== 'requester'

/** Technicians' work: a requester gets 403 on their own ticket, 404 on another's. */
const STAFF_ONLY = { requester: [403, 404], technician: [200, 200], admin: [200, 200] } as const

function change(
  current: () => AuthorizationWorld,
  route: string,
  action: string,
  after: TicketStatus,
  body?: unknown,
): Row {
  return {
    route,
    whose: BOTH,
    expected: STAFF_ONLY,
    call: async (owner) => {
      const ticket = await current().ticketFor(owner)
      return {
        method: 'POST',
        path: `/api/tickets/${ticket.id}/${action}`,
        objectId: ticket.id,
        ...(body === undefined ? {} : { body }),
        check: async ({ status }) => {
          const stored = await current().dependencies.tickets?.get(ticket.id, {
            username: 'ada',
            role: 'admin',
          })
          expect(stored?.status).toBe(status === 200 ? after : 'open')
        },
      }
    },
  }
}

export function ticketRows(current: () => AuthorizationWorld): readonly Row[] {
  return [
    {
      route: 'GET /api/tickets',
      whose: BOTH,
      // Everyone gets a list: a requester's holds their own tickets only.
      expected: { requester: [200, 200], technician: [200, 200], admin: [200, 200] },
      call: async (owner, caller, whose) => {
        const ticket = await current().ticketFor(owner)
        return {
          method: 'GET',
          path: '/api/tickets?status=open&limit=500',
          check: ({ status, body }) => {
            if (status !== 200) return
            const ids = (body as { tickets: Array<{ id: string }> }).tickets.map((each) => each.id)
            expect(ids.includes(ticket.id)).toBe(whose === 'own' || isStaff(caller))
          },
        }
      },
    },
    {
      route: 'GET /api/tickets',
      variant: "filtered by a requester's name",
      whose: BOTH,
      // A requester may name only themselves.
      expected: { requester: [200, 403], technician: [200, 200], admin: [200, 200] },
      call: async (owner) => ({ method: 'GET', path: `/api/tickets?requester=${owner}` }),
    },
    {
      route: 'GET /api/tickets/:id',
      whose: BOTH,
      expected: { requester: [200, 404], technician: [200, 200], admin: [200, 200] },
      call: async (owner) => {
        const ticket = await current().ticketFor(owner)
        return {
          method: 'GET',
          path: `/api/tickets/${ticket.id}`,
          objectId: ticket.id,
          check: ({ status, body }) => {
            if (status === 200) expect(body).toMatchObject({ id: ticket.id, requester: owner })
          },
        }
      },
    },
    change(current, 'POST /api/tickets/:id/pick-up', 'pick-up', 'picked_up'),
    change(current, 'POST /api/tickets/:id/answer', 'answer', 'answered', {
      text: 'Your VPN profile was renewed; restart the VPN client.',
    }),
    change(current, 'POST /api/tickets/:id/close', 'close', 'closed'),
  ]
}
