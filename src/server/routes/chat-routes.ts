import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import type { HelpdeskCore } from '../../agent/core/helpdesk-core.ts'
import { publicError } from '../error-response.ts'
import { readJsonBody } from '../read-json-body.ts'

const chatRequestSchema = z
  .object({
    sessionId: z.string().min(1).max(100).optional(),
    // Length is checked by the core so the limit and its message live in one place.
    message: z.string({ error: 'expected a string' }),
    requester: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a username such as jdoe')
      .optional(),
  })
  .strict()

/** `POST /api/chat` (one JSON answer) and `POST /api/chat/stream` (server-sent events). */
export function chatRoutes(core: HelpdeskCore, log: (line: string) => void): Hono {
  const app = new Hono()

  app.post('/chat', async (context) => {
    const body = await readJsonBody(context, chatRequestSchema)
    return context.json(await core.handleTurn(body))
  })

  app.post('/chat/stream', async (context) => {
    // Validate before the stream opens, so bad input still gets a plain 4xx.
    const body = await readJsonBody(context, chatRequestSchema)
    await core.checkInput(body)
    return streamSSE(context, async (stream) => {
      try {
        await core.handleTurn(body, (event) => {
          void stream.writeSSE({ event: event.type, data: JSON.stringify(event) })
        })
      } catch (thrown) {
        const error = publicError(thrown, log)
        await stream.writeSSE({ event: 'error', data: JSON.stringify({ type: 'error', error }) })
      }
    })
  })

  return app
}
