/**
 * A small server-sent events reader over fetch (the page reads the stream the same way: an
 * EventSource cannot send the bearer token). Tests and the benchmark use it.
 * @module
 */

export interface SseEvent {
  id: number
  event: string
  data: unknown
}

/**
 * Reads `url` until the stream ends, `until` says stop, or `signal` aborts; each event is
 * handed to `onEvent` in order. Sends `Last-Event-ID` when given.
 * @returns the id of the last event received (or `lastEventId`)
 */
export async function readEvents(
  url: string,
  options: {
    headers?: Record<string, string>
    lastEventId?: number
    onEvent: (event: SseEvent) => void
    until?: (event: SseEvent) => boolean
    signal?: AbortSignal
  },
): Promise<number> {
  const controller = new AbortController()
  options.signal?.addEventListener('abort', () => controller.abort(), { once: true })
  let last = options.lastEventId ?? 0
  const response = await fetch(url, {
    headers: {
      ...options.headers,
      ...(options.lastEventId !== undefined
        ? { 'last-event-id': String(options.lastEventId) }
        : {}),
    },
    signal: controller.signal,
  })
  if (!response.ok || !response.body) throw new Error(`${url}: ${response.status}`)
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true })
      let end = buffer.indexOf('\n\n')
      while (end !== -1) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        end = buffer.indexOf('\n\n')
        const event = parseBlock(block)
        if (!event) continue
        last = event.id
        options.onEvent(event)
        if (options.until?.(event)) {
          controller.abort()
          return last
        }
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error
  }
  return last
}

function parseBlock(block: string): SseEvent | undefined {
  let id: number | undefined
  let event = 'message'
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (line.startsWith('id:')) id = Number(line.slice(3).trim())
    else if (line.startsWith('event:')) event = line.slice(6).trim()
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
  }
  if (id === undefined) return undefined
  return { id, event, data: JSON.parse(data.join('\n')) }
}
