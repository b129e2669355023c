/**
 * Employees rate the agent's replies: `POST /api/sessions/:id/feedback` with
 * `{ "reply": <index in the history>, "rating": "up" | "down" | null }` (null withdraws it), and
 * `GET /api/sessions/:id/feedback` lists the conversation's ratings. Only the conversation's
 * owner rates its replies (an admin who may read it gets 403); another user's conversation is a
 * 404 as everywhere. One rating per reply; rating again replaces it.
 * @module
 */
import { Hono } from 'hono'
import { z } from 'zod'
import type { SessionStore } from '../../agent/core/session.ts'
import { REPLY_RATINGS, type ReplyFeedbackStore } from '../../analytics/feedback/reply-feedback.ts'
import { HelpdeskError } from '../../errors/index.ts'
import { samePerson } from '../../identity/user.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'
import { readJsonBody } from '../read-json-body.ts'
import { findVisibleSession } from '../session-access.ts'

const ratingSchema = z
  .object({
    reply: z
      .number({ error: 'expected the reply as a whole number (its index in the history)' })
      .int('expected the reply as a whole number (its index in the history)')
      .min(0, 'expected the reply as a whole number (its index in the history)'),
    rating: z.enum(REPLY_RATINGS, { error: 'expected "up", "down" or null' }).nullable(),
  })
  .strict()

export function feedbackRoutes(
  sessions: SessionStore,
  feedback: ReplyFeedbackStore | undefined,
  now: () => Date = () => new Date(),
): Hono<AuthenticatedEnvironment> {
  const app = new Hono<AuthenticatedEnvironment>()
  const store = (): ReplyFeedbackStore => {
    if (!feedback) {
      throw new HelpdeskError({
        code: 'NOT_CONFIGURED',
        message: 'reply ratings need the project store: the server keeps them there',
      })
    }
    return feedback
  }

  app.get('/sessions/:id/feedback', async (context) => {
    const session = await findVisibleSession(
      sessions,
      context.get('caller'),
      context.req.param('id'),
    )
    // Read without a store: no ratings, and `available: false` tells the page not to offer any
    // (a 503 here would be an error on every restored conversation of such a server).
    if (!feedback) return context.json({ ratings: [], available: false })
    const ratings = await feedback.forSession(session.id)
    return context.json({
      ratings: ratings.map((each) => ({ reply: each.reply, rating: each.rating, at: each.at })),
      available: true,
    })
  })

  app.post('/sessions/:id/feedback', async (context) => {
    const caller = context.get('caller')
    const session = await findVisibleSession(sessions, caller, context.req.param('id'))
    if (session.owner === undefined || !samePerson(session.owner, caller.username)) {
      throw new HelpdeskError({
        code: 'FORBIDDEN',
        message: "only the conversation's owner rates its replies",
      })
    }
    const input = await readJsonBody(context, ratingSchema)
    const entry = session.history[input.reply]
    if (entry?.role !== 'assistant') {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: `reply: entry ${input.reply} of this conversation is not a reply of the helpdesk`,
        details: { field: 'reply' },
      })
    }
    const ratings = store()
    if (input.rating === null) {
      await ratings.withdraw(session.id, input.reply)
      return context.json({ reply: input.reply, rating: null })
    }
    const at = now().toISOString()
    await ratings.rate({
      sessionId: session.id,
      reply: input.reply,
      owner: caller.username,
      rating: input.rating,
      taskTypes: [...(entry.view?.tasks ?? [])],
      at,
    })
    return context.json({ reply: input.reply, rating: input.rating, at })
  })
  return app
}
