// The approvals panel: technicians and admins see the plans waiting for a decision, exactly what
// each held step would run and what its dry run showed, and approve (the plan runs at once) or
// deny them with a reason. Like the chat, server text only reaches the page through textContent.

import {
  askSecondClick,
  checksBlock,
  ownerFacts,
  riskOf,
  secondClickLabel,
  wordsBlock,
} from './approval-details.js'
import { clearInterrupted, renderInterrupted } from './interrupted-card.js'
import { openJob } from './job-view.js'
import { api, SignInNeeded } from './sign-in.js'

/** What each approval level means, as the chat's plan cards say it too. */
export const APPROVAL_LEVELS = {
  0: 'runs at once (read-only)',
  1: 'you confirm',
  2: 'a technician approves the plan',
  3: 'a technician approves each step',
}

/** The first 8 characters of an approval id: what the chat and the panel show. */
export function shortId(id) {
  return String(id ?? '').slice(0, 8)
}

/** The same levels as a technician reads them (level 1 is "you confirm" to the requester). */
const LEVELS_FOR_APPROVER = {
  ...APPROVAL_LEVELS,
  1: 'the requester confirms, or a technician approves',
}
const STATUS_TEXT = {
  dry_run: 'dry run',
  succeeded: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
  awaiting_approval: 'awaiting approval',
  unknown: 'unknown: check the target by hand',
}
const EXECUTOR_NAMES = {
  bash: 'Bash',
  powershell: 'PowerShell',
  active_directory: 'Active Directory operation',
  aws_iam: 'AWS IAM operation',
  guidance: 'Guidance',
}
const REASON_LIMIT = 1000
const WIDE = matchMedia('(min-width: 56rem)')

const $ = (id) => document.getElementById(id)
const panel = $('approvals')
const toggle = $('approvals-toggle')
const count = $('approvals-count')
const refreshButton = $('approvals-refresh')
const errorLine = $('approvals-error')
const statusLine = $('approvals-status')
const decidedList = $('approvals-decided')
const emptyLine = $('approvals-empty')
const list = $('approvals-list')
const shell = panel.closest('.shell')

/** The signed-in user when they may decide approvals (technician or admin), else undefined. */
let approver
/** Pending requests on screen: id -> { node, version, expiry }. Kept across refreshes. */
const cards = new Map()
/** Bumped on each load and each change of user, so a late answer never lands on a newer list. */
let loads = 0
/** Whether the error line shows a failed load (cleared by the next good one), not a decision's. */
let loadFailed = false
let nextId = 0
const uniqueId = (prefix) => `${prefix}-${++nextId}`

function el(tag, className, text, children = []) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined && text !== null) node.textContent = String(text)
  for (const child of children) if (child) node.append(child)
  return node
}

function statusText(status) {
  return STATUS_TEXT[status] ?? String(status ?? '').replaceAll('_', ' ')
}

/** A time as people read it: "14:32" today, with the date otherwise. */
export function when(iso) {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return String(iso ?? '')
  const today = date.toDateString() === new Date().toDateString()
  return today
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })
}

function timeNode(iso, text = when(iso)) {
  const node = el('time', '', text)
  node.dateTime = String(iso ?? '')
  node.title = String(iso ?? '')
  return node
}

/** "14:32 (in 58 min)": refreshed on each load, so it never goes far out of date. */
function expiryText(iso) {
  const minutes = Math.round((Date.parse(iso) - Date.now()) / 60_000)
  if (Number.isNaN(minutes)) return when(iso)
  if (minutes <= 0) return `${when(iso)} (now)`
  if (minutes < 120) return `${when(iso)} (in ${minutes} min)`
  return `${when(iso)} (in ${Math.round(minutes / 60)} h)`
}

function codeBlock(text, kind, label) {
  const pre = el('pre', '', undefined, [el('code', '', text)])
  pre.tabIndex = 0
  pre.setAttribute('aria-label', label)
  return el('div', 'code', undefined, [
    el('div', 'code-bar', undefined, [el('span', 'code-kind', kind)]),
    pre,
  ])
}

function outputBlock(text, label) {
  const pre = el('pre', 'output approval-output', text.trimEnd() || '(no output)')
  pre.tabIndex = 0
  pre.setAttribute('aria-label', label)
  return pre
}

/** The `{ code, message }` of an error answer, or the HTTP status when it has none. */
async function errorOf(response) {
  const body = await response.json().catch(() => null)
  return {
    code: body?.error?.code ?? '',
    message:
      body?.error?.message ?? `the server answered ${response.status} ${response.statusText}`,
  }
}

function showError(text, { focus = false } = {}) {
  errorLine.textContent = text
  errorLine.hidden = text === ''
  if (focus && text) errorLine.focus()
}

/** Ends a message from the server with a full stop, unless it has one. */
function sentence(text) {
  const trimmed = String(text ?? '').trim()
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`
}

function describeError(error) {
  return error instanceof Error ? error.message : String(error)
}

/** Whether an approved decision already covers a level-3 step (and who made it). */
function approvedBy(approval, stepId) {
  return approval.decisions?.find(
    (decision) => decision.outcome === 'approved' && decision.stepIds?.includes(stepId),
  )
}

function dryRunOf(step, label) {
  const dryRun = step.dryRun
  if (!dryRun) return el('p', 'approval-dry-run', 'No dry run was recorded for this step.')
  const text = [dryRun.output, dryRun.errorMessage].filter(Boolean).join('\n')
  return el('div', 'approval-dry-run', undefined, [
    el('p', 'approval-dry-run-title', 'Dry run: ', [
      el('span', `step-status status-${dryRun.status}`, statusText(dryRun.status)),
    ]),
    outputBlock(text, label),
  ])
}

/** One held step: what it runs, where, what its dry run showed; at level 3 its own checkbox. */
function heldStep(approval, step, position) {
  const title = el('h4', 'approval-step-title', step.title)
  const meta = el('p', 'step-meta', undefined, [
    el('span', `badge risk-${step.risk}`, `risk ${step.risk}`),
    el('span', `approval approval-${step.approvalLevel}`, LEVELS_FOR_APPROVER[step.approvalLevel]),
  ])
  const target = step.target ? el('p', 'step-target', `on ${step.target}`) : null
  const kind = EXECUTOR_NAMES[step.executor] ?? step.executor
  const row = el('li', 'approval-step', undefined, [
    title,
    target,
    meta,
    codeBlock(step.wouldRun, kind, `What held step ${position} runs`),
    dryRunOf(step, `Dry run output of held step ${position}`),
  ])
  if (step.approvalLevel === 3) {
    const decided = approvedBy(approval, step.stepId)
    if (decided) {
      row.append(el('p', 'approval-step-approved', `Approved by ${decided.approver}`))
    } else {
      const box = el('input')
      box.type = 'checkbox'
      box.checked = true
      box.id = uniqueId('approve-step')
      box.value = step.stepId
      box.className = 'approve-step'
      const label = el('label', '', 'Approve this step')
      label.htmlFor = box.id
      row.append(el('p', 'approval-step-choice', undefined, [box, label]))
    }
  }
  return row
}

/** The steps that need no approval (checks and guidance), folded away: context for the approver. */
function otherSteps(steps) {
  if (steps.length === 0) return null
  const items = steps.map((step, index) =>
    el('li', 'approval-step approval-step-other', undefined, [
      el('h4', 'approval-step-title', step.title),
      step.target ? el('p', 'step-target', `on ${step.target}`) : null,
      dryRunOf(step, `Output of ${step.title} (${index + 1})`),
    ]),
  )
  return el('details', 'approval-others', undefined, [
    el(
      'summary',
      '',
      `${steps.length} other ${steps.length === 1 ? 'step' : 'steps'} (no approval needed)`,
    ),
    el('ol', 'approval-steps', undefined, items),
  ])
}

function fact(name, value) {
  return [el('dt', '', name), el('dd', '', undefined, [value])]
}

/** A pending request as a card with Approve and Deny. */
function approvalCard(approval) {
  const short = shortId(approval.id)
  const titleId = uniqueId('approval-title')
  const held = (approval.steps ?? []).filter((step) => step.approvalLevel > 0)
  const others = (approval.steps ?? []).filter((step) => step.approvalLevel === 0)
  const expiry = timeNode(approval.expiresAt, expiryText(approval.expiresAt))
  const title = el('h3', 'approval-title', approval.runbook?.title ?? approval.taskType)
  title.id = titleId
  const facts = el('dl', 'approval-facts', undefined, [
    ...fact('Requested by', document.createTextNode(approval.requester)),
    ...ownerFacts(approval),
    ...fact(
      'Level',
      document.createTextNode(`${approval.level}: ${LEVELS_FOR_APPROVER[approval.level] ?? ''}`),
    ),
    ...fact('Asked at', timeNode(approval.createdAt)),
    ...fact('Expires', expiry),
    ...fact('Request', document.createTextNode(short)),
  ])
  const steps = el(
    'ol',
    'approval-steps',
    undefined,
    held.map((step, index) => heldStep(approval, step, index + 1)),
  )
  const perStep = approval.level === 3
  const approveButton = el(
    'button',
    'button button-primary approve',
    perStep ? 'Approve selected steps' : 'Approve and run',
  )
  approveButton.type = 'button'
  const denyButton = el('button', 'button button-secondary deny', 'Deny…')
  denyButton.type = 'button'
  denyButton.setAttribute('aria-expanded', 'false')
  // Every card has these buttons: the card's title tells them apart for a screen reader.
  approveButton.setAttribute('aria-describedby', titleId)
  denyButton.setAttribute('aria-describedby', titleId)
  const cardStatus = el('p', 'approval-card-status')
  cardStatus.setAttribute('role', 'status')

  const denyForm = denyFormFor(approval, denyButton, cardStatus)
  denyForm.id = uniqueId('deny-form')
  denyButton.setAttribute('aria-controls', denyForm.id)
  const buttons = [approveButton, denyButton, ...denyForm.querySelectorAll('button, input')]
  const busy = (value, text = '') => {
    for (const button of buttons) button.disabled = value
    article.setAttribute('aria-busy', String(value))
    cardStatus.textContent = text
  }

  approveButton.addEventListener('click', () => {
    let stepIds
    if (perStep) {
      stepIds = [...article.querySelectorAll('.approve-step:checked')].map((box) => box.value)
      if (stepIds.length === 0) {
        cardStatus.textContent = 'Choose at least one step to approve.'
        return
      }
    }
    const run = () => void decide(approval, article, busy, 'approve', stepIds ? { stepIds } : {})
    // A high or critical change takes a second click that names what it does and where.
    const label = secondClickLabel(approval, stepIds)
    if (!label) return run()
    denyForm.hidden = true
    denyButton.setAttribute('aria-expanded', 'false')
    askSecondClick({
      actions,
      returnTo: approveButton,
      status: cardStatus,
      label,
      risk: riskOf(approval, stepIds),
      onYes: run,
    })
  })
  denyButton.addEventListener('click', () => {
    const open = denyForm.hidden
    denyForm.hidden = !open
    denyButton.setAttribute('aria-expanded', String(open))
    if (open) denyForm.querySelector('input')?.focus()
  })
  denyForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const input = denyForm.querySelector('input')
    const problem = denyForm.querySelector('.form-error')
    const reason = input.value.trim()
    if (reason === '') {
      problem.textContent = 'Say why you deny it: the reason is required and the requester sees it.'
      input.setAttribute('aria-invalid', 'true')
      input.focus()
      return
    }
    problem.textContent = ''
    input.removeAttribute('aria-invalid')
    void decide(approval, article, busy, 'deny', { reason })
  })

  const actions = el('div', 'approval-actions', undefined, [approveButton, denyButton])
  const article = el('article', 'approval-card', undefined, [
    el('header', 'approval-card-header', undefined, [
      title,
      approval.plan?.risk
        ? el('span', `badge risk-${approval.plan.risk}`, `risk ${approval.plan.risk}`)
        : null,
    ]),
    facts,
    wordsBlock(approval),
    checksBlock(approval, statusText),
    el(
      'p',
      'approval-held-title',
      held.length === 1 ? 'The step waiting for approval' : `${held.length} steps waiting`,
    ),
    steps,
    otherSteps(others),
    actions,
    denyForm,
    cardStatus,
  ])
  article.setAttribute('aria-labelledby', titleId)
  article.dataset.approvalId = approval.id
  return { node: el('li', 'approval-item', undefined, [article]), expiry }
}

function denyFormFor(approval, denyButton, cardStatus) {
  const inputId = uniqueId('deny-reason')
  const errorId = uniqueId('deny-error')
  const input = el('input', 'deny-reason')
  input.id = inputId
  input.type = 'text'
  input.maxLength = REASON_LIMIT
  input.autocomplete = 'off'
  input.setAttribute('aria-describedby', errorId)
  const label = el('label', '', 'Why do you deny it? The requester sees this.')
  label.htmlFor = inputId
  const problem = el('p', 'form-error')
  problem.id = errorId
  problem.setAttribute('role', 'alert')
  const submit = el('button', 'button button-primary', 'Deny request')
  submit.type = 'submit'
  const cancel = el('button', 'button button-secondary', 'Cancel')
  cancel.type = 'button'
  const form = el('form', 'deny-form', undefined, [
    label,
    el('div', 'deny-row', undefined, [input, submit, cancel]),
    problem,
  ])
  form.noValidate = true
  form.hidden = true
  form.setAttribute('aria-label', `Deny request ${shortId(approval.id)}`)
  const close = () => {
    form.hidden = true
    problem.textContent = ''
    input.removeAttribute('aria-invalid')
    denyButton.setAttribute('aria-expanded', 'false')
    cardStatus.textContent = ''
    denyButton.focus()
  }
  cancel.addEventListener('click', close)
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault()
      close()
    }
  })
  return form
}

/** Approves or denies; shows the outcome (and, after an approval, what ran), then reloads. */
async function decide(approval, article, busy, action, body) {
  const label = `“${approval.runbook?.title ?? approval.taskType}” (request ${shortId(approval.id)})`
  busy(true, action === 'approve' ? 'Approving; the plan runs now…' : 'Denying…')
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
      const verb = action === 'approve' ? 'approve' : 'deny'
      const extra =
        error.code === 'APPROVAL_CONFLICT' || error.code === 'APPROVAL_EXPIRED'
          ? ' The list has been refreshed.'
          : ''
      showError(`Could not ${verb} ${label}: ${sentence(error.message)}${extra}`)
      busy(false)
    } else {
      const answer = await response.json()
      if (answer.approval?.status === 'pending') {
        note = `Approved the chosen steps of ${label}; the others still wait for a decision.`
      } else {
        // An operation on machines runs as a background job: its live view opens at once.
        const jobId = typeof answer.jobId === 'string' ? answer.jobId : undefined
        outcome = outcomeCard(answer.approval ?? approval, answer.results ?? [], action, jobId)
        decidedList.prepend(outcome)
        if (jobId) openJob(jobId)
      }
    }
  } catch (error) {
    busy(false)
    if (error instanceof SignInNeeded) return
    showError(
      `Could not reach the helpdesk to ${action} ${label}: ${sentence(describeError(error))}`,
    )
  }
  await refreshApprovals()
  if (note) statusLine.textContent = note
  if (article.isConnected && article.getAttribute('aria-busy') === 'true') busy(false)
  // The card leaves the list once decided: focus moves to what happened, never to nowhere.
  if (!article.isConnected || outcome) {
    if (outcome) outcome.querySelector('.approval-outcome-title')?.focus()
    else if (!errorLine.hidden) errorLine.focus()
  }
}

/** What a decision did: denied with the reason, or approved with each step's result. */
export function outcomeCard(approval, results, action, jobId) {
  const title = el(
    'h3',
    'approval-outcome-title',
    `${approval.runbook?.title ?? approval.taskType} (request ${shortId(approval.id)})`,
  )
  title.tabIndex = -1
  const last = approval.decisions?.at(-1)
  let summary
  let kind
  if (action === 'deny' || approval.status === 'denied') {
    kind = 'denied'
    summary = `Denied${last?.reason ? `: ${sentence(last.reason)}` : '.'} Nothing of it runs.`
  } else if (jobId) {
    kind = 'approved'
    summary = `Approved for ${approval.requester}; it runs now as job ${shortId(jobId)} (follow it in the job view).`
  } else {
    const ran = approval.execution?.outcome
    kind = ran === 'succeeded' ? 'succeeded' : ran === 'failed' ? 'failed' : 'approved'
    const resumed = approval.interruption?.resumed
    summary = resumed?.stop
      ? `Stopped after the interruption by ${resumed.by} (${sentence(resumed.reason)}) The steps not started do not run; outcome: ${ran ?? 'none'}.`
      : ran === 'unknown'
        ? `Approved for ${approval.requester}; whether every step ran is unknown: check the target by hand.`
        : ran
          ? `Approved and carried out for ${approval.requester}: ${ran}.`
          : `Approved for ${approval.requester}.`
  }
  const stepTitle = (stepId) =>
    approval.steps?.find((step) => step.stepId === stepId)?.title ?? stepId
  const items = results.map((result) => {
    const text = [result.stdout, result.stderr, result.errorMessage].filter(Boolean).join('\n')
    return el('li', 'approval-result', undefined, [
      el('p', 'approval-result-head', undefined, [
        el('span', 'approval-result-title', stepTitle(result.stepId)),
        result.target ? el('span', 'step-target', ` on ${result.target}`) : null,
        document.createTextNode(' '),
        el('span', `step-status status-${result.status}`, statusText(result.status)),
      ]),
      outputBlock(text, `Output of ${stepTitle(result.stepId)}`),
    ])
  })
  const dismiss = el('button', 'button button-small button-secondary', 'Dismiss')
  dismiss.type = 'button'
  dismiss.setAttribute('aria-label', `Dismiss the outcome of request ${shortId(approval.id)}`)
  const node = el('li', `approval-item approval-outcome outcome-${kind}`, undefined, [
    el('article', 'approval-card', undefined, [
      el('header', 'approval-card-header', undefined, [title, dismiss]),
      el('p', 'approval-outcome-summary', summary),
      items.length ? el('ol', 'approval-results', undefined, items) : null,
    ]),
  ])
  title.id = uniqueId('outcome')
  node.querySelector('article').setAttribute('aria-labelledby', title.id)
  dismiss.addEventListener('click', () => {
    node.remove()
    refreshButton.focus()
  })
  return node
}

/** Shows the pending requests, keeping the cards (and anything typed in them) still pending. */
function render(approvals) {
  const wanted = []
  const seen = new Set()
  for (const approval of approvals) {
    seen.add(approval.id)
    let card = cards.get(approval.id)
    if (!card || card.version !== approval.version) {
      card = { ...approvalCard(approval), version: approval.version }
      cards.get(approval.id)?.node.remove()
      cards.set(approval.id, card)
    } else {
      card.expiry.textContent = expiryText(approval.expiresAt)
    }
    wanted.push(card.node)
  }
  for (const [id, card] of cards) {
    if (seen.has(id)) continue
    card.node.remove()
    cards.delete(id)
  }
  // Only new cards move: a card already there keeps its place, so focus inside it stays.
  wanted.forEach((node, index) => {
    if (list.children[index] !== node) list.insertBefore(node, list.children[index] ?? null)
  })
  emptyLine.hidden = approvals.length > 0
  count.hidden = approvals.length === 0
  count.replaceChildren(String(approvals.length), el('span', 'visually-hidden', ' waiting'))
}

/**
 * Loads the pending requests again. Does nothing unless a technician or admin is signed in;
 * called when the panel opens, after each decision, on "Refresh" and when the chat opens one.
 */
export async function refreshApprovals() {
  if (!approver) return
  const load = ++loads
  panel.setAttribute('aria-busy', 'true')
  // aria-disabled, not disabled: a disabled button drops keyboard focus to the page and leaves
  // the Tab order while the list loads.
  refreshButton.setAttribute('aria-disabled', 'true')
  try {
    const [response, interrupted] = await Promise.all([
      api('/api/approvals?status=pending'),
      api('/api/approvals?status=interrupted'),
    ])
    if (load !== loads) return
    // Runs a server stop cut short: shown above the pending ones, each with its resume form.
    const stopped = interrupted.ok
      ? renderInterrupted((await interrupted.json()).approvals ?? [])
      : 0
    if (load !== loads) return
    if (!response.ok) {
      const error = await errorOf(response)
      if (load !== loads) return
      loadFailed = true
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
    render(approvals)
    if (loadFailed) showError('')
    loadFailed = false
    if (stopped) emptyLine.hidden = true
    const many = approvals.length === 1 ? 'approval' : 'approvals'
    const cut = stopped ? `, ${stopped} interrupted ${stopped === 1 ? 'run' : 'runs'} to check` : ''
    statusLine.textContent = `${approvals.length || 'No'} ${many} waiting${cut}, as of ${when(new Date().toISOString())}.`
  } catch (error) {
    if (error instanceof SignInNeeded || load !== loads) return
    loadFailed = true
    showError(
      `Could not reach the helpdesk to load the approvals: ${sentence(describeError(error))}`,
    )
  } finally {
    if (load === loads) {
      panel.removeAttribute('aria-busy')
      refreshButton.removeAttribute('aria-disabled')
    }
  }
}

function setOpen(open) {
  panel.hidden = !open
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
    for (const card of cards.values()) card.node.remove()
    cards.clear()
    decidedList.replaceChildren()
    clearInterrupted()
    showError('')
    loadFailed = false
    statusLine.textContent = ''
    emptyLine.hidden = true
    count.hidden = true
  }
  toggle.hidden = !may
  if (!may) {
    panel.hidden = true
    toggle.setAttribute('aria-expanded', 'false')
    shell?.classList.remove('with-approvals')
    return
  }
  // Open beside the chat on a wide screen; on a narrow one it waits for the button.
  setOpen(WIDE.matches || !panel.hidden)
}

toggle.addEventListener('click', () => {
  const open = panel.hidden
  setOpen(open)
  if (open) $('approvals-title').focus()
})
refreshButton.addEventListener('click', () => {
  if (refreshButton.getAttribute('aria-disabled') !== 'true') void refreshApprovals()
})
