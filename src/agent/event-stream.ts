import type { AgentEvent } from './helpdesk-agent.ts'

/**
 * Turns a run that reports events through a callback into an async iterable: events are yielded
 * in order as they happen, and an error of the run is thrown from the iterator after the events
 * before it.
 */
export function eventStream(
  run: (emit: (event: AgentEvent) => void) => Promise<void>,
): AsyncIterable<AgentEvent> {
  return {
    [Symbol.asyncIterator]() {
      const queue: AgentEvent[] = []
      let wake: (() => void) | undefined
      let finished = false
      let failure: { error: unknown } | undefined
      const done = run((event) => {
        queue.push(event)
        wake?.()
      }).then(
        () => {
          finished = true
          wake?.()
        },
        (error: unknown) => {
          failure = { error }
          finished = true
          wake?.()
        },
      )
      void done
      return {
        async next(): Promise<IteratorResult<AgentEvent>> {
          for (;;) {
            const event = queue.shift()
            if (event) return { value: event, done: false }
            if (failure) throw failure.error
            if (finished) return { value: undefined, done: true }
            await new Promise<void>((resolve) => {
              wake = resolve
            })
            wake = undefined
          }
        },
      }
    },
  }
}

/** Drains a turn's events (to the end of the run) and returns the result `reply-end` carried. */
export async function lastReply(events: AsyncIterable<AgentEvent>, seen?: AgentEvent[]) {
  let reply: Extract<AgentEvent, { type: 'reply-end' }>['result'] | undefined
  for await (const event of events) {
    seen?.push(event)
    if (event.type === 'reply-end') reply = event.result
  }
  if (!reply) throw new Error('the turn ended without a reply-end event')
  return reply
}
