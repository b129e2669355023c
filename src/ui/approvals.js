// The approvals panel: technicians and admins see the plans waiting for a decision, exactly what
// each held step would run and what its dry run showed, and approve (the plan runs at once) or
// deny them with a reason; above them, runs a server stop cut short, each with its resume form,
// and the outcomes decided just now. Everything on screen is Preact (chat/approvals-panel.js
// draws the toggle and the panel, chat/*-card.js the cards); this module keeps the panel's state,
// loads the lists and sends the decisions, and draws again after each change.

import { html, render } from '/ui/vendor/preact-htm.js'
import { ApprovalsPanel, ApprovalsToggle, EMPTY_STATE } from './chat/approvals-panel.js'
import { describeError, errorOf, sentence, shortId, uniqueId, when } from './chat/format.js'
import { openJob } from './job-view.js'
import { api, SignInNeeded } from './sign-in.js'

const WIDE = matchMedia('(min-width: 56rem)')

/** The signed-in user when they may decide approvals (technician or admin), else undefined. */
let approver
/** What the panel shows (chat/approvals-panel.js `EMPTY_STATE` says what each part means). */
let state = { ...EMPTY_STATE }
/** Bumped on each load and each change of user, so a late answer never lands on a newer list. */
let loads = 0
/** Whether the error line shows a failed load (cleared by the next good one), not a decision's. */
let loadFailed = false

/** Changes the state and draws the toggle and the panel again (Preact keeps what did not change). */
function update(change) {
  state = { ...state, ...change }
  draw()
}

/** What the cards call: decisions, resumes and the lists they change. */
const panel = { decide, resume }

function draw() {
  render(
    html`<${ApprovalsToggle} state=${state} onToggle=${toggle} />`,
    document.getElementById('approvals-toggle-slot'),
  )
  render(
    html`<${ApprovalsPanel}
      state=${state}
      panel=${panel}
      onRefresh=${() => void refreshApprovals()}
      onDismiss=${(outcome) => {
        update({ decided: state.decided.filter((each) => each !== outcome) })
        document.getElementById('approvals-refresh')?.focus()
      }}
    />`,
    document.getElementById('approvals-slot'),
  )
}

function showError(text, { focus = false } = {}) {
  update({ error: text })
  if (focus && text) document.getElementById('approvals-error')?.focus()
}

/** Shows an outcome on top of the decided ones. */
function addOutcome(approval, results, action, jobId) {
  const outcome = { approval, results, action, jobId, titleId: uniqueId('outcome') }
  update({ decided: [outcome, ...state.decided] })
  return outcome
}

/** The focus goes to what happened once the decided card has left the list. */
function focusOutcome(outcome) {
  document.getElementById(outcome.titleId)?.focus()
}

/** Approves or denies; shows the outcome (and, after an approval, what ran), then reloads. */
async function decide(approval, action, body, card) {
  const label = `“${approval.runbook?.title ?? approval.taskType}” (request ${shortId(approval.id)})`
  card.busy(true, action === 'approve' ? 'Approving; the plan runs now…' : 'Denying…')
  showError('')
  let outcome
  let note = ''
  try {
    const response = await api(`/api/approvals/${encodeURIComponent(approval.id)}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!response.ok) {
      const error = await errorOf(response)
      const extra =
        error.code === 'APPROVAL_CONFLICT' || error.code === 'APPROVAL_EXPIRED'
          ? ' The list has been refreshed.'
          : ''
      showError(`Could not ${action} ${label}: ${sentence(error.message)}${extra}`)
      card.busy(false)
    } else {
      const answer = await response.json()
      if (answer.approval?.status === 'pending') {
        note = `Approved the chosen steps of ${label}; the others still wait for a decision.`
      } else {
        // An operation on machines runs as a background job: its live view opens at once.
        const jobId = typeof answer.jobId === 'string' ? answer.jobId : undefined
        outcome = addOutcome(answer.approval ?? approval, answer.results ?? [], action, jobId)
        if (jobId) openJob(jobId)
      }
    }
  } catch (error) {
    card.busy(false)
    if (error instanceof SignInNeeded) return
    showError(
      `Could not reach the helpdesk to ${action} ${label}: ${sentence(describeError(error))}`,
    )
  }
  await refreshApprovals()
  if (note) update({ status: note })
  if (card.isBusy()) card.busy(false)
  // The card leaves the list once decided: focus moves to what happened, never to nowhere.
  if (outcome) focusOutcome(outcome)
  else if (!card.mounted() && state.error) document.getElementById('approvals-error')?.focus()
}

/** Resumes or stops an interrupted run; shows the outcome, then reloads. */
async function resume(approval, body, card) {
  const label = `“${approval.runbook?.title ?? approval.taskType}” (request ${shortId(approval.id)})`
  card.busy(true, body.stop ? 'Stopping the run…' : 'Resuming; the remaining steps run now…')
  showError('')
  let outcome
  try {
    const response = await api(`/api/approvals/${encodeURIComponent(approval.id)}/resume`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!response.ok) {
      const error = await errorOf(response)
      const verb = body.stop ? 'stop' : 'resume'
      showError(`Could not ${verb} ${label}: ${sentence(error.message)}`, { focus: true })
      card.busy(false)
    } else {
      const answer = await response.json()
      outcome = addOutcome(answer.approval ?? approval, answer.results ?? [], 'approve')
    }
  } catch (error) {
    card.busy(false)
    if (error instanceof SignInNeeded) return
    showError(
      `Could not reach the helpdesk to resume ${label}: ${sentence(describeError(error))}`,
      {
        focus: true,
      },
    )
  }
  await refreshApprovals()
  if (outcome) focusOutcome(outcome)
}

/**
 * Loads the pending requests again. Does nothing unless a technician or admin is signed in;
 * called when the panel opens, after each decision, on "Refresh" and when the chat opens one.
 */
export async function refreshApprovals() {
  if (!approver) return
  const load = ++loads
  update({ busy: true })
  try {
    const [response, stoppedResponse] = await Promise.all([
      api('/api/approvals?status=pending'),
      api('/api/approvals?status=interrupted'),
    ])
    if (load !== loads) return
    // Runs a server stop cut short: shown above the pending ones, each with its resume form.
    const stopped = stoppedResponse.ok ? ((await stoppedResponse.json()).approvals ?? []) : []
    if (load !== loads) return
    if (!response.ok) {
      const error = await errorOf(response)
      if (load !== loads) return
      loadFailed = true
      update({
        interrupted: stopped,
        status: '',
        error:
          error.code === 'NOT_CONFIGURED'
            ? `Approvals are not available on this server: ${sentence(error.message)}`
            : `Could not load the approvals: ${sentence(error.message)}`,
      })
      return
    }
    const body = await response.json()
    if (load !== loads) return
    const approvals = Array.isArray(body.approvals) ? body.approvals : []
    const many = approvals.length === 1 ? 'approval' : 'approvals'
    const cut = stopped.length
      ? `, ${stopped.length} interrupted ${stopped.length === 1 ? 'run' : 'runs'} to check`
      : ''
    update({
      pending: approvals,
      interrupted: stopped,
      empty: approvals.length === 0 && stopped.length === 0,
      count: approvals.length,
      status: `${approvals.length || 'No'} ${many} waiting${cut}, as of ${when(new Date().toISOString())}.`,
      ...(loadFailed ? { error: '' } : {}),
    })
    loadFailed = false
  } catch (error) {
    if (error instanceof SignInNeeded || load !== loads) return
    loadFailed = true
    showError(
      `Could not reach the helpdesk to load the approvals: ${sentence(describeError(error))}`,
    )
  } finally {
    if (load === loads) update({ busy: false })
  }
}

function setOpen(open) {
  update({ open })
  if (open) void refreshApprovals()
}

function toggle() {
  const open = !state.open
  setOpen(open)
  // Drawn at once (render is synchronous): the heading is there to take the focus.
  if (open) document.getElementById('approvals-title')?.focus()
}

/** Follows who is signed in: the panel is for technicians and admins only, emptied on a change. */
export function setApprovalsUser(user) {
  loads += 1
  const may = Boolean(user && (user.role === 'technician' || user.role === 'admin'))
  const changed = approver?.username !== user?.username
  approver = may ? user : undefined
  if (changed || !may) {
    loadFailed = false
    state = { ...EMPTY_STATE, open: state.open }
  }
  if (!may) {
    update({ may, open: false })
    return
  }
  // Open beside the chat on a wide screen; on a narrow one it waits for the button.
  state = { ...state, may }
  setOpen(WIDE.matches || state.open)
}

draw()
