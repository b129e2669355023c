// The approval request of a chat turn, on its plan card: who must act, and for a level-1 step
// the person it is for (or the technician who asked for them) confirms or cancels it right
// there. Confirm calls the same approve endpoint a technician's Approve does; the server checks
// who may (the requester for their own level-1 request, or a technician). Server text only
// reaches the page through textContent.

import { shortId, when } from './approvals.js'
import { api, SignInNeeded } from './sign-in.js'

function el(tag, className, text, children = []) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined && text !== null) node.textContent = String(text)
  for (const child of children) if (child) node.append(child)
  return node
}

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

/** The `{ code, message }` of an error answer. */
async function errorOf(response) {
  const body = await response.json().catch(() => null)
  return {
    code: body?.error?.code ?? '',
    message:
      body?.error?.message ?? `the server answered ${response.status} ${response.statusText}`,
  }
}

function sentence(text) {
  const trimmed = String(text ?? '').trim()
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`
}

/** Shows what ran on the card's held steps of this request. */
function markResults(card, approval, results) {
  for (const node of card.querySelectorAll('.step-status')) {
    if (node.dataset.approvalId !== approval.id) continue
    const result = results.find((each) => each.stepId === node.dataset.stepId)
    if (!result) continue
    node.textContent = result.status.replaceAll('_', ' ')
    node.className = `step-status status-${result.status}`
    if (result.errorMessage) node.title = result.errorMessage
  }
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
 * Confirm and Cancel for a level-1 request, under its note on the plan card. `onDecided` is told
 * the request once it is decided here (so the page does not report it a second time).
 */
export function confirmControls(approval, { viewer, card, note, onDecided }) {
  const confirm = el('button', 'button button-primary confirm', 'Confirm')
  confirm.type = 'button'
  const cancel = el('button', 'button button-secondary cancel', 'Cancel')
  cancel.type = 'button'
  // Each card has these buttons: the note (request id, steps) tells them apart.
  note.id ||= `approval-note-${approval.id}`
  for (const button of [confirm, cancel]) button.setAttribute('aria-describedby', note.id)
  const status = el('p', 'plan-confirm-status')
  status.setAttribute('role', 'status')
  status.setAttribute('aria-live', 'polite')
  status.tabIndex = -1
  const buttons = el('div', 'plan-confirm-buttons', undefined, [confirm, cancel])
  const controls = el('div', 'plan-confirm', undefined, [buttons, status])
  controls.dataset.approvalId = approval.id

  const decide = async (action) => {
    confirm.disabled = true
    cancel.disabled = true
    status.classList.remove('plan-confirm-error')
    status.textContent = action === 'approve' ? 'Confirming; it runs now…' : 'Cancelling…'
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
        status.classList.add('plan-confirm-error')
        status.textContent = `Could not ${action === 'approve' ? 'confirm' : 'cancel'} it: ${sentence(error.message)}`
        if (final) buttons.remove()
        else {
          confirm.disabled = false
          cancel.disabled = false
        }
        status.focus()
        return
      }
      const answer = await response.json()
      const decided = answer.approval ?? approval
      markResults(card, decided, answer.results ?? [])
      buttons.remove()
      // The note says how it ended (and takes the focus); the live region announces it once.
      const outcome = outcomeText(action, decided, viewer)
      note.textContent = isTechnician(viewer)
        ? `Request ${shortId(approval.id)}: ${outcome}`
        : outcome
      note.classList.add(
        decided.execution?.outcome === 'succeeded' ? 'plan-approval-done' : 'plan-approval-ended',
      )
      note.tabIndex = -1
      status.classList.add('visually-hidden')
      status.textContent = outcome
      note.focus()
      onDecided?.(decided)
    } catch (error) {
      confirm.disabled = false
      cancel.disabled = false
      if (error instanceof SignInNeeded) {
        status.textContent = ''
        return
      }
      status.classList.add('plan-confirm-error')
      status.textContent = `Could not reach the helpdesk: ${sentence(error instanceof Error ? error.message : String(error))}`
    }
  }
  confirm.addEventListener('click', () => void decide('approve'))
  cancel.addEventListener('click', () => void decide('deny'))
  return controls
}
