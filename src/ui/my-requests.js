// "My requests": the signed-in user's conversations from GET /api/sessions, newest first, each
// with where it stands (the server derives the status). A request is a button: it opens that
// conversation. The list is drawn with Preact; server text is only ever text, never HTML.

import { html, render } from '/ui/vendor/preact-htm.js'
import { when } from './chat/format.js'
import { api, SignInNeeded } from './sign-in.js'

export const STATUS_LABELS = {
  waiting_for_you: 'Waiting for your answer',
  awaiting_approval: 'Awaiting approval',
  failed: 'Failed',
  handed_off: 'Handed off',
  answered: 'Answered',
  done: 'Done',
}

const FIRST_MESSAGE_CHARACTERS = 80

/**
 * Renders the list into `#requests`. `onOpen(sessionId)` is called when one is chosen;
 * `currentId()` says which conversation is on screen (marked `aria-current`).
 */
export function myRequests({ onOpen, currentId }) {
  const panel = document.getElementById('requests')
  const list = document.getElementById('requests-list')
  const empty = document.getElementById('requests-empty')
  const count = document.getElementById('requests-count')
  const error = document.getElementById('requests-error')
  let generation = 0

  /** What the list shows: the sessions of the last load, and which one is on screen. */
  let shown = []
  let current

  function draw() {
    render(
      html`${shown.map((session) => {
        const text = String(session.firstMessage ?? '')
        const title =
          text.length > FIRST_MESSAGE_CHARACTERS
            ? `${text.slice(0, FIRST_MESSAGE_CHARACTERS - 1)}…`
            : text
        const status = session.status ?? 'done'
        return html`<li key=${session.id}>
          <button
            type="button"
            class="request"
            data-session-id=${session.id}
            data-status=${status}
            aria-current=${session.id === current ? 'true' : undefined}
            onClick=${() => onOpen(session.id)}
          >
            <span class="request-title">${title}</span>
            <span class=${`request-status request-${status}`}>${STATUS_LABELS[status] ?? STATUS_LABELS.done}</span>
            <span class="request-when">${when(session.updatedAt)}</span>
          </button>
        </li>`
      })}`,
      list,
    )
  }

  function show(sessions) {
    shown = sessions
    current = currentId()
    draw()
    empty.hidden = sessions.length > 0
    count.textContent = String(sessions.length)
    count.hidden = sessions.length === 0
  }

  return {
    async refresh() {
      const mine = ++generation
      panel.hidden = false
      try {
        const response = await api('/api/sessions')
        if (!response.ok) throw new Error(`the server answered ${response.status}`)
        const body = await response.json()
        if (mine !== generation) return
        error.hidden = true
        show(body.sessions ?? [])
      } catch (thrown) {
        if (thrown instanceof SignInNeeded || mine !== generation) return
        error.textContent = `Could not load your requests: ${thrown instanceof Error ? thrown.message : String(thrown)}`
        error.hidden = false
      }
    },
    /** Marks the conversation now on screen. */
    mark(sessionId) {
      current = sessionId
      draw()
    },
    hide() {
      generation++
      panel.hidden = true
      shown = []
      draw()
    },
  }
}
