/**
 * The built-in ticket queue over HTTP. Technicians and admins list every ticket (filters status
 * and requester), open one, pick it up, answer it and close it; a requester lists and opens their
 * own (tickets for them or from their conversations), and another person's is a 404, as if it did
 * not exist. A requester reads the answers in the conversation too.
 * @module
 */
import { type Context, Hono } from 'hono'
import { z } from 'zod'
import { redactForRequester } from '../../agent/core/employee-reply.ts'
import { HelpdeskError } from '../../errors/index.ts'
import { USERNAME_PATTERN } from '../../identity/user.ts'
import { isTechnician } from '../../policy/access-policy.ts'
import { TICKET_STATUSES, type Ticket } from '../../tickets/ticket.ts'
import { ANSWER_CHARACTERS, type TicketService } from '../../tickets/ticket-service.ts'
import type { AuthenticatedEnvironment, Caller } from '../authentication.ts'
import { readJsonBody } from '../read-json-body.ts'
import { visibleText } from './visible-text.ts'

const listQuerySchema = z
  .object({
    status: z
      .enum(TICKET_STATUSES, { error: `expected one of ${TICKET_STATUSES.join(', ')}` })
      .optional(),
    requester: z.string().regex(USERNAME_PATTERN, 'expected a username such as jdoe').optional(),
    limit: z.coerce
      .number({ error: 'expected a whole number from 1 to 500' })
      .int('expected a whole number from 1 to 500')
      .min(1, 'expected a whole number from 1 to 500')
      .max(500, 'expected a whole number from 1 to 500')
      .optional(),
  })
  .strict()

const answerSchema = z
  .object({
    text: visibleText(
      z
        .string({ error: 'expected the answer as a string' })
        .max(ANSWER_CHARACTERS, `expected at most ${ANSWER_CHARACTERS} characters`),
    ),
  })
  .strict()

/** Pick up and close take no fields: an empty body or `{}`. */
const noFieldsSchema = z.object({}).strict()

/**
 * A requester does not see how the copy to another system went (errors, internal links), and
 * reads the helpdesk's lines without addresses, ports or codes (a conversation a technician
 * held for them has the technicians' full replies).
 */
function forCaller(ticket: Ticket, caller: Caller): Omit<Ticket, 'external'> & Partial<Ticket> {
  if (isTechnician(caller.role)) return ticket
  const { external: _internal, ...rest } = ticket
  return {
    ...rest,
    transcript: rest.transcript.map((entry) =>
      entry.role === 'assistant' ? { ...entry, text: redactForRequester(entry.text) } : entry,
    ),
  }
}

export function ticketRoutes(tickets: TicketService | undefined): Hono<AuthenticatedEnvironment> {
  const app = new Hono<AuthenticatedEnvironment>()
  const service = (): TicketService => {
    if (!tickets) {
      throw new HelpdeskError({
        code: 'NOT_CONFIGURED',
        message: 'tickets need the project store: the server keeps them there',
      })
    }
    return tickets
  }
  const actor = (context: Context<AuthenticatedEnvironment>) => {
    const caller = context.get('caller')
    return { username: caller.username, role: caller.role }
  }
  async function noFields(context: Context<AuthenticatedEnvironment>): Promise<void> {
    if ((await context.req.text()).trim() === '') return
    await readJsonBody(context, noFieldsSchema)
  }

  app.get('/tickets', async (context) => {
    const parsed = listQuerySchema.safeParse(context.req.query())
    if (!parsed.success) {
      const lines = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || '(query)'}: ${issue.message}`,
      )
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: lines.join('; '),
        details: { problems: lines },
      })
    }
    const { status, requester, limit } = parsed.data
    const caller = context.get('caller')
    const list = await service().list(actor(context), {
      ...(status ? { status } : {}),
      ...(requester ? { requester } : {}),
      ...(limit ? { limit } : {}),
    })
    return context.json({
      tickets: list.map((ticket) => forCaller(ticket, caller)),
      ...(isTechnician(caller.role) && tickets?.connectorName
        ? { connector: tickets.connectorName }
        : {}),
    })
  })

  app.get('/tickets/:id', async (context) => {
    const ticket = await service().get(context.req.param('id'), actor(context))
    return context.json(forCaller(ticket, context.get('caller')))
  })

  app.post('/tickets/:id/pick-up', async (context) => {
    await noFields(context)
    return context.json(await service().pickUp(context.req.param('id'), actor(context)))
  })

  app.post('/tickets/:id/answer', async (context) => {
    const body = await readJsonBody(context, answerSchema)
    return context.json(await service().answer(context.req.param('id'), actor(context), body.text))
  })

  app.post('/tickets/:id/close', async (context) => {
    await noFields(context)
    return context.json(await service().close(context.req.param('id'), actor(context)))
  })

  return app
}
