/**
 * @module chat/feedback-slot
 * The thumbs up and down under one reply, for the conversation's owner: two toggle buttons
 * (aria-pressed), saved at once; pressing the pressed one again withdraws the rating. A Preact
 * component with its own state, so a redraw of the conversation never resets a rating being
 * saved. Offered only where the server keeps ratings (reply-feedback.js asks once per page).
 * The icons are Feather's thumbs-up and thumbs-down (MIT licence), drawn inline.
 */

import { html, useEffect, useState } from '/ui/vendor/preact-htm.js'
import { ratingsAvailable, saveRating } from '../reply-feedback.js'
import { SignInNeeded } from '../sign-in.js'

const CHOICES = [
  {
    name: 'up',
    label: 'Helpful',
    path: 'M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3',
  },
  {
    name: 'down',
    label: 'Not helpful',
    path: 'M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17',
  },
]

function Icon({ path }) {
  return html`<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
    <path d=${path} />
  </svg>`
}

/** The two buttons and their status line. */
function Thumbs({ feedback }) {
  const [chosen, setChosen] = useState(feedback.rating)
  const [saving, setSaving] = useState(false)
  const [note, setNote] = useState('')
  const choose = async (name) => {
    const next = chosen === name ? null : name
    setSaving(true)
    try {
      await saveRating(feedback.sessionId, feedback.replyIndex, next)
      setChosen(next ?? undefined)
      setNote(next ? 'Thanks for your feedback.' : 'Rating removed.')
    } catch (error) {
      if (error instanceof SignInNeeded) return
      setNote(
        `Could not save your rating: ${error instanceof Error ? error.message : String(error)}`,
      )
    } finally {
      setSaving(false)
    }
  }
  return html`<div class="reply-feedback" role="group" aria-label="Was this reply helpful?">
    ${CHOICES.map(
      (choice) => html`<button
        key=${choice.name}
        type="button"
        class=${`reply-feedback-button reply-feedback-${choice.name}`}
        aria-label=${choice.label}
        title=${choice.label}
        aria-pressed=${String(chosen === choice.name)}
        disabled=${saving}
        onClick=${() => void choose(choice.name)}
      >
        <${Icon} path=${choice.path} />
      </button>`,
    )}
    <span class="reply-feedback-note" role="status">${note}</span>
  </div>`
}

/** @param feedback `{sessionId, replyIndex: () => Promise<number>, rating?}` */
export function FeedbackSlot({ feedback }) {
  const [available, setAvailable] = useState(false)
  useEffect(() => {
    let gone = false
    void ratingsAvailable(feedback.sessionId).then((answer) => {
      if (answer && !gone) setAvailable(true)
    })
    return () => {
      gone = true
    }
  }, [feedback.sessionId])
  return html`<div class="reply-feedback-slot">
    ${available ? html`<${Thumbs} feedback=${feedback} />` : null}
  </div>`
}
