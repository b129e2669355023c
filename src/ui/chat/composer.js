/**
 * @module chat/composer
 * Where the chat page's messages are written, as Preact components: the message box with its
 * counter and keyboard (Enter sends, Shift+Enter starts a new line, Esc clears), and the "For
 * user" field in the top bar (a technician names the employee they ask for). They draw what
 * chat/page-parts.js's state says and tell it what changed.
 */

import { html } from '/ui/vendor/preact-htm.js'

export const MAX_CHARACTERS = 4000
/** The closed character set of a username, as the server checks it. */
export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/**
 * The message box. `text`: what is typed; `busy`: a turn is under way (the box and Send wait);
 * `onText(text)` on each change; `onSend(text)` on Enter or Send.
 */
export function Composer({ visible, text, busy, onText, onSend }) {
  const over = text.length > MAX_CHARACTERS
  const keydown = (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault()
      onSend(event.currentTarget.value)
    } else if (event.key === 'Escape') {
      event.preventDefault()
      onText('')
    }
  }
  return html`<footer id="composer-wrap" class="composer-wrap" hidden=${!visible}>
    <form
      id="composer"
      class="composer"
      novalidate
      aria-busy=${String(busy)}
      onSubmit=${(event) => {
        event.preventDefault()
        onSend(text)
      }}
    >
      <label for="message" class="visually-hidden">Message</label>
      <textarea
        id="message"
        name="message"
        rows="2"
        maxlength=${MAX_CHARACTERS}
        placeholder="Describe your IT problem…"
        aria-describedby="composer-help counter"
        disabled=${busy}
        value=${text}
        onInput=${(event) => onText(event.currentTarget.value)}
        onKeyDown=${keydown}
      ></textarea>
      <div class="composer-bar">
        <p id="composer-help" class="composer-help">
          Enter to send · Shift+Enter for a new line · Esc to clear
        </p>
        <p id="counter" class=${over ? 'counter counter-over' : 'counter'} aria-live="off">
          ${`${text.length} / ${MAX_CHARACTERS}`}
        </p>
        <button id="send" type="submit" class="button button-primary" disabled=${busy}>Send</button>
      </div>
    </form>
  </footer>`
}

/**
 * The "For user" field: shown to technicians and admins (and, as "Your username", with sign-in
 * off); `value` is what is typed, `onValue(value)` on each change. A value outside the username
 * characters is marked invalid as it is typed (the server refuses it too).
 */
export function RequesterField({ visible, anonymous, value, onValue }) {
  const trimmed = value.trim()
  return html`<div id="requester-field" class="field field-user" hidden=${!visible}>
    <label for="requester">
      <span id="requester-label">${anonymous ? 'Your username' : 'For user'}</span>${' '}
      <span class="optional">(optional)</span>
    </label>
    <input
      id="requester"
      name="requester"
      type="text"
      autocomplete="off"
      autocapitalize="off"
      spellcheck="false"
      maxlength="64"
      pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}"
      placeholder="e.g. jdoe"
      aria-describedby="requester-hint"
      aria-invalid=${String(trimmed !== '' && !USERNAME.test(trimmed))}
      value=${value}
      onInput=${(event) => onValue(event.currentTarget.value)}
    />
    <span id="requester-hint" class="visually-hidden">The employee you are asking for; leave empty to ask for yourself.</span>
  </div>`
}
