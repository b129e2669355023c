/**
 * @module chat/page-parts
 * The chat page's own parts around the conversation, as Preact components drawn from one state:
 * the message box (chat/composer.js), the "For user" field, the welcome with its suggestions, the
 * top bar's Workspace link and New conversation button, and the page's status line
 * (status-line.js, which `announce` fills). app.js changes the state through `pageParts` (who is signed in, busy, the text in the box); a change draws every part again and
 * Preact touches only what differs, so the focus and the caret stay.
 */

import { html, render } from '/ui/vendor/preact-htm.js'
import { remember, remembered } from '../sign-in.js'
import { StatusLine } from '../status-line.js'
import { Composer, RequesterField } from './composer.js'

const REQUESTER_KEY = 'helpdesk.requester'
const SUGGESTIONS = [
  'I forgot my password',
  'VPN error 809',
  'Printer PRN-3F-EAST is offline',
  'Outlook keeps asking for my password',
]

/** The welcome: shown to a signed-in person while the conversation is empty. */
function Welcome({ visible, onSend }) {
  return html`<section id="welcome" class="welcome" aria-labelledby="welcome-title" hidden=${!visible}>
    <h2 id="welcome-title">How can I help?</h2>
    <p>Tell me what is wrong in your own words, or start with one of these:</p>
    <ul class="chips" aria-label="Suggestions">
      ${SUGGESTIONS.map(
        (text) => html`<li key=${text}>
          <button type="button" class="chip" onClick=${() => onSend(text)}>${text}</button>
        </li>`,
      )}
    </ul>
  </section>`
}

/** The Workspace link (technicians and admins) and New conversation (anyone signed in). */
function PageLinks({ user, onNewConversation }) {
  const anonymous = user?.authentication === 'none'
  // The workspace (jobs, approvals, tickets, runbooks, analytics, audit) is for technicians and
  // admins; with sign-in off everyone is an admin.
  const staff = anonymous || user?.role === 'technician' || user?.role === 'admin'
  return html`<a id="workspace-link" class="button button-secondary" href="/jobs" hidden=${!user || !staff}>Workspace</a>
    <button
      id="new-conversation"
      type="button"
      class="button button-secondary"
      hidden=${!user}
      onClick=${onNewConversation}
    >
      New conversation
    </button>`
}

/**
 * What the parts show. `user`: the signed-in person ({ username, role, authentication }) or
 * undefined; `conversationEmpty`: no message on screen (the welcome shows).
 */
let state = {
  user: undefined,
  conversationEmpty: true,
  text: '',
  busy: false,
  requester: remembered(REQUESTER_KEY) ?? '',
}
/** Set by the page: sending a message, and starting a new conversation. */
let wiring = { send: () => undefined, newConversation: () => undefined }

function update(change) {
  state = { ...state, ...change }
  draw()
}

/** A requester asks for themselves; technicians and admins may name the employee they help. */
function requesterVisible(user) {
  return Boolean(user) && (user.authentication === 'none' || user.role !== 'requester')
}

function draw() {
  const { user } = state
  render(
    html`<${RequesterField}
      visible=${requesterVisible(user)}
      anonymous=${user?.authentication === 'none'}
      value=${state.requester}
      onValue=${(value) => {
        remember(REQUESTER_KEY, value.trim())
        update({ requester: value })
      }}
    />`,
    document.getElementById('requester-slot'),
  )
  render(
    html`<${PageLinks} user=${user} onNewConversation=${() => wiring.newConversation()} />`,
    document.getElementById('page-links-slot'),
  )
  render(
    html`<${Welcome} visible=${Boolean(user) && state.conversationEmpty} onSend=${(text) => wiring.send(text)} />`,
    document.getElementById('welcome-slot'),
  )
  render(
    html`<${Composer}
      visible=${Boolean(user)}
      text=${state.text}
      busy=${state.busy}
      onText=${(text) => update({ text })}
      onSend=${(text) => wiring.send(text)}
    />`,
    document.getElementById('composer-slot'),
  )
  render(html`<${StatusLine} id="status" />`, document.getElementById('status-slot'))
}

/** The page's handle on its parts. */
export const pageParts = {
  /** `send(text)` and `newConversation()`: what the parts call. */
  configure(handlers) {
    wiring = { ...wiring, ...handlers }
  },
  /** Who is signed in (undefined: nobody; the box and the links hide). */
  setUser(user) {
    update({ user })
  },
  setConversationEmpty(empty) {
    if (empty !== state.conversationEmpty) update({ conversationEmpty: empty })
  },
  setBusy(busy) {
    update({ busy })
  },
  isBusy() {
    return state.busy
  },
  setText(text) {
    update({ text })
  },
  /** The employee named in "For user" (empty when the field is hidden or empty). */
  requester() {
    return requesterVisible(state.user) ? state.requester.trim() : ''
  },
  focusMessage() {
    document.getElementById('message')?.focus()
  },
}

draw()
