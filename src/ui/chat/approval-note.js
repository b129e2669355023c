/**
 * @module chat/approval-note
 * The approval request of a chat turn, on its plan card: who must act, and for a level-1 step
 * the person it is for (or the technician who asked for them) confirms or cancels it right
 * there. Confirm calls the same approve endpoint a technician's Approve does; the server checks
 * who may (the requester for their own level-1 request, or a technician).
 */

import { html, useLayoutEffect, useRef, useState } from '/ui/vendor/preact-htm.js'
import { api, SignInNeeded } from '../sign-in.js'
import { errorOf, sentence, shortId, when } from './format.js'

const same = (left, right) => String(left ?? '').toLowerCase() === String(right ?? '').toLowerCase()
const isTechnician = (viewer) => viewer?.role === 'technician' || viewer?.role === 'admin'

/** Whether the signed-in viewer confirms this request on the page (level 1 only). */
export function mayConfirm(approval, viewer) {
  if (!viewer || approval.level !== 1) return false
  return same(approval.requester, viewer.username) || isTechnician(viewer)
}

/** The note under a plan card's title: which request, until when, and who must act. */
export function approvalNoteText(approval, viewer) {
  const steps = approval.stepIds?.length ?? 0
  const count = `${steps} ${steps === 1 ? 'step' : 'steps'}`
  // Request ids are for technicians; an employee reads what and until when.
  const what = isTechnician(viewer)
    ? `request ${shortId(approval.id)} (${count}), open until ${when(approval.expiresAt)}`
    : `${count}, open until ${when(approval.expiresAt)}`
  if (approval.level === 1 && mayConfirm(approval, viewer)) {
    return same(approval.requester, viewer.username)
      ? `You confirm this: ${what}. Nothing changes until you press Confirm.`
      : `${approval.requester} or a technician confirms this: ${what}. You can confirm it here.`
  }
  if (approval.level === 1) {
    return `Waiting for ${approval.requester} or a technician to confirm: ${what}.`
  }
  // Never the one who asked: a technician asking (for themselves or someone) reads "other than you".
  return isTechnician(viewer)
    ? `A technician other than you must approve this: ${what}. It waits in the Approvals list; you'll see the result here.`
    : `A technician must approve this: ${what}. You'll see the result here.`
}

function outcomeText(action, approval, viewer) {
  if (action === 'deny') return 'Cancelled: nothing of it runs.'
  const by = same(approval.requester, viewer.username) ? 'you' : viewer.username
  const ran = approval.execution?.outcome
  if (ran === 'succeeded') return `Confirmed by ${by} and carried out: succeeded.`
  if (ran === 'failed') return `Confirmed by ${by}, but it failed: see the step below.`
  if (ran === 'unknown')
    return `Confirmed by ${by}; whether it ran is unknown: a technician checks.`
  return `Confirmed by ${by}.`
}

/**
 * The note of one approval request, and Confirm / Cancel under it when the viewer confirms it.
 * `onDecided(approval, results)` is told once it is decided here (so the page shows what ran
 * on the card, and does not report the outcome a second time).
 */
export function ApprovalNote({ approval, viewer, onDecided }) {
  const confirms = mayConfirm(approval, viewer)
  /** idle | busy | error | final-error | decided */
  const [phase, setPhase] = useState('idle')
  const [status, setStatus] = useState('')
  const [ended, setEnded] = useState(undefined)
  /** Which element takes the focus after the next draw: 'note' or 'status'. */
  const [focus, setFocus] = useState(undefined)
  const note = useRef(null)
  const statusLine = useRef(null)
  // A layout effect: the focus moves in the same task as the change, before anything else reads it.
  useLayoutEffect(() => {
    if (!focus) return
    ;(focus === 'note' ? note : statusLine).current?.focus()
    setFocus(undefined)
  }, [focus])

  const decide = async (action) => {
    setPhase('busy')
    setStatus(action === 'approve' ? 'Confirming; it runs now…' : 'Cancelling…')
    const body =
      action === 'approve' ? {} : { reason: `Cancelled by ${viewer.username} in the chat` }
    try {
      const response = await api(`/api/approvals/${encodeURIComponent(approval.id)}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (!response.ok) {
        const error = await errorOf(response)
        const final = error.code === 'APPROVAL_CONFLICT' || error.code === 'APPROVAL_EXPIRED'
        setPhase(final ? 'final-error' : 'error')
        setStatus(
          `Could not ${action === 'approve' ? 'confirm' : 'cancel'} it: ${sentence(error.message)}`,
        )
        setFocus('status')
        return
      }
      const answer = await response.json()
      const decided = answer.approval ?? approval
      // The note says how it ended (and takes the focus); the live region announces it once.
      const outcome = outcomeText(action, decided, viewer)
      setEnded({
        text: isTechnician(viewer) ? `Request ${shortId(approval.id)}: ${outcome}` : outcome,
        done: decided.execution?.outcome === 'succeeded',
      })
      setStatus(outcome)
      setPhase('decided')
      setFocus('note')
      onDecided?.(decided, answer.results ?? [])
    } catch (error) {
      if (error instanceof SignInNeeded) {
        setPhase('idle')
        setStatus('')
        return
      }
      setPhase('error')
      setStatus(
        `Could not reach the helpdesk: ${sentence(error instanceof Error ? error.message : String(error))}`,
      )
    }
  }

  const noteClass = ended
    ? `plan-approval ${ended.done ? 'plan-approval-done' : 'plan-approval-ended'}`
    : 'plan-approval'
  // Each card has these buttons: the note (request id, steps) tells them apart.
  const noteId = `approval-note-${approval.id}`
  const noteNode = html`<p
    class=${noteClass}
    id=${confirms ? noteId : undefined}
    data-approval-id=${approval.id}
    data-level=${String(approval.level)}
    tabIndex=${ended ? -1 : undefined}
    ref=${note}
  >${ended ? ended.text : approvalNoteText(approval, viewer)}</p>`
  if (!confirms) return noteNode
  const statusClass =
    phase === 'decided'
      ? 'plan-confirm-status visually-hidden'
      : phase === 'error' || phase === 'final-error'
        ? 'plan-confirm-status plan-confirm-error'
        : 'plan-confirm-status'
  const buttonsGone = phase === 'decided' || phase === 'final-error'
  return [
    noteNode,
    html`<div class="plan-confirm" data-approval-id=${approval.id}>
      ${
        buttonsGone
          ? null
          : html`<div class="plan-confirm-buttons">
              <button type="button" class="button button-primary confirm" aria-describedby=${noteId} disabled=${phase === 'busy'} onClick=${() => void decide('approve')}>Confirm</button>
              <button type="button" class="button button-secondary cancel" aria-describedby=${noteId} disabled=${phase === 'busy'} onClick=${() => void decide('deny')}>Cancel</button>
            </div>`
      }
      <p class=${statusClass} role="status" aria-live="polite" tabIndex=${-1} ref=${statusLine}>${status}</p>
    </div>`,
  ]
}
