/**
 * @module chat/interrupted-card
 * An interrupted run in the approvals panel: a server stop cut an approved run short, so one
 * step may or may not have happened ("unknown") and the steps after it wait. A technician checks
 * the target, says for each unknown step what they found, and resumes the rest or stops the run
 * (`panel.resume`, POST /api/approvals/:id/resume).
 */

import { html, useEffect, useRef, useState } from '/ui/vendor/preact-htm.js'
import { fact } from './approval-details.js'
import { shortId, uniqueId, when } from './format.js'

const REASON_LIMIT = 1000
/** Where a step acts when it names no machine (an Active Directory or AWS IAM operation). */
const SYSTEM_NAMES = {
  active_directory: 'Active Directory',
  aws_iam: 'AWS IAM',
  bash: 'the server (Bash)',
  powershell: 'the server (PowerShell)',
}

/** "Unlock the account (on DC01)": a step as the card names it. */
function stepName(approval, stepId) {
  const step = approval.steps?.find((each) => each.stepId === stepId)
  if (!step) return stepId
  return step.target ? `${step.title} (on ${step.target})` : step.title
}

/** One unknown step: what it ran, and a required choice of what the technician found. */
function UnknownStep({ approval, stepId, name, disabled }) {
  const step = approval.steps?.find((each) => each.stepId === stepId)
  const [ids] = useState(() => [uniqueId('resolve-choice'), uniqueId('resolve-choice')])
  const choice = (value, text, id) => html`<p class="resume-choice">
    <input type="radio" name=${name} value=${value} id=${id} data-step-id=${stepId} disabled=${disabled} />
    <label for=${id}>${text}</label>
  </p>`
  return html`<fieldset class="resume-step" data-step-name=${stepName(approval, stepId)}>
    <legend>What happened to “${stepName(approval, stepId)}”?</legend>
    ${step?.wouldRun ? html`<pre class="output approval-output" tabIndex=${0} aria-label=${`What “${stepName(approval, stepId)}” runs`}>${step.wouldRun}</pre>` : null}
    ${choice('succeeded', 'It happened (succeeded)', ids[0])}
    ${choice('failed', 'It did not happen, or failed (failed)', ids[1])}
  </fieldset>`
}

/** An interrupted request as a card: what was approved, the unknown and waiting steps, a form. */
export function InterruptedCard({ approval, panel }) {
  const interruption = approval.interruption ?? { unknownSteps: [], waitingSteps: [] }
  const [ids] = useState(() => ({
    title: uniqueId('interrupted-title'),
    reason: uniqueId('resume-reason'),
    problem: uniqueId('resume-error'),
    names: interruption.unknownSteps.map(() => uniqueId('resolve')),
  }))
  const [busy, setBusy] = useState(false)
  const [status, setStatus] = useState('')
  const [problem, setProblem] = useState('')
  const [reasonMissing, setReasonMissing] = useState(false)
  const form = useRef(null)
  const reason = useRef(null)
  const mounted = useRef(true)
  useEffect(
    () => () => {
      mounted.current = false
    },
    [],
  )

  const approvedBy = approval.decisions?.filter((each) => each.outcome === 'approved') ?? []
  // The steps that change something: where the technician has to look.
  const changing = (approval.steps ?? []).filter((step) => !step.readOnly)
  const targets = [
    ...new Set(changing.map((step) => step.target ?? SYSTEM_NAMES[step.executor] ?? step.executor)),
  ]
  const parameters = Object.entries(approval.plan?.parameters ?? {})
    .map(([name, value]) => `${name}: ${value}`)
    .join(', ')

  /** The body, or undefined after saying in the form what is missing. */
  const bodyOf = (stop) => {
    const resolve = {}
    for (const fieldset of form.current?.querySelectorAll('.resume-step') ?? []) {
      const chosen = fieldset.querySelector('input:checked')
      if (!chosen) {
        setProblem(
          `Say what happened to “${fieldset.dataset.stepName}”: it happened, or it did not.`,
        )
        fieldset.querySelector('input')?.focus()
        return undefined
      }
      resolve[chosen.dataset.stepId] = chosen.value
    }
    const text = reason.current?.value.trim() ?? ''
    if (text === '') {
      setProblem('Say what you checked on the target: the reason is required.')
      setReasonMissing(true)
      reason.current?.focus()
      return undefined
    }
    setProblem('')
    setReasonMissing(false)
    return { resolve, reason: text, ...(stop ? { stop: true } : {}) }
  }
  const card = {
    busy: (value, text = '') => {
      if (!mounted.current) return
      setBusy(value)
      setStatus(text)
    },
  }
  const send = (stop) => {
    const body = bodyOf(stop)
    if (body) void panel.resume(approval, body, card)
  }

  return html`<li class="approval-item">
    <article class="approval-card interrupted-card" aria-labelledby=${ids.title} data-approval-id=${approval.id} aria-busy=${busy ? 'true' : undefined}>
      <header class="approval-card-header">
        <h3 class="approval-title" id=${ids.title}>Interrupted: ${approval.runbook?.title ?? approval.taskType}</h3>
        <span class="badge status-unknown">interrupted</span>
      </header>
      <p class="approvals-help">The server stopped while this approved plan ran. Nothing runs again by itself.</p>
      <dl class="approval-facts">
        ${fact('Requested by', approval.requester)}
        ${fact('Approved by', approvedBy.map((each) => each.approver).join(', ') || 'unknown')}
        ${fact('Target', targets.join(', ') || 'none')}
        ${parameters ? fact('Parameters', parameters) : null}
        ${fact('Stopped at', interruption.at ? when(interruption.at) : 'unknown')}
        ${fact('Request', shortId(approval.id))}
      </dl>
      <form class="resume-form" noValidate aria-label=${`Resume or stop request ${shortId(approval.id)}`} ref=${form} onSubmit=${(
        event,
      ) => {
        event.preventDefault()
        send(false)
      }}>
        ${interruption.unknownSteps.length ? html`<p class="approval-held-title">Check the target: this step may or may not have happened</p>` : null}
        ${interruption.unknownSteps.map(
          (stepId, index) =>
            html`<${UnknownStep} key=${stepId} approval=${approval} stepId=${stepId} name=${ids.names[index]} disabled=${busy} />`,
        )}
        <p class="approval-held-title">Steps not started yet (they wait)</p>
        ${
          interruption.waitingSteps.length
            ? html`<ul class="resume-waiting">${interruption.waitingSteps.map((stepId) => html`<li>${stepName(approval, stepId)}</li>`)}</ul>`
            : html`<p class="resume-waiting">None: no step is left to run.</p>`
        }
        <label for=${ids.reason}>What you checked on the target (required)</label>
        <textarea class="resume-reason" id=${ids.reason} rows=${2} maxLength=${REASON_LIMIT} required aria-describedby=${ids.problem} aria-invalid=${reasonMissing ? 'true' : undefined} disabled=${busy} ref=${reason}></textarea>
        <p class="form-error" id=${ids.problem} role="alert">${problem}</p>
        <div class="approval-actions">
          <button type="submit" class="button button-primary resume" aria-describedby=${ids.title} disabled=${busy}>Resume the remaining steps</button>
          <button type="button" class="button button-secondary stop" aria-describedby=${ids.title} disabled=${busy} onClick=${() => send(true)}>Stop here</button>
        </div>
      </form>
      <p class="approval-card-status" role="status">${status}</p>
    </article>
  </li>`
}
