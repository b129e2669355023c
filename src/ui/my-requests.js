// "My requests": the signed-in user's conversations from GET /api/sessions, newest first, each
// with where it stands (the server derives the status). A request is a button: it opens that
// conversation. Server text only reaches the page through textContent.

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

function el(tag, className, text, children = []) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined && text !== null) node.textContent = String(text)
  for (const child of children) if (child) node.append(child)
  return node
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

  function render(sessions) {
    list.replaceChildren(
      ...sessions.map((session) => {
        const text = String(session.firstMessage ?? '')
        const title =
          text.length > FIRST_MESSAGE_CHARACTERS
            ? `${text.slice(0, FIRST_MESSAGE_CHARACTERS - 1)}…`
            : text
        const status = STATUS_LABELS[session.status] ?? STATUS_LABELS.done
        const button = el('button', 'request', undefined, [
          el('span', 'request-title', title),
          el('span', `request-status request-${session.status ?? 'done'}`, status),
          el('span', 'request-when', when(session.updatedAt)),
        ])
        button.type = 'button'
        button.dataset.sessionId = session.id
        button.dataset.status = session.status ?? 'done'
        if (session.id === currentId()) button.setAttribute('aria-current', 'true')
        button.addEventListener('click', () => onOpen(session.id))
        return el('li', '', undefined, [button])
      }),
    )
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
        render(body.sessions ?? [])
      } catch (thrown) {
        if (thrown instanceof SignInNeeded || mine !== generation) return
        error.textContent = `Could not load your requests: ${thrown instanceof Error ? thrown.message : String(thrown)}`
        error.hidden = false
      }
    },
    /** Marks the conversation now on screen. */
    mark(sessionId) {
      for (const button of list.querySelectorAll('.request')) {
        if (button.dataset.sessionId === sessionId) button.setAttribute('aria-current', 'true')
        else button.removeAttribute('aria-current')
      }
    },
    hide() {
      generation++
      panel.hidden = true
      list.replaceChildren()
    },
  }
}
