/**
 * The rows of the authorization matrix (tests/authorization-matrix.test.ts): every `/api`
 * endpoint, the request each cell sends for an owner's object, and the status each role must get
 * for its own object and for someone else's.
 * @module
 */
import { expect } from 'vitest'
import type { Role } from '../../src/identity/user.ts'
import { analyticsRows } from './authorization-analytics-rows.ts'
import { workflowJobRows } from './authorization-jobs.ts'
import { ticketRows } from './authorization-ticket-rows.ts'
import { type AuthorizationWorld, PEOPLE, type Person } from './authorization-world.ts'
import { instructionManagerRows } from './instruction-manager-rows.ts'

export const CALLERS = {
  'no token': undefined,
  'bad token': undefined,
  requester: 'alice',
  'other requester': 'bob',
  technician: 'tom',
  'other technician': 'tina',
  admin: 'ada',
} as const satisfies Record<string, Person | undefined>
export type CallerName = keyof typeof CALLERS

export type Whose = 'own' | "someone else's" | 'no object'

/** Whose object "someone else's" is, for each caller (for the callers without a user: bob's). */
export const SOMEONE_ELSE: Readonly<Record<Person, Person>> = {
  alice: 'bob',
  bob: 'alice',
  carol: 'alice',
  tom: 'alice',
  // The other technician's "someone else's" is the technician's: a request tom caused is not hers.
  tina: 'tom',
  ada: 'bob',
}

/** What one cell sends, and what it checks beyond the status. */
export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: string
  /** Sent as JSON, unless `raw` is given. */
  body?: unknown
  /** A body sent as it is (Markdown, YAML, multipart), with its content type when not multipart. */
  raw?: { contentType?: string; body: string | FormData }
  /**
   * The id of the object in the path or body: a 404 for it must be the very answer an unknown id
   * gets (a guessed id reveals neither that it exists nor whose it is).
   */
  objectId?: string
  /** Checks on the answer (and on the state after it), given the status the cell expects. */
  check?: (answer: { status: number; body: unknown }) => Promise<void> | void
}

/** Statuses by role: [own, someone else's] (one entry for endpoints without an object). */
export type Expected = Readonly<Record<Role, readonly number[]>>

export interface Row {
  /** Method and path as the application registers it. */
  route: string
  /** Which object, when one endpoint has several cases. */
  variant?: string
  whose: readonly Whose[]
  expected: Expected
  call(owner: Person, caller: Person | undefined, whose: Whose): Promise<Call>
}

const BOTH: readonly Whose[] = ['own', "someone else's"]
const NONE: readonly Whose[] = ['no object']
const isStaff = (person: Person | undefined) =>
  person !== undefined && PEOPLE[person] !== 'requester'

/** The request's status after the call: what the decision made it, or unchanged when refused. */
function unchangedUnless(
  current: () => AuthorizationWorld,
  id: string,
  before: string,
  whenAllowed: string,
) {
  return async ({ status }: { status: number }) => {
    const after = await current().stack.service.get(id)
    expect(after.status).toBe(status === 200 ? whenAllowed : before)
  }
}

/** A list answer holds the caller's own object; someone else's only when `othersVisible`. */
function listed(key: string, id: string, whose: Whose, othersVisible: boolean) {
  return ({ status, body }: { status: number; body: unknown }) => {
    if (status !== 200) return
    const ids = ((body as Record<string, Array<{ id: string }>>)[key] ?? []).map((each) => each.id)
    expect(ids.includes(id)).toBe(whose === 'own' || othersVisible)
  }
}

/**
 * One row per endpoint (and per case of it): what each role gets for its own object and for
 * someone else's. `current` gives the world the cells run in (built in the test's beforeAll).
 */
export function matrixRows(current: () => AuthorizationWorld): readonly Row[] {
  return [
    {
      route: 'GET /api/me',
      whose: NONE,
      expected: { requester: [200], technician: [200], admin: [200] },
      call: async (_owner, caller) => ({
        method: 'GET',
        path: '/api/me',
        check: ({ status, body }) => {
          if (status === 200) expect(body).toMatchObject({ username: caller })
        },
      }),
    },
    {
      route: 'GET /api/sessions',
      whose: BOTH,
      // Everyone's list holds their own conversations only, an admin's too.
      expected: { requester: [200, 200], technician: [200, 200], admin: [200, 200] },
      call: async (owner, _caller, whose) => ({
        method: 'GET',
        path: '/api/sessions',
        check: listed('sessions', current().sessions[owner], whose, false),
      }),
    },
    {
      route: 'GET /api/sessions/:id',
      whose: BOTH,
      expected: { requester: [200, 404], technician: [200, 404], admin: [200, 200] },
      call: async (owner) => ({
        method: 'GET',
        path: `/api/sessions/${current().sessions[owner]}`,
        objectId: current().sessions[owner],
      }),
    },
    {
      route: 'POST /api/chat',
      variant: 'continuing a conversation',
      whose: BOTH,
      expected: { requester: [200, 404], technician: [200, 404], admin: [200, 200] },
      call: async (owner) => ({
        method: 'POST',
        path: '/api/chat',
        body: { sessionId: current().sessions[owner], message: 'thanks' },
        objectId: current().sessions[owner],
      }),
    },
    {
      route: 'POST /api/chat',
      variant: 'a new conversation for a person',
      whose: BOTH,
      // Only technicians and admins act for someone else; the conversation stays the caller's.
      expected: { requester: [200, 403], technician: [200, 200], admin: [200, 200] },
      call: async (owner, caller) => ({
        method: 'POST',
        path: '/api/chat',
        body: { message: 'hello', requester: owner },
        check: async ({ status, body }) => {
          if (status !== 200 || caller === undefined) return
          const session = await current().dependencies.sessions.get(
            (body as { sessionId: string }).sessionId,
          )
          expect(session).toMatchObject({ owner: caller, requester: owner })
        },
      }),
    },
    {
      route: 'POST /api/chat/stream',
      variant: 'a new conversation for a person',
      whose: BOTH,
      expected: { requester: [200, 403], technician: [200, 200], admin: [200, 200] },
      call: async (owner) => ({
        method: 'POST',
        path: '/api/chat/stream',
        body: { message: 'hello', requester: owner },
      }),
    },
    {
      route: 'POST /api/chat/stream',
      variant: 'continuing a conversation',
      whose: BOTH,
      expected: { requester: [200, 404], technician: [200, 404], admin: [200, 200] },
      call: async (owner) => ({
        method: 'POST',
        path: '/api/chat/stream',
        body: { sessionId: current().sessions[owner], message: 'thanks' },
        objectId: current().sessions[owner],
        check: ({ status, body }) => {
          if (status === 200) expect(String(body)).toMatch(/event: reply-end/)
        },
      }),
    },
    {
      route: 'GET /api/approvals',
      whose: BOTH,
      expected: { requester: [200, 200], technician: [200, 200], admin: [200, 200] },
      call: async (owner, caller, whose) => {
        const request = await current().approvalFor(owner, 1)
        return {
          method: 'GET',
          path: '/api/approvals?status=pending',
          check: listed('approvals', request.id, whose, isStaff(caller)),
        }
      },
    },
    {
      route: 'GET /api/approvals/:id',
      whose: BOTH,
      expected: { requester: [200, 404], technician: [200, 200], admin: [200, 200] },
      call: async (owner) => {
        const request = await current().approvalFor(owner, 1)
        return { method: 'GET', path: `/api/approvals/${request.id}`, objectId: request.id }
      },
    },
    {
      route: 'POST /api/approvals/:id/approve',
      variant: 'level 1',
      whose: BOTH,
      // A requester confirms their own level-1 request; a technician may confirm anyone's.
      expected: { requester: [200, 404], technician: [200, 200], admin: [200, 200] },
      call: async (owner) => {
        const request = await current().approvalFor(owner, 1)
        return {
          method: 'POST',
          path: `/api/approvals/${request.id}/approve`,
          objectId: request.id,
          body: {},
          check: unchangedUnless(current, request.id, 'pending', 'executed'),
        }
      },
    },
    {
      route: 'POST /api/approvals/:id/approve',
      variant: 'level 2, for the owner',
      whose: BOTH,
      // Never one's own: a technician other than the person it is for approves it.
      expected: { requester: [403, 404], technician: [403, 200], admin: [403, 200] },
      call: async (owner) => {
        const request = await current().approvalFor(owner, 2)
        return {
          method: 'POST',
          path: `/api/approvals/${request.id}/approve`,
          objectId: request.id,
          body: {},
          check: unchangedUnless(current, request.id, 'pending', 'executed'),
        }
      },
    },
    {
      route: 'POST /api/approvals/:id/approve',
      variant: 'level 2, caused by the owner (a technician acting for carol)',
      whose: BOTH,
      expected: { requester: [403, 404], technician: [403, 200], admin: [403, 200] },
      call: async (owner) => {
        // A requester causes only their own requests.
        const request = isStaff(owner)
          ? await current().approvalFor('carol', 2, owner)
          : await current().approvalFor(owner, 2)
        return {
          method: 'POST',
          path: `/api/approvals/${request.id}/approve`,
          objectId: request.id,
          body: {},
          check: unchangedUnless(current, request.id, 'pending', 'executed'),
        }
      },
    },
    {
      route: 'POST /api/approvals/:id/approve',
      variant: 'level 3, each critical step by name',
      whose: BOTH,
      expected: { requester: [403, 404], technician: [403, 200], admin: [403, 200] },
      call: async (owner) => {
        const request = await current().approvalFor(owner, 3)
        return {
          method: 'POST',
          path: `/api/approvals/${request.id}/approve`,
          objectId: request.id,
          body: {
            stepIds: request.steps
              .filter((step) => step.approvalLevel === 3)
              .map((step) => step.stepId),
          },
          check: unchangedUnless(current, request.id, 'pending', 'executed'),
        }
      },
    },
    {
      route: 'POST /api/approvals/:id/deny',
      variant: 'level 2',
      whose: BOTH,
      // A requester withdraws their own; technicians deny anyone's.
      expected: { requester: [200, 404], technician: [200, 200], admin: [200, 200] },
      call: async (owner) => {
        const request = await current().approvalFor(owner, 2)
        return {
          method: 'POST',
          path: `/api/approvals/${request.id}/deny`,
          objectId: request.id,
          body: { reason: 'not needed any more' },
          check: unchangedUnless(current, request.id, 'pending', 'denied'),
        }
      },
    },
    {
      route: 'POST /api/approvals/:id/resume',
      variant: 'an interrupted run',
      whose: BOTH,
      expected: { requester: [403, 404], technician: [200, 200], admin: [200, 200] },
      call: async (owner) => {
        const request = await current().interruptedFor(owner)
        return {
          method: 'POST',
          path: `/api/approvals/${request.id}/resume`,
          objectId: request.id,
          body: { resolve: {}, reason: 'checked the laptop: nothing had run' },
          check: unchangedUnless(current, request.id, 'interrupted', 'executed'),
        }
      },
    },
    {
      route: 'GET /api/jobs',
      whose: BOTH,
      expected: { requester: [200, 200], technician: [200, 200], admin: [200, 200] },
      call: async (owner, caller, whose) => ({
        method: 'GET',
        path: '/api/jobs?limit=500',
        check: listed('jobs', current().jobs[owner], whose, isStaff(caller)),
      }),
    },
    {
      route: 'GET /api/jobs/:id',
      whose: BOTH,
      expected: { requester: [200, 404], technician: [200, 200], admin: [200, 200] },
      call: async (owner) => ({
        method: 'GET',
        path: `/api/jobs/${current().jobs[owner]}`,
        objectId: current().jobs[owner],
      }),
    },
    ...workflowJobRows(current),
    {
      route: 'GET /api/instructions',
      whose: NONE,
      expected: { requester: [200], technician: [200], admin: [200] },
      call: async () => ({ method: 'GET', path: '/api/instructions' }),
    },
    {
      route: 'GET /api/instructions/:id',
      whose: NONE,
      expected: { requester: [200], technician: [200], admin: [200] },
      call: async () => ({ method: 'GET', path: '/api/instructions/account_locked' }),
    },
    ...instructionManagerRows(current),
    {
      route: 'GET /api/admin/agent',
      whose: NONE,
      expected: { requester: [403], technician: [403], admin: [200] },
      call: async () => ({ method: 'GET', path: '/api/admin/agent' }),
    },
    {
      route: 'PUT /api/admin/agent',
      whose: NONE,
      expected: { requester: [403], technician: [403], admin: [200] },
      call: async () => ({ method: 'PUT', path: '/api/admin/agent', body: { framework: 'core' } }),
    },
    ...ticketRows(current),
    {
      route: 'GET /api/audit',
      whose: NONE,
      expected: { requester: [403], technician: [403], admin: [200] },
      call: async () => ({ method: 'GET', path: '/api/audit?limit=5' }),
    },
    {
      route: 'GET /api/audit/verify',
      whose: NONE,
      expected: { requester: [403], technician: [403], admin: [200] },
      call: async () => ({ method: 'GET', path: '/api/audit/verify' }),
    },
    ...analyticsRows(current),
  ]
}
