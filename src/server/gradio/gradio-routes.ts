import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { streamSSE } from 'hono/streaming'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import type { TurnResult } from '../../agent/core/turn.ts'
import type { AgentEvent } from '../../agent/helpdesk-agent.ts'
import { HelpdeskError, httpStatusOf } from '../../errors/index.ts'
import type { AuthenticatedEnvironment, Caller } from '../authentication.ts'
import type { ChatTurns } from '../chat-turns.ts'
import { isStaff, publicError } from '../error-response.ts'
import { readJsonBody } from '../read-json-body.ts'
import { API_PREFIX, CHAT_FN_INDEX, GRADIO_CONFIG, GRADIO_INFO } from './gradio-api.ts'
import { type ChatOutputs, finalOutputs, outputEdits, TurnProgress } from './gradio-outputs.ts'
import { type GradioMessage, GradioQueue, type QueuedEvent } from './gradio-queue.ts'

/** A join body larger than this is refused before it is read (messages are 4,000 characters). */
const BODY_LIMIT_BYTES = 64 * 1024

/** `POST /gradio_api/queue/join` as `@gradio/client` sends it (gradio-protocol.md §4). */
const joinSchema = z.object({
  // [message, session id]: one value per input of `/chat`.
  data: z.tuple([
    z.string({ error: 'expected the message as a string' }),
    z
      .string({ error: 'expected the session id as a string (empty for a new conversation)' })
      .max(100)
      .nullable(),
  ]),
  fn_index: z.literal(CHAT_FN_INDEX, {
    error: `expected ${CHAT_FN_INDEX}, the only endpoint (/chat)`,
  }),
  session_hash: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, 'expected 1 to 100 letters, digits, - or _'),
})

export interface GradioRoutesOptions {
  turns: ChatTurns
  /** The API's own sign-in (bearer token, or the browser session cookie): same callers, same limits. */
  signIn: MiddlewareHandler<AuthenticatedEnvironment>
  log: (line: string) => void
  queue?: GradioQueue
}

/**
 * A Gradio-compatible API, so `@gradio/client` (tested with 2.7.0) can chat with the helpdesk: `GET /config`, `GET /gradio_api/info`, `POST /gradio_api/queue/join` and
 * the data stream `GET /gradio_api/queue/data` (protocol: ../shared/design/gradio-protocol.md).
 * Every route needs the same sign-in as `/api`, and a turn is checked and run exactly as
 * `POST /api/chat` does it (`ChatTurns`): refusals are answered at join, before any stream.
 * Mounted at the root; it claims only these paths. Not offered: `job.cancel()` (`/cancel`,
 * `/reset`: a turn, once started, runs to its end) and file uploads (`/chat` takes text only).
 */
export function gradioRoutes(options: GradioRoutesOptions): Hono<AuthenticatedEnvironment> {
  const { turns, signIn, log } = options
  const queue = options.queue ?? new GradioQueue()
  const app = new Hono<AuthenticatedEnvironment>()

  app.use('/config', noStore, signIn)
  app.use(`${API_PREFIX}/*`, noStore)
  // The data stream must never fail with an HTTP error (the client then hangs for good), so a
  // caller whose sign-in fails there reads the refusal as a Gradio error message instead.
  app.use(`${API_PREFIX}/queue/data`, async (context, next) => {
    try {
      await signIn(context, next)
    } catch (thrown) {
      const error = publicError(thrown, log, ` on GET ${context.req.path}`)
      return streamMessages(context, [
        { msg: 'unexpected_error', event_id: null, message: error.message, success: false },
      ])
    }
  })
  app.use(`${API_PREFIX}/info`, signIn)
  app.use(
    `${API_PREFIX}/queue/join`,
    signIn,
    bodyLimit({
      maxSize: BODY_LIMIT_BYTES,
      onError: () => {
        throw new HelpdeskError({
          code: 'MESSAGE_TOO_LONG',
          message: `the request body is larger than ${BODY_LIMIT_BYTES} bytes`,
        })
      },
    }),
  )

  app.get('/config', (context) => context.json(GRADIO_CONFIG))
  app.get(`${API_PREFIX}/info`, (context) => context.json(GRADIO_INFO))

  app.post(`${API_PREFIX}/queue/join`, async (context) => {
    const body = await readJsonBody(context, joinSchema)
    const caller = context.get('caller')
    const [message, sessionId] = body.data
    const input = await turns.prepare(caller, {
      message,
      ...(sessionId ? { sessionId } : {}),
    })
    const event = queue.join(caller.username, body.session_hash)
    void runEvent(event, caller, new TurnProgress(input.sessionId), (onEvent) =>
      turns.run(input, onEvent),
    )
    return context.json({ event_id: event.eventId })
  })

  app.get(`${API_PREFIX}/queue/data`, (context) => {
    const caller = context.get('caller')
    const sessionHash = context.req.query('session_hash') ?? ''
    return streamSSE(context, async (stream) => {
      const aborted = new AbortController()
      stream.onAbort(() => aborted.abort())
      for await (const batch of queue.stream(caller.username, sessionHash, aborted.signal)) {
        await stream.write(sseFrames(batch))
      }
    })
  })

  app.onError((thrown, context) => gradioError(context, thrown, log))

  /**
   * Runs the turn in the background, reporting on the event: what it has done so far as it goes
   * (whole the first time, then as edits: sse_v3), then the final outputs or the error. Never
   * throws: every failure becomes the event's error message.
   */
  async function runEvent(
    event: QueuedEvent,
    caller: Caller,
    progress: TurnProgress,
    run: (onEvent: (agentEvent: AgentEvent) => void) => Promise<TurnResult>,
  ): Promise<void> {
    let sent: ChatOutputs | undefined
    const onEvent = (agentEvent: AgentEvent) => {
      if (!progress.take(agentEvent)) return
      const current = progress.outputs()
      const data = sent ? outputEdits(sent, current) : current
      sent = current
      event.send({
        msg: 'process_generating',
        success: true,
        output: { data, is_generating: true },
      })
    }
    event.send({ msg: 'estimation', rank: 0, queue_size: 1, rank_eta: null })
    event.send({ msg: 'process_starts', eta: null })
    try {
      const result = await run(onEvent)
      event.send({
        msg: 'process_completed',
        success: true,
        output: { data: finalOutputs(result), is_generating: false },
      })
    } catch (thrown) {
      const error = publicError(thrown, log, ' on a Gradio /chat turn', isStaff(caller))
      // `output.error` is what makes the client reject; without it `predict` resolves undefined.
      event.send({
        msg: 'process_completed',
        success: false,
        title: 'Error',
        output: { error: error.message, visible: true, title: 'Error' },
      })
    }
  }

  return app
}

const noStore: MiddlewareHandler = async (context, next) => {
  await next()
  // Answers are per user and may carry conversations: no cache keeps them.
  context.header('Cache-Control', 'no-store')
}

/**
 * Server-sent events, one per message: `data: <json>` and a blank line. Every block has a JSON
 * `data:` line; anything else throws inside the client and ends its process.
 */
function sseFrames(messages: GradioMessage[]): string {
  return messages.map((message) => `data: ${JSON.stringify(message)}\n\n`).join('')
}

/** A short data stream of fixed messages. */
function streamMessages(context: Context, messages: GradioMessage[]): Response {
  return streamSSE(context, async (stream) => {
    await stream.write(sseFrames(messages))
  })
}

/**
 * An error as the client reads it: the message in `detail` (a 401 on `/config` as
 * `detail.auth_message`, which the client reports as the reason it could not connect), plus the
 * helpdesk's usual `error` object for other clients.
 */
function gradioError(
  context: Context<AuthenticatedEnvironment>,
  thrown: unknown,
  log: (line: string) => void,
): Response {
  const caller = (context.var as { caller?: Caller }).caller
  const error = publicError(
    thrown,
    log,
    ` on ${context.req.method} ${context.req.path}`,
    isStaff(caller),
  )
  if (error.code === 'UNAUTHENTICATED')
    context.header('WWW-Authenticate', 'Bearer realm="helpdesk"')
  if (error.code === 'TOO_MANY_ATTEMPTS' && typeof error.details.retryAfterSeconds === 'number')
    context.header('Retry-After', String(error.details.retryAfterSeconds))
  const status = httpStatusOf(error.code) as ContentfulStatusCode
  const detail =
    status === 401 && context.req.path.endsWith('/config')
      ? { auth_message: error.message }
      : error.message
  return context.json({ detail, error }, status)
}
