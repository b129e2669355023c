// The approvals panel: technicians and admins see the plans waiting for a decision, exactly what
// each held step would run and what its dry run showed, and approve (the plan runs at once) or
// deny them with a reason; above them, runs a server stop cut short, each with its resume form,
// and the outcomes decided just now. The cards are Preact components (chat/approval-card.js,
// chat/interrupted-card.js, chat/outcome-card.js); this module loads the lists, sends the
// decisions and keeps the panel's own parts (toggle, count, Refresh, error and status lines).

import { html, render } from '/ui/vendor/preact-htm.js'
import { ApprovalCard } from './chat/approval-card.js'
import { describeError, errorOf, sentence, shortId, uniqueId, when } from './chat/format.js'
import { InterruptedCard } from './chat/interrupted-card.js'
import { OutcomeCard } from './chat/outcome-card.js'
import { openJob } from './job-view.js'
import { api, SignInNeeded } from './sign-in.js'

const WIDE = matchMedia('(min-width: 56rem)')

const $ = (id) => document.getElementById(id)
const panelNode = $('approvals')
const toggle = $('approvals-toggle')
const count = $('approvals-count')
const refreshButton = $('approvals-refresh')
const errorLine = $('approvals-error')
const statusLine = $('approvals-status')
const decidedList = $('approvals-decided')
const interruptedList = $('approvals-interrupted')
const emptyLine = $('approvals-empty')
const list = $('approvals-list')
const shell = panelNode.closest('.shell')

/** The signed-in user when they may decide approvals (technician or admin), else undefined. */
let approver
/** What the lists show: pending and interrupted requests, and the outcomes decided here. */
let pending = []
let interrupted = []
let decided = []
/** Bumped on each load and each change of user, so a late answer never lands on a newer list. */
let loads = 0
/** Whether the error line shows a failed load (cleared by the next good one), not a decision's. */
let loadFailed = false

function showError(text, { focus = false } = {}) {
  errorLine.textContent = text
  errorLine.hidden = text === ''
  if (focus && text) errorLine.focus()
}

/** What the cards call: decisions, resumes and the lists they change. */
const panel = { decide, resume }

/**
 * Draws the three lists. A card is keyed by its request and version: one whose request did not
 * change keeps its place, and what is typed or focused in it stays.
 */
function draw() {
  const keyOf = (approval) => `${approval.id}@${approval.version}`
  render(
    html`${pending.map((approval) => html`<${ApprovalCard} key=${keyOf(approval)} approval=${approval} panel=${panel} />`)}`,
    list,
  )
  render(
    html`${interrupted.map((approval) => html`<${InterruptedCard} key=${keyOf(approval)} approval=${approval} panel=${panel} />`)}`,
    interruptedList,
  )
  render(
    html`${decided.map(
      (outcome) =>
        html`<${OutcomeCard}
          key=${outcome.titleId}
          outcome=${outcome}
          onDismiss=${() => {
            decided = decided.filter((each) => each !== outcome)
            draw()
            refreshButton.focus()
          }}
        />`,
    )}`,
    decidedList,
  )
}

/** Shows an outcome on top of the decided ones. */
function addOutcome(approval, results, action, jobId) {
  const outcome = { approval, results, action, jobId, titleId: uniqueId('outcome') }
  decided = [outcome, ...decided]
  draw()
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
  if (note) statusLine.textContent = note
  if (card.isBusy()) card.busy(false)
  // The card leaves the list once decided: focus moves to what happened, never to nowhere.
  if (outcome) focusOutcome(outcome)
  else if (!card.mounted() && !errorLine.hidden) errorLine.focus()
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

/** Shows the lists and the count after a load. */
function showLoaded(approvals, stopped) {
  pending = approvals
  interrupted = stopped
  draw()
  emptyLine.hidden = approvals.length > 0 || stopped.length > 0
  count.hidden = approvals.length === 0
  const hidden = document.createElement('span')
  hidden.className = 'visually-hidden'
  hidden.textContent = ' waiting'
  count.replaceChildren(String(approvals.length), hidden)
}

/**
 * Loads the pending requests again. Does nothing unless a technician or admin is signed in;
 * called when the panel opens, after each decision, on "Refresh" and when the chat opens one.
 */
export async function refreshApprovals() {
  if (!approver) return
  const load = ++loads
  panelNode.setAttribute('aria-busy', 'true')
  // aria-disabled, not disabled: a disabled button drops keyboard focus to the page and leaves
  // the Tab order while the list loads.
  refreshButton.setAttribute('aria-disabled', 'true')
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
      interrupted = stopped
      draw()
      showError(
        error.code === 'NOT_CONFIGURED'
          ? `Approvals are not available on this server: ${sentence(error.message)}`
          : `Could not load the approvals: ${sentence(error.message)}`,
      )
      statusLine.textContent = ''
      return
    }
    const body = await response.json()
    if (load !== loads) return
    const approvals = Array.isArray(body.approvals) ? body.approvals : []
    showLoaded(approvals, stopped)
    if (loadFailed) showError('')
    loadFailed = false
    const many = approvals.length === 1 ? 'approval' : 'approvals'
    const cut = stopped.length
      ? `, ${stopped.length} interrupted ${stopped.length === 1 ? 'run' : 'runs'} to check`
      : ''
    statusLine.textContent = `${approvals.length || 'No'} ${many} waiting${cut}, as of ${when(new Date().toISOString())}.`
  } catch (error) {
    if (error instanceof SignInNeeded || load !== loads) return
    loadFailed = true
    showError(
      `Could not reach the helpdesk to load the approvals: ${sentence(describeError(error))}`,
    )
  } finally {
    if (load === loads) {
      panelNode.removeAttribute('aria-busy')
      refreshButton.removeAttribute('aria-disabled')
    }
  }
}

function setOpen(open) {
  panelNode.hidden = !open
  toggle.setAttribute('aria-expanded', String(open))
  shell?.classList.toggle('with-approvals', open)
  if (open) void refreshApprovals()
}

/** Follows who is signed in: the panel is for technicians and admins only, emptied on a change. */
export function setApprovalsUser(user) {
  loads += 1
  const may = user && (user.role === 'technician' || user.role === 'admin')
  const changed = approver?.username !== user?.username
  approver = may ? user : undefined
  if (changed || !may) {
    pending = []
    interrupted = []
    decided = []
    draw()
    showError('')
    loadFailed = false
    statusLine.textContent = ''
    emptyLine.hidden = true
    count.hidden = true
  }
  toggle.hidden = !may
  if (!may) {
    panelNode.hidden = true
    toggle.setAttribute('aria-expanded', 'false')
    shell?.classList.remove('with-approvals')
    return
  }
  // Open beside the chat on a wide screen; on a narrow one it waits for the button.
  setOpen(WIDE.matches || !panelNode.hidden)
}

toggle.addEventListener('click', () => {
  const open = panelNode.hidden
  setOpen(open)
  if (open) $('approvals-title').focus()
})
refreshButton.addEventListener('click', () => {
  if (refreshButton.getAttribute('aria-disabled') !== 'true') void refreshApprovals()
})
