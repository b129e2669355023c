// "My requests": the signed-in user's conversations from GET /api/sessions, newest first, each
// with where it stands (the server derives the status). A request is a button: it opens that
// conversation. The whole part (the collapsible box, its count, error and empty lines, the list)
// is one Preact component; server text is only ever text, never HTML.

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

function RequestItem({ session, current, onOpen }) {
  const text = String(session.firstMessage ?? '')
  const title =
    text.length > FIRST_MESSAGE_CHARACTERS
      ? `${text.slice(0, FIRST_MESSAGE_CHARACTERS - 1)}…`
      : text
  const status = session.status ?? 'done'
  return html`<li>
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
}

/**
 * "My requests". `sessions`: the last load (undefined before one); `current`: the conversation
 * on screen; `error`: why the last load failed, or ''.
 */
function MyRequests({ visible, sessions, current, error, onOpen }) {
  const count = sessions?.length ?? 0
  return html`<details id="requests" class="requests" hidden=${!visible}>
    <summary>My requests${' '}<span id="requests-count" class="count" hidden=${count === 0}>${count}</span></summary>
    <p id="requests-error" class="requests-error" role="alert" hidden=${error === ''}>${error}</p>
    <p id="requests-empty" class="requests-empty" hidden=${!sessions || count > 0}>No requests yet: what you ask appears here.</p>
    <ul id="requests-list" class="requests-list" aria-label="My requests, newest first">
      ${(sessions ?? []).map(
        (session) =>
          html`<${RequestItem} key=${session.id} session=${session} current=${current} onOpen=${onOpen} />`,
      )}
    </ul>
  </details>`
}

/**
 * Draws "My requests" into `#requests-slot`. `onOpen(sessionId)` is called when one is chosen;
 * `currentId()` says which conversation is on screen (marked `aria-current`).
 */
export function myRequests({ onOpen, currentId }) {
  const slot = document.getElementById('requests-slot')
  let generation = 0
  let state = { visible: false, sessions: undefined, current: undefined, error: '' }

  function update(change) {
    state = { ...state, ...change }
    render(html`<${MyRequests} ...${state} onOpen=${onOpen} />`, slot)
  }
  update({})

  return {
    async refresh() {
      const mine = ++generation
      update({ visible: true })
      try {
        const response = await api('/api/sessions')
        if (!response.ok) throw new Error(`the server answered ${response.status}`)
        const body = await response.json()
        if (mine !== generation) return
        update({ error: '', sessions: body.sessions ?? [], current: currentId() })
      } catch (thrown) {
        if (thrown instanceof SignInNeeded || mine !== generation) return
        update({
          error: `Could not load your requests: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
        })
      }
    },
    /** Marks the conversation now on screen. */
    mark(sessionId) {
      update({ current: sessionId })
    },
    hide() {
      generation++
      update({ visible: false, sessions: undefined, error: '' })
    },
  }
}
