// While a conversation waits for a technician (its ticket is open or picked up: status
// handed_off), the chat page looks every 10 s for the technician's answer, which the server adds
// to the conversation, and shows each new line once. It stops when the request is no longer
// handed off (answered, closed) or another conversation is opened.

import { api } from './sign-in.js'

const POLL_MS = 10_000

/** `show(entry)` puts one new assistant line of the conversation on screen. */
export function ticketWatch(show) {
  let current

  function stop() {
    if (current) clearInterval(current.timer)
    current = undefined
  }

  async function look() {
    const watching = current
    if (!watching) return
    let session
    try {
      const response = await api(`/api/sessions/${encodeURIComponent(watching.sessionId)}`)
      if (!response.ok) return
      session = await response.json()
    } catch {
      return // signed out, or the server is away for a moment: the next look will tell
    }
    if (current !== watching) return
    const history = session.history ?? []
    if (watching.seen === undefined) watching.seen = history.length
    for (const entry of history.slice(watching.seen)) {
      if (entry.role === 'assistant' && !entry.approvalId) show(entry)
    }
    watching.seen = Math.max(watching.seen, history.length)
    if (session.status !== 'handed_off') stop()
  }

  return {
    /**
     * Watches `sessionId`; `seen`: how many lines of its history are on screen (undefined: all
     * it has now, asked at once).
     */
    start(sessionId, seen) {
      stop()
      current = { sessionId, seen, timer: setInterval(() => void look(), POLL_MS) }
      if (seen === undefined) void look()
    },
    /** After a turn of the watched conversation: its new lines are on screen already. */
    turnEnded(sessionId) {
      if (current?.sessionId !== sessionId) return
      current.seen = undefined
      void look()
    },
    stop,
  }
}
