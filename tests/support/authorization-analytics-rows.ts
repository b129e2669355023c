/**
 * The analytics and reply-rating rows of the authorization matrix: analytics are for technicians
 * and admins; a conversation's replies are rated by its owner only (an admin, who may read any
 * conversation, gets 403 on another's), and another user's conversation is a 404 as everywhere.
 * @module
 */
import { expect } from 'vitest'
import type { Row, Whose } from './authorization-rows.ts'
import type { AuthorizationWorld } from './authorization-world.ts'

const BOTH: readonly Whose[] = ['own', "someone else's"]

export function analyticsRows(current: () => AuthorizationWorld): Row[] {
  return [
    {
      route: 'GET /api/analytics',
      whose: ['no object'],
      expected: { requester: [403], technician: [200], admin: [200] },
      call: async () => ({
        method: 'GET',
        path: '/api/analytics',
        check: ({ status, body }) => {
          if (status === 200) expect(body).toHaveProperty('tables.requests-by-type')
        },
      }),
    },
    {
      route: 'GET /api/sessions/:id/feedback',
      whose: BOTH,
      expected: { requester: [200, 404], technician: [200, 404], admin: [200, 200] },
      call: async (owner) => ({
        method: 'GET',
        path: `/api/sessions/${current().sessions[owner]}/feedback`,
        objectId: current().sessions[owner],
      }),
    },
    {
      route: 'POST /api/sessions/:id/feedback',
      whose: BOTH,
      expected: { requester: [200, 404], technician: [200, 404], admin: [200, 403] },
      call: async (owner) => {
        const sessionId = current().sessions[owner]
        return {
          method: 'POST',
          path: `/api/sessions/${sessionId}/feedback`,
          body: { reply: 1, rating: 'down' },
          objectId: sessionId,
          check: async ({ status }) => {
            // Refused: nothing stored. (Allowed cells of the same owner may have rated it.)
            if (status !== 200) return
            const ratings = await current().dependencies.feedback?.forSession(sessionId)
            expect(ratings?.find((each) => each.reply === 1)).toMatchObject({
              rating: 'down',
              owner,
            })
          },
        }
      },
    },
  ]
}
