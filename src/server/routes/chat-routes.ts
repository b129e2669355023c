import { type Context, Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import type { SwitchableAgent } from '../../agent/agent-registry.ts'
import type { HelpdeskCore, TurnInput } from '../../agent/core/helpdesk-core.ts'
import type { SessionStore } from '../../agent/core/session.ts'
import { lastReply } from '../../agent/event-stream.ts'
import type { AgentEvent } from '../../agent/helpdesk-agent.ts'
import { HelpdeskError } from '../../errors/index.ts'
import { samePerson, USERNAME_PATTERN } from '../../identity/user.ts'
import type { PersonLookup } from '../../policy/known-people.ts'
import { type AuthenticatedEnvironment, type Caller, mayActForOthers } from '../authentication.ts'
import { isStaff, publicError } from '../error-response.ts'
import { readJsonBody } from '../read-json-body.ts'
import { findVisibleSession } from '../session-access.ts'

const chatRequestSchema = z
  .object({
    sessionId: z.string().min(1).max(100).optional(),
    // Length is checked by the core so the limit and its message live in one place.
    message: z.string({ error: 'expected a string' }),
    /** For technicians and admins: the employee they act for (see `mayActForOthers`). */
    requester: z.string().regex(USERNAME_PATTERN, 'expected a username such as jdoe').optional(),
  })
  .strict()

/** `POST /api/chat` (one JSON answer) and `POST /api/chat/stream` (server-sent events). */
export function chatRoutes(
  core: HelpdeskCore,
  sessions: SessionStore,
  log: (line: string) => void,
  /** The agent adapter that orchestrates turns; without one the core runs them directly. */
  agents?: SwitchableAgent,
  /** Whether a person a technician acts for exists; without it, names are not checked. */
  findPerson?: PersonLookup,
): Hono<AuthenticatedEnvironment> {
  const app = new Hono<AuthenticatedEnvironment>()

  /**
   * Checks the turn against the caller and opens its session: a new one is created here, owned
   * by the caller, so the core only ever continues a session the caller may see. Everything is
   * checked before a stream opens, so refusals are plain 4xx answers.
   */
  async function prepareTurn(context: Context<AuthenticatedEnvironment>): Promise<TurnInput> {
    const body = await readJsonBody(context, chatRequestSchema)
    const caller = context.get('caller')
    // Who sent the turn: with the requester, never the approver of what it asks for.
    const actor = caller.signedIn ? { actor: { username: caller.username, role: caller.role } } : {}
    const named =
      body.requester === undefined || samePerson(body.requester, caller.username)
        ? undefined
        : body.requester
    if (named !== undefined && !mayActForOthers(caller)) {
      throw new HelpdeskError({
        code: 'FORBIDDEN',
        message: `requester: you are signed in as ${caller.username} (requester) and can ask only for yourself; a technician or admin may give another requester`,
      })
    }
    if (body.sessionId !== undefined) {
      const session = await findVisibleSession(sessions, caller, body.sessionId)
      const wanted = named ?? body.requester
      if (wanted !== undefined && session.requester !== undefined) {
        if (!samePerson(wanted, session.requester)) {
          throw new HelpdeskError({
            code: 'INVALID_INPUT',
            message: `requester: this conversation is for ${session.requester}; start a new conversation to ask for ${wanted}`,
          })
        }
      }
      return { sessionId: session.id, message: body.message, ...actor }
    }
    await core.checkInput({ message: body.message })
    const actingFor = named !== undefined ? await existingPerson(named, caller) : undefined
    const requester = actingFor ?? (caller.signedIn ? caller.username : body.requester)
    const session = await sessions.create(requester, { owner: caller.username })
    return { sessionId: session.id, message: body.message, ...actor }
  }

  /**
   * The person a technician acts for, spelled as the user store or directory spells them.
   * @throws {HelpdeskError} INVALID_INPUT when nobody of that name exists.
   */
  async function existingPerson(name: string, caller: Caller): Promise<string> {
    // Without sign-in there is nobody to check against (HELPDESK_AUTH=none, local demos only).
    if (!caller.signedIn || !findPerson) return name
    const found = await findPerson(name)
    if (found === undefined) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: `requester: there is no user or directory account "${name}"; check the spelling (the person must exist before anyone acts for them)`,
      })
    }
    return found
  }

  /** One turn through the current adapter, its events passed on as they happen. */
  async function runTurn(input: TurnInput, onEvent: (event: AgentEvent) => void = () => {}) {
    if (!agents) return core.handleTurn(input, onEvent)
    return lastReply(tap(agents.agent.handleTurn(input), onEvent))
  }

  app.post('/chat', async (context) => {
    const input = await prepareTurn(context)
    return context.json(await runTurn(input))
  })

  app.post('/chat/stream', async (context) => {
    const input = await prepareTurn(context)
    return streamSSE(context, async (stream) => {
      try {
        await runTurn(input, (event) => {
          void stream.writeSSE({ event: event.type, data: JSON.stringify(event) })
        })
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

async function* tap(events: AsyncIterable<AgentEvent>, onEvent: (event: AgentEvent) => void) {
  for await (const event of events) {
    onEvent(event)
    yield event
  }
}
