import { type Context, Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import type { TurnInput } from '../../agent/core/helpdesk-core.ts'
import { USERNAME_PATTERN } from '../../identity/user.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'
import type { ChatTurns } from '../chat-turns.ts'
import { isStaff, publicError } from '../error-response.ts'
import { readJsonBody } from '../read-json-body.ts'

const chatRequestSchema = z
  .object({
    sessionId: z.string().min(1).max(100).optional(),
    // Length is checked by the core so the limit and its message live in one place.
    message: z.string({ error: 'expected a string' }),
    /** For technicians and admins: the employee they act for (see `mayActForOthers`). */
    requester: z.string().regex(USERNAME_PATTERN, 'expected a username such as jdoe').optional(),
  })
  .strict()

/**
 * `POST /api/chat` (one JSON answer) and `POST /api/chat/stream` (server-sent events), over the
 * app's one set of chat turns (the Gradio endpoint uses the same).
 */
export function chatRoutes(
  turns: ChatTurns,
  log: (line: string) => void,
): Hono<AuthenticatedEnvironment> {
  const app = new Hono<AuthenticatedEnvironment>()

  /** The body, checked against the caller (see `ChatTurns.prepare`); refusals are plain 4xx. */
  async function prepareTurn(context: Context<AuthenticatedEnvironment>): Promise<TurnInput> {
    const body = await readJsonBody(context, chatRequestSchema)
    return turns.prepare(context.get('caller'), body)
  }

  const runTurn = turns.run

  app.post('/chat', async (context) => {
    const input = await prepareTurn(context)
    return context.json(await runTurn(input))
  })

  app.post('/chat/stream', async (context) => {
    const input = await prepareTurn(context)
    return streamSSE(context, async (stream) => {
      // Every event is written before the stream ends, the last one (sent as the turn returns) too.
      const writes: Promise<void>[] = []
      try {
        await runTurn(input, (event) => {
          writes.push(stream.writeSSE({ event: event.type, data: JSON.stringify(event) }))
        })
        await Promise.all(writes)
      } catch (thrown) {
        const error = publicError(
          thrown,
          log,
          ' on POST /api/chat/stream',
          isStaff(context.get('caller')),
        )
        await stream.writeSSE({ event: 'error', data: JSON.stringify({ type: 'error', error }) })
      }
    })
  })

  return app
}
