/**
 * @module chat/outcome-watch
 * How a conversation's approval requests end (approved and run, denied, expired) arrives later,
 * as assistant notes the server adds to the session: while any is awaited the page looks for
 * them every few seconds and shows each once.
 */

import { api } from '../sign-in.js'

const OUTCOME_POLL_MS = 4000

/** `show(entry)` puts one outcome note of the conversation on screen. */
export function outcomeWatch(show) {
  let watch

  function stop() {
    if (watch?.timer) clearInterval(watch.timer)
    watch = undefined
  }

  async function look() {
    const current = watch
    if (!current) return
    let session
    try {
      const response = await api(`/api/sessions/${encodeURIComponent(current.sessionId)}`)
      if (!response.ok) return
      session = await response.json()
    } catch {
      return // signed out, or the server is away for a moment: the next look will tell
    }
    if (watch !== current) return
    for (const entry of session.history ?? []) {
      if (!entry.approvalId || current.shown.has(entry.approvalId)) continue
      current.shown.add(entry.approvalId)
      show(entry)
    }
    if (current.shown.size >= current.awaiting) stop()
  }

  return {
    /** Awaits `opened` more outcomes of conversation `sessionId` (another one: starts over). */
    start(sessionId, opened) {
      if (!sessionId || opened === 0) return
      if (watch?.sessionId !== sessionId) {
        stop()
        watch = { sessionId, awaiting: 0, shown: new Set(), timer: undefined }
      }
      watch.awaiting += opened
      watch.timer ??= setInterval(() => void look(), OUTCOME_POLL_MS)
    },
    /** An outcome already on screen (decided on this page, or in the restored history). */
    shown(approvalId) {
      watch?.shown.add(approvalId)
    },
    stop,
  }
}
