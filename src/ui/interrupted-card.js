// Interrupted runs in the approvals panel: a server stop cut an approved run short, so one step
// may or may not have happened ("unknown") and the steps after it wait. A technician checks the
// target, says for each unknown step what they found, and resumes the rest or stops the run
// (POST /api/approvals/:id/resume). Server text only reaches the page through textContent.

import { outcomeCard, refreshApprovals, shortId, when } from './approvals.js'
import { api, SignInNeeded } from './sign-in.js'

const REASON_LIMIT = 1000
/** Where a step acts when it names no machine (an Active Directory or AWS IAM operation). */
const SYSTEM_NAMES = {
  active_directory: 'Active Directory',
  aws_iam: 'AWS IAM',
  bash: 'the server (Bash)',
  powershell: 'the server (PowerShell)',
}
const list = document.getElementById('approvals-interrupted')
const errorLine = document.getElementById('approvals-error')
const decidedList = document.getElementById('approvals-decided')
/** Interrupted requests on screen: id -> { node, version }. Kept across refreshes (typed text stays). */
const cards = new Map()
let nextId = 0
const uniqueId = (prefix) => `${prefix}-${++nextId}`

function el(tag, className, text, children = []) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined && text !== null) node.textContent = String(text)
  for (const child of children) if (child) node.append(child)
  return node
}

function sentence(text) {
  const trimmed = String(text ?? '').trim()
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`
}

function showError(text, { focus = false } = {}) {
  errorLine.textContent = text
  errorLine.hidden = text === ''
  if (focus && text) errorLine.focus()
}

/** "Unlock the account (on DC01)": a step as the card names it. */
function stepName(approval, stepId) {
  const step = approval.steps?.find((each) => each.stepId === stepId)
  if (!step) return stepId
  return step.target ? `${step.title} (on ${step.target})` : step.title
}

/** One unknown step: what it ran, where, and a required choice of what the technician found. */
function unknownStep(approval, stepId) {
  const step = approval.steps?.find((each) => each.stepId === stepId)
  const legendText = `What happened to “${stepName(approval, stepId)}”?`
  const name = uniqueId('resolve')
  const choice = (value, text) => {
    const input = el('input')
    input.type = 'radio'
    input.name = name
    input.value = value
    input.id = uniqueId('resolve-choice')
    input.dataset.stepId = stepId
    const label = el('label', '', text)
    label.htmlFor = input.id
    return el('p', 'resume-choice', undefined, [input, label])
  }
  const fieldset = el('fieldset', 'resume-step', undefined, [
    el('legend', '', legendText),
    step?.wouldRun ? el('pre', 'output approval-output', step.wouldRun) : null,
    choice('succeeded', 'It happened (succeeded)'),
    choice('failed', 'It did not happen, or failed (failed)'),
  ])
  fieldset.dataset.stepName = stepName(approval, stepId)
  const pre = fieldset.querySelector('pre')
  if (pre) {
    pre.tabIndex = 0
    pre.setAttribute('aria-label', `What “${stepName(approval, stepId)}” runs`)
  }
  return fieldset
}

/** An interrupted request as a card: what was approved, the unknown and waiting steps, a form. */
function interruptedCard(approval) {
  const interruption = approval.interruption ?? { unknownSteps: [], waitingSteps: [] }
  const titleId = uniqueId('interrupted-title')
  const title = el(
    'h3',
    'approval-title',
    `Interrupted: ${approval.runbook?.title ?? approval.taskType}`,
  )
  title.id = titleId
  const approvedBy = approval.decisions?.filter((each) => each.outcome === 'approved') ?? []
  // The steps that change something: where the technician has to look.
  const changing = (approval.steps ?? []).filter((step) => !step.readOnly)
  const targets = [
    ...new Set(changing.map((step) => step.target ?? SYSTEM_NAMES[step.executor] ?? step.executor)),
  ]
  const parameters = Object.entries(approval.plan?.parameters ?? {})
    .map(([name, value]) => `${name}: ${value}`)
    .join(', ')
  const facts = el('dl', 'approval-facts', undefined, [
    el('dt', '', 'Requested by'),
    el('dd', '', approval.requester),
    el('dt', '', 'Approved by'),
    el('dd', '', approvedBy.map((each) => each.approver).join(', ') || 'unknown'),
    el('dt', '', 'Target'),
    el('dd', '', targets.join(', ') || 'none'),
    parameters ? el('dt', '', 'Parameters') : null,
    parameters ? el('dd', '', parameters) : null,
    el('dt', '', 'Stopped at'),
    el('dd', '', interruption.at ? when(interruption.at) : 'unknown'),
    el('dt', '', 'Request'),
    el('dd', '', shortId(approval.id)),
  ])
  const unknownList = interruption.unknownSteps.map((stepId) => unknownStep(approval, stepId))
  const waiting = interruption.waitingSteps.length
    ? el(
        'ul',
        'resume-waiting',
        undefined,
        interruption.waitingSteps.map((stepId) => el('li', '', stepName(approval, stepId))),
      )
    : el('p', 'resume-waiting', 'None: no step is left to run.')

  const reasonId = uniqueId('resume-reason')
  const problemId = uniqueId('resume-error')
  const reason = el('textarea', 'resume-reason')
  reason.id = reasonId
  reason.rows = 2
  reason.maxLength = REASON_LIMIT
  reason.required = true
  reason.setAttribute('aria-describedby', problemId)
  const reasonLabel = el('label', '', 'What you checked on the target (required)')
  reasonLabel.htmlFor = reasonId
  const problem = el('p', 'form-error')
  problem.id = problemId
  problem.setAttribute('role', 'alert')
  const resumeButton = el('button', 'button button-primary resume', 'Resume the remaining steps')
  resumeButton.type = 'submit'
  const stopButton = el('button', 'button button-secondary stop', 'Stop here')
  stopButton.type = 'button'
  resumeButton.setAttribute('aria-describedby', titleId)
  stopButton.setAttribute('aria-describedby', titleId)
  const cardStatus = el('p', 'approval-card-status')
  cardStatus.setAttribute('role', 'status')

  const form = el('form', 'resume-form', undefined, [
    unknownList.length
      ? el('p', 'approval-held-title', 'Check the target: this step may or may not have happened')
      : null,
    ...unknownList,
    el('p', 'approval-held-title', 'Steps not started yet (they wait)'),
    waiting,
    reasonLabel,
    reason,
    problem,
    el('div', 'approval-actions', undefined, [resumeButton, stopButton]),
  ])
  form.noValidate = true
  form.setAttribute('aria-label', `Resume or stop request ${shortId(approval.id)}`)

  const article = el('article', 'approval-card interrupted-card', undefined, [
    el('header', 'approval-card-header', undefined, [
      title,
      el('span', 'badge status-unknown', 'interrupted'),
    ]),
    el(
      'p',
      'approvals-help',
      'The server stopped while this approved plan ran. Nothing runs again by itself.',
    ),
    facts,
    form,
    cardStatus,
  ])
  article.setAttribute('aria-labelledby', titleId)
  article.dataset.approvalId = approval.id

  const controls = () => [...form.querySelectorAll('button, input, textarea')]
  const busy = (value, text = '') => {
    for (const control of controls()) control.disabled = value
    article.setAttribute('aria-busy', String(value))
    cardStatus.textContent = text
  }
  /** The body, or undefined after saying in the form what is missing. */
  const bodyOf = (stop) => {
    const resolve = {}
    for (const fieldset of unknownList) {
      const chosen = fieldset.querySelector('input:checked')
      if (!chosen) {
        problem.textContent = `Say what happened to “${fieldset.dataset.stepName}”: it happened, or it did not.`
        fieldset.querySelector('input')?.focus()
        return undefined
      }
      resolve[chosen.dataset.stepId] = chosen.value
    }
    const text = reason.value.trim()
    if (text === '') {
      problem.textContent = 'Say what you checked on the target: the reason is required.'
      reason.setAttribute('aria-invalid', 'true')
      reason.focus()
      return undefined
    }
    problem.textContent = ''
    reason.removeAttribute('aria-invalid')
    return { resolve, reason: text, ...(stop ? { stop: true } : {}) }
  }
  const send = (stop) => {
    const body = bodyOf(stop)
    if (body) void resume(approval, busy, body)
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    send(false)
  })
  stopButton.addEventListener('click', () => send(true))
  return el('li', 'approval-item', undefined, [article])
}

async function resume(approval, busy, body) {
  const label = `“${approval.runbook?.title ?? approval.taskType}” (request ${shortId(approval.id)})`
  busy(true, body.stop ? 'Stopping the run…' : 'Resuming; the remaining steps run now…')
  showError('')
  let outcome
  try {
    const response = await api(`/api/approvals/${encodeURIComponent(approval.id)}/resume`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!response.ok) {
      const answer = await response.json().catch(() => null)
      const message =
        answer?.error?.message ?? `the server answered ${response.status} ${response.statusText}`
      showError(`Could not ${body.stop ? 'stop' : 'resume'} ${label}: ${sentence(message)}`, {
        focus: true,
      })
      busy(false)
    } else {
      const answer = await response.json()
      outcome = outcomeCard(answer.approval ?? approval, answer.results ?? [], 'approve')
      decidedList.prepend(outcome)
    }
  } catch (error) {
    busy(false)
    if (error instanceof SignInNeeded) return
    const text = error instanceof Error ? error.message : String(error)
    showError(`Could not reach the helpdesk to resume ${label}: ${sentence(text)}`, {
      focus: true,
    })
  }
  await refreshApprovals()
  if (outcome) outcome.querySelector('.approval-outcome-title')?.focus()
}

/**
 * Shows the interrupted requests, keeping cards (and what is typed in them) that are unchanged.
 * @returns how many there are
 */
export function renderInterrupted(approvals) {
  const seen = new Set()
  approvals.forEach((approval, index) => {
    seen.add(approval.id)
    let card = cards.get(approval.id)
    if (!card || card.version !== approval.version) {
      cards.get(approval.id)?.node.remove()
      card = { node: interruptedCard(approval), version: approval.version }
      cards.set(approval.id, card)
    }
    if (list.children[index] !== card.node)
      list.insertBefore(card.node, list.children[index] ?? null)
  })
  for (const [id, card] of cards) {
    if (seen.has(id)) continue
    card.node.remove()
    cards.delete(id)
  }
  return approvals.length
}

/** Empties the list (another user signed in). */
export function clearInterrupted() {
  for (const card of cards.values()) card.node.remove()
  cards.clear()
}
