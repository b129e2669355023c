import { randomUUID } from 'node:crypto'

/** One message on a Gradio data stream (`data: <json>`); `event_id` null means "every event". */
export interface GradioMessage {
  msg: string
  event_id: string | null
  [field: string]: unknown
}

export interface GradioQueueOptions {
  /** Idle time after which the stream gets a heartbeat (Gradio: 15 s). */
  heartbeatMilliseconds?: number
  /** A session whose stream is not opened within this after a join is dropped, messages and all. */
  abandonedMilliseconds?: number
}

/** The events of one client session (one `Client`), and the messages not yet streamed. */
class QueueSession {
  readonly pending = new Set<string>()
  readonly buffered: GradioMessage[] = []
  streaming = false
  abandonTimer: NodeJS.Timeout | undefined
  #wake: (() => void) | undefined

  push(message: GradioMessage): void {
    this.buffered.push(message)
    this.#wake?.()
  }

  /** True when a message arrived, false after `milliseconds` or on abort. */
  waitForMessage(milliseconds: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (arrived: boolean) => {
        clearTimeout(timer)
        signal.removeEventListener('abort', aborted)
        this.#wake = undefined
        resolve(arrived)
      }
      const aborted = () => done(false)
      const timer = setTimeout(() => done(false), milliseconds)
      this.#wake = () => done(true)
      signal.addEventListener('abort', aborted)
    })
  }
}

/** What a joined event uses to report: each message is queued for the session's stream. */
export interface QueuedEvent {
  eventId: string
  send(message: { msg: string; [field: string]: unknown }): void
}

/**
 * The Gradio queue's bookkeeping (gradio-protocol.md §5, §6): a session joins events and reads
 * their messages over one data stream, which ends with `close_stream` once no event of the session
 * is pending. Messages are kept until the stream opens (the client opens it only after the join
 * answer). Sessions are keyed by the caller as well as the client's session hash: the hash is the
 * client's choice, so another user naming it reaches a session of their own, never this one.
 */
export class GradioQueue {
  readonly #sessions = new Map<string, QueueSession>()
  readonly #heartbeatMilliseconds: number
  readonly #abandonedMilliseconds: number

  constructor(options: GradioQueueOptions = {}) {
    this.#heartbeatMilliseconds = options.heartbeatMilliseconds ?? 15_000
    this.#abandonedMilliseconds = options.abandonedMilliseconds ?? 60_000
  }

  /** Registers a new event of the session; its messages wait for the session's stream. */
  join(caller: string, sessionHash: string): QueuedEvent {
    const key = sessionKey(caller, sessionHash)
    let session = this.#sessions.get(key)
    if (!session) {
      session = new QueueSession()
      this.#sessions.set(key, session)
    }
    const joined = session
    const eventId = randomUUID().replaceAll('-', '')
    joined.pending.add(eventId)
    if (!joined.streaming) {
      clearTimeout(joined.abandonTimer)
      joined.abandonTimer = setTimeout(() => {
        if (!joined.streaming && this.#sessions.get(key) === joined) this.#sessions.delete(key)
      }, this.#abandonedMilliseconds)
      joined.abandonTimer.unref()
    }
    return {
      eventId,
      send: (message) => joined.push({ ...message, event_id: eventId }),
    }
  }

  /** How many sessions are kept (for tests: none once every stream has closed). */
  get size(): number {
    return this.#sessions.size
  }

  /**
   * The session's messages in order (in batches, each to be written at once), heartbeats while
   * idle, and `close_stream` once every event has completed. An unknown session (or one already
   * streaming) gets Gradio's `unexpected_error` instead: the client wedges if this stream fails
   * with an HTTP error.
   * Ends early when `signal` aborts (the client went away); the session is then dropped.
   */
  async *stream(
    caller: string,
    sessionHash: string,
    signal: AbortSignal,
  ): AsyncGenerator<GradioMessage[]> {
    const key = sessionKey(caller, sessionHash)
    const session = this.#sessions.get(key)
    if (!session || session.streaming) {
      yield [
        {
          msg: 'unexpected_error',
          event_id: null,
          message: session
            ? 'this session already has an open data stream'
            : 'no pending event for this session; join the queue first',
          session_not_found: !session,
          success: false,
        },
      ]
      return
    }
    session.streaming = true
    clearTimeout(session.abandonTimer)
    try {
      while (!signal.aborted) {
        const message = session.buffered.shift()
        if (message === undefined) {
          const arrived = await session.waitForMessage(this.#heartbeatMilliseconds, signal)
          if (!arrived && !signal.aborted) yield [{ msg: 'heartbeat', event_id: null }]
          continue
        }
        if (message.msg !== 'process_completed' || message.event_id === null) {
          yield [message]
          continue
        }
        session.pending.delete(message.event_id)
        if (session.pending.size > 0) {
          yield [message]
          continue
        }
        // Dropped before the last message goes out: a join after this starts a new session,
        // whose stream the client opens once it has read `close_stream`.
        this.#sessions.delete(key)
        // In one write with the last completion: the client must read `close_stream` before it
        // can join again, or it would wait on this ending stream for the new event.
        yield [message, { msg: 'close_stream', event_id: null }]
        return
      }
    } finally {
      if (this.#sessions.get(key) === session) this.#sessions.delete(key)
    }
  }
}

function sessionKey(caller: string, sessionHash: string): string {
  return JSON.stringify([caller, sessionHash])
}
