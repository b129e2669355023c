import { Hono } from 'hono'
import type { SessionStore } from '../../agent/core/session.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'
import { findVisibleSession } from '../session-access.ts'

/**
 * Who the caller is, and their conversations: `GET /api/me`, `GET /api/sessions` (their own,
 * newest first) and `GET /api/sessions/:id` (one with its history; another user's is a 404).
 */
export function sessionRoutes(
  sessions: SessionStore,
  mode: 'token' | 'none',
): Hono<AuthenticatedEnvironment> {
  const app = new Hono<AuthenticatedEnvironment>()

  app.get('/me', (context) => {
    const caller = context.get('caller')
    return context.json({ username: caller.username, role: caller.role, authentication: mode })
  })

  app.get('/sessions', async (context) => {
    const listed = await sessions.listFor(context.get('caller').username)
    // A session whose first turn failed (say, Chroma was down) holds nothing worth listing.
    return context.json({ sessions: listed.filter((each) => each.firstMessage !== undefined) })
  })

  app.get('/sessions/:id', async (context) => {
    const session = await findVisibleSession(
      sessions,
      context.get('caller'),
      context.req.param('id'),
    )
    return context.json(session)
  })

  return app
}
