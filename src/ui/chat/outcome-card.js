/**
 * @module chat/outcome-card
 * What a decision in the approvals panel did: denied with the reason, or approved with each
 * step's result (or the job it runs as). Its title takes the focus when it appears, since the
 * card that was decided has left the list.
 */

import { html } from '/ui/vendor/preact-htm.js'
import { OutputBlock } from './approval-details.js'
import { sentence, shortId, statusText } from './format.js'

function summaryOf(approval, action, jobId) {
  const last = approval.decisions?.at(-1)
  if (action === 'deny' || approval.status === 'denied') {
    return {
      kind: 'denied',
      text: `Denied${last?.reason ? `: ${sentence(last.reason)}` : '.'} Nothing of it runs.`,
    }
  }
  if (jobId) {
    return {
      kind: 'approved',
      text: `Approved for ${approval.requester}; it runs now as job ${shortId(jobId)} (follow it in the job view).`,
    }
  }
  const ran = approval.execution?.outcome
  const kind = ran === 'succeeded' ? 'succeeded' : ran === 'failed' ? 'failed' : 'approved'
  const resumed = approval.interruption?.resumed
  const text = resumed?.stop
    ? `Stopped after the interruption by ${resumed.by} (${sentence(resumed.reason)}) The steps not started do not run; outcome: ${ran ?? 'none'}.`
    : ran === 'unknown'
      ? `Approved for ${approval.requester}; whether every step ran is unknown: check the target by hand.`
      : ran
        ? `Approved and carried out for ${approval.requester}: ${ran}.`
        : `Approved for ${approval.requester}.`
  return { kind, text }
}

/**
 * One decision's outcome (`outcome`: { approval, results, action, jobId, titleId }); Dismiss
 * calls `onDismiss`.
 */
export function OutcomeCard({ outcome, onDismiss }) {
  const { approval, results, action, jobId, titleId } = outcome
  const { kind, text } = summaryOf(approval, action, jobId)
  const stepTitle = (stepId) =>
    approval.steps?.find((step) => step.stepId === stepId)?.title ?? stepId
  return html`<li class=${`approval-item approval-outcome outcome-${kind}`}>
    <article class="approval-card" aria-labelledby=${titleId}>
      <header class="approval-card-header">
        <h3 class="approval-outcome-title" id=${titleId} tabIndex=${-1}>${approval.runbook?.title ?? approval.taskType} (request ${shortId(approval.id)})</h3>
        <button type="button" class="button button-small button-secondary" aria-label=${`Dismiss the outcome of request ${shortId(approval.id)}`} onClick=${onDismiss}>Dismiss</button>
      </header>
      <p class="approval-outcome-summary">${text}</p>
      ${
        results.length
          ? html`<ol class="approval-results">
              ${results.map((result) => {
                const output = [result.stdout, result.stderr, result.errorMessage]
                  .filter(Boolean)
                  .join('\n')
                return html`<li class="approval-result">
                  <p class="approval-result-head"><span class="approval-result-title">${stepTitle(result.stepId)}</span>${result.target ? html`<span class="step-target">${` on ${result.target}`}</span>` : null}${' '}<span class=${`step-status status-${result.status}`}>${statusText(result.status)}</span></p>
                  <${OutputBlock} text=${output} label=${`Output of ${stepTitle(result.stepId)}`} />
                </li>`
              })}
            </ol>`
          : null
      }
    </article>
  </li>`
}
