// A background job's numbered progress events, as GET /api/jobs/:id/events sends them
// (server-sent events), read with fetch because an EventSource cannot send the bearer token.
// After a dropped connection it reconnects with Last-Event-ID and misses nothing. Shared by the
// chat page's job view and the workspace's jobs screen; each passes its own `api` (sign-in).

/**
 * Follows the job's events after `after` until `job-ended` or `signal` aborts. `onEvent(id,
 * body)` gets each; `onConnection(text)` says "Reconnecting…" while it waits, then ''.
 * An error `endsHere(error)` says yes to (the sign-in ended: the page shows its form) ends it quietly.
 */
export async function followJobEvents({
  id,
  after = 0,
  api,
  endsHere,
  signal,
  onEvent,
  onConnection,
}) {
  let last = after
  let attempts = 0
  while (!signal.aborted) {
    const headers = last ? { 'last-event-id': String(last) } : {}
    try {
      const response = await api(`/api/jobs/${encodeURIComponent(id)}/events`, {
        headers: { ...headers, accept: 'text/event-stream' },
        signal,
      })
      if (!response.ok || !response.body)
        throw new Error(`the progress stream answered ${response.status}`)
      attempts = 0
      for await (const event of readEventStream(response.body)) {
        last = event.id
        onEvent(event.id, event.data)
        if (event.data.type === 'job-ended') return
      }
    } catch (error) {
      if (signal.aborted || endsHere(error)) return
    }
    // Dropped: come back after a pause and carry on after the last event received.
    attempts += 1
    onConnection('Reconnecting…')
    await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** attempts)))
    onConnection('')
  }
}

/** The `id:` and `data:` (JSON) of each event block of a text/event-stream body. */
export async function* readEventStream(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += value
    let end = buffer.indexOf('\n\n')
    while (end !== -1) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      end = buffer.indexOf('\n\n')
      let id
      const data = []
      for (const line of block.split('\n')) {
        if (line.startsWith('id:')) id = Number(line.slice(3).trim())
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
      }
      if (id !== undefined && data.length > 0) yield { id, data: JSON.parse(data.join('\n')) }
    }
  }
}
