import { Hono } from 'hono'
import { redactForRequester } from '../../agent/core/employee-reply.ts'
import type { Session, SessionStore, SessionSummary } from '../../agent/core/session.ts'
import type { ApprovalListFilter, ApprovalRequest } from '../../approvals/approval-store.ts'
import type { Ticket } from '../../tickets/ticket.ts'
import type { AuthenticatedEnvironment, Caller } from '../authentication.ts'
import { type RequestStatus, requestStatus } from '../request-status.ts'
import { viewForRequester } from '../requester-view.ts'
import { findVisibleSession } from '../session-access.ts'

/** The approval requests of a requester, newest first: what a session's status is derived from. */
export interface ApprovalLister {
  list(filter?: ApprovalListFilter): Promise<ApprovalRequest[]>
}

/** A session's tickets, newest first: a ticket's status is part of the request's. */
export interface TicketLister {
  forSession(sessionId: string): Promise<Ticket[]>
}

/** A line of "My requests": the session summary with where the request stands. */
export interface RequestSummary extends SessionSummary {
  status: RequestStatus
}

/** Approval requests looked at per requester for the statuses of one listing. */
const APPROVALS_PER_REQUESTER = 200

/**
 * Who the caller is, and their conversations: `GET /api/me`, `GET /api/sessions` (their own,
 * newest first, each with its `status`) and `GET /api/sessions/:id` (one with its history and
 * status; another user's is a 404). Without `approvals` a status only knows the open question and
 * the last reply.
 */
export function sessionRoutes(
  sessions: SessionStore,
  mode: 'token' | 'none',
  approvals?: ApprovalLister,
  tickets?: TicketLister,
): Hono<AuthenticatedEnvironment> {
  const app = new Hono<AuthenticatedEnvironment>()

  app.get('/me', (context) => {
    const caller = context.get('caller')
    return context.json({ username: caller.username, role: caller.role, authentication: mode })
  })

  /** Each listed requester's approval requests, by session id, newest first. */
  async function approvalsBySession(
    requesters: ReadonlyArray<string | undefined>,
  ): Promise<Map<string, ApprovalRequest[]>> {
    const bySession = new Map<string, ApprovalRequest[]>()
    if (!approvals) return bySession
    for (const requester of new Set(requesters)) {
      if (requester === undefined) continue
      const listed = await approvals.list({ requester, limit: APPROVALS_PER_REQUESTER })
      for (const request of listed) {
        if (!request.sessionId) continue
        bySession.set(request.sessionId, [...(bySession.get(request.sessionId) ?? []), request])
      }
    }
    return bySession
  }

  app.get('/sessions', async (context) => {
    const listed = await sessions.listFor(context.get('caller').username)
    // A session whose first turn failed (say, Chroma was down) holds nothing worth listing.
    const worth = listed.filter((each) => each.firstMessage !== undefined)
    const full = (await Promise.all(worth.map((each) => sessions.get(each.id)))).filter(
      (each): each is Session => each !== undefined,
    )
    const bySession = await approvalsBySession(full.map((each) => each.requester))
    const ticketsOf = await Promise.all(
      full.map(async (each) => [each.id, (await tickets?.forSession(each.id)) ?? []] as const),
    )
    const ticketsBySession = new Map(ticketsOf)
    const statuses = new Map(
      full.map((each) => [
        each.id,
        requestStatus(each, bySession.get(each.id) ?? [], ticketsBySession.get(each.id)),
      ]),
    )
    const summaries: RequestSummary[] = worth.map((each) => ({
      ...each,
      status: statuses.get(each.id) ?? 'done',
    }))
    return context.json({ sessions: summaries })
  })

  app.get('/sessions/:id', async (context) => {
    const caller = context.get('caller')
    const session = await findVisibleSession(sessions, caller, context.req.param('id'))
    const bySession = await approvalsBySession([session.requester])
    const status = requestStatus(
      session,
      bySession.get(session.id) ?? [],
      (await tickets?.forSession(session.id)) ?? [],
    )
    return context.json({ ...forCaller(session, caller), status })
  })

  return app
}

/**
 * A requester reads the notes of how approval requests ended, and the step outputs of replies
 * shown again, without addresses, ports, error codes or ids (a failed step's error message may
 * carry them), as the live turn showed them; technicians read them whole.
 */
function forCaller(session: Session, caller: Caller): Session {
  if (!caller.signedIn || caller.role !== 'requester') return session
  return {
    ...session,
    history: session.history.map((entry) => {
      const text = entry.approvalId === undefined ? entry.text : redactForRequester(entry.text)
      return { ...entry, text, ...(entry.view ? { view: viewForRequester(entry.view) } : {}) }
    }),
  }
}
