/**
 * @module status-line
 * A page's one polite live region, drawn by Preact: short notes for screen readers ("Copied to
 * the clipboard.", "Your conversation was restored.", "vpn_reset saved as version 3"). The chat
 * page and the runbook screen each draw one `StatusLine`; `announce` is what their modules call.
 */

import { html, useEffect, useState } from '/ui/vendor/preact-htm.js'

/** What the line says; `round` counts the notes, so the same note said twice is said again. */
let note = { text: '', round: 0 }
const listeners = new Set()

/** Says `text` through the page's status line ('' empties it). */
export function announce(text) {
  note = { text, round: note.round + 1 }
  for (const listener of listeners) listener(note)
}

/**
 * The live region: on the page before the first note (a region that appears with its text is not
 * read). Each note is a new text node (keyed by its round), so a repeated note is read again.
 */
export function StatusLine({ id }) {
  const [shown, setShown] = useState(note)
  useEffect(() => {
    listeners.add(setShown)
    setShown(note)
    return () => listeners.delete(setShown)
  }, [])
  return html`<p id=${id} class="visually-hidden" role="status" aria-live="polite">
    ${shown.text && html`<span key=${shown.round}>${shown.text}</span>`}
  </p>`
}
