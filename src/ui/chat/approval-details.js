/**
 * @module chat/approval-details
 * What a technician's approval card shows beyond its buttons: the employee's own words, what the
 * read-only checks found, whose machine or account it is, each held step with exactly what it
 * runs and what its dry run showed, and the steps that need no approval. Also the wording of the
 * second click a high or critical change asks for.
 */

import { html } from '/ui/vendor/preact-htm.js'
import { LEVELS_FOR_APPROVER, statusText } from './format.js'

const HIGH_RISKS = new Set(['high', 'critical'])
/** A check's finding as the card shows it: its first lines; the folded step list has the rest. */
const SUMMARY_LINES = 2
const SUMMARY_CHARACTERS = 200
const CLASS_NAMES = {
  workstation: 'workstation',
  laptop: 'laptop',
  server: 'server',
  network: 'network device',
  other: 'machine',
}
const EXECUTOR_NAMES = {
  bash: 'Bash',
  powershell: 'PowerShell',
  active_directory: 'Active Directory operation',
  aws_iam: 'AWS IAM operation',
  guidance: 'Guidance',
}

/** A name and its value for a card's list of facts (`value`: text or a node). */
export function fact(name, value) {
  return [html`<dt>${name}</dt>`, html`<dd>${value}</dd>`]
}

function joinAnd(parts) {
  if (parts.length <= 1) return parts.join('')
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`
}

/** "jdoe, group:finance" as people read it: "jdoe and the finance group". */
function assignees(list) {
  return joinAnd(
    list.map((each) => (each.startsWith('group:') ? `the ${each.slice(6)} group` : each)),
  )
}

/** Who asked for whom, whose account and whose machine: facts for the card's list. */
export function ownerFacts(approval) {
  const facts = []
  if (approval.actor) facts.push(...fact('Asked by', `${approval.actor} (technician)`))
  const account = approval.plan?.parameters?.username
  if (account) facts.push(...fact('Account', account))
  for (const machine of approval.machines ?? []) {
    const kind = CLASS_NAMES[machine.class] ?? machine.class
    const owner = machine.assignedTo?.length
      ? `assigned to ${assignees(machine.assignedTo)}`
      : 'not assigned to anyone'
    facts.push(...fact('Machine', `${machine.name}: ${kind}, ${owner}`))
  }
  return facts
}

/** The employee's own words, as plain text (line breaks kept). */
export function WordsBlock({ approval }) {
  if (!approval.requestText) return null
  const who = approval.actor
    ? `What ${approval.actor} wrote for ${approval.requester}`
    : `In ${approval.requester}'s words`
  return html`<figure class="approval-words">
    <figcaption class="approval-words-title">${who}</figcaption>
    <blockquote class="approval-words-text">${approval.requestText}</blockquote>
  </figure>`
}

function summary(text) {
  const lines = String(text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, SUMMARY_LINES)
    .join(' | ')
  return lines.length > SUMMARY_CHARACTERS ? `${lines.slice(0, SUMMARY_CHARACTERS - 1)}…` : lines
}

/** What the read-only checks of the same chat turn found, one line each. */
export function ChecksBlock({ approval }) {
  const ran = (approval.steps ?? []).filter(
    (step) =>
      step.approvalLevel === 0 &&
      (step.dryRun?.status === 'succeeded' || step.dryRun?.status === 'failed'),
  )
  if (ran.length === 0) return null
  return html`<section class="approval-checks">
    <h4 class="approval-checks-title">What the checks found</h4>
    <ul class="approval-check-list">
      ${ran.map((step) => {
        const found =
          step.dryRun.status === 'failed'
            ? summary(step.dryRun.errorMessage || step.dryRun.output) || 'no detail'
            : summary(step.dryRun.output) || '(no output)'
        return html`<li class="approval-check"><span class="approval-check-title">${step.title}</span>${step.target ? html`<span class="step-target">${` on ${step.target}`}</span>` : null}${' '}<span class=${`step-status status-${step.dryRun.status}`}>${statusText(step.dryRun.status)}</span><span class="approval-check-found">${found}</span></li>`
      })}
    </ul>
  </section>`
}

function lowerFirst(text) {
  return text ? text[0].toLowerCase() + text.slice(1) : ''
}

/** The held steps about to be approved: all, or those of `stepIds`. */
function chosenSteps(approval, stepIds) {
  return (approval.steps ?? []).filter(
    (step) => step.approvalLevel > 0 && (!stepIds || stepIds.includes(step.stepId)),
  )
}

/**
 * The second click's label when the steps about to be approved include a high or critical one,
 * naming the action and its target ("Yes, unlock the Active Directory account for jdoe");
 * undefined when one click is enough.
 */
export function secondClickLabel(approval, stepIds) {
  const chosen = chosenSteps(approval, stepIds)
  if (!chosen.some((step) => HIGH_RISKS.has(step.risk))) return undefined
  const actions = joinAnd(chosen.map((step) => lowerFirst(step.title)))
  const targets = [...new Set(chosen.flatMap((step) => (step.target ? [step.target] : [])))]
  const account = approval.plan?.parameters?.username
  const where = targets.length ? ` on ${joinAnd(targets)}` : account ? ` for ${account}` : ''
  return `Yes, ${actions}${where}`
}

/** The highest risk among the steps about to be approved, for the question's wording. */
export function riskOf(approval, stepIds) {
  return chosenSteps(approval, stepIds).some((step) => step.risk === 'critical')
    ? 'critical'
    : 'high'
}

/** Text in a focusable, labelled block that scrolls. */
export function OutputBlock({ text, label }) {
  return html`<pre class="output approval-output" tabIndex=${0} aria-label=${label}>${text.trimEnd() || '(no output)'}</pre>`
}

function DryRun({ step, label }) {
  const dryRun = step.dryRun
  if (!dryRun) return html`<p class="approval-dry-run">No dry run was recorded for this step.</p>`
  const text = [dryRun.output, dryRun.errorMessage].filter(Boolean).join('\n')
  return html`<div class="approval-dry-run">
    <p class="approval-dry-run-title">Dry run: <span class=${`step-status status-${dryRun.status}`}>${statusText(dryRun.status)}</span></p>
    <${OutputBlock} text=${text} label=${label} />
  </div>`
}

/** One held step: what it runs, where, what its dry run showed; at level 3 its own checkbox. */
export function HeldStep({ approval, step, position, boxId }) {
  const kind = EXECUTOR_NAMES[step.executor] ?? step.executor
  const decided = approval.decisions?.find(
    (decision) => decision.outcome === 'approved' && decision.stepIds?.includes(step.stepId),
  )
  return html`<li class="approval-step">
    <h4 class="approval-step-title">${step.title}</h4>
    ${step.target ? html`<p class="step-target">on ${step.target}</p>` : null}
    <p class="step-meta">
      <span class=${`badge risk-${step.risk}`}>risk ${step.risk}</span>
      <span class=${`approval approval-${step.approvalLevel}`}>${LEVELS_FOR_APPROVER[step.approvalLevel]}</span>
    </p>
    <div class="code">
      <div class="code-bar"><span class="code-kind">${kind}</span></div>
      <pre tabIndex=${0} aria-label=${`What held step ${position} runs`}><code>${step.wouldRun}</code></pre>
    </div>
    <${DryRun} step=${step} label=${`Dry run output of held step ${position}`} />
    ${
      step.approvalLevel !== 3
        ? null
        : decided
          ? html`<p class="approval-step-approved">Approved by ${decided.approver}</p>`
          : html`<p class="approval-step-choice">
              <input type="checkbox" class="approve-step" id=${boxId} value=${step.stepId} defaultChecked=${true} />
              <label for=${boxId}>Approve this step</label>
            </p>`
    }
  </li>`
}

/** The steps that need no approval (checks and guidance), folded away: context for the approver. */
export function OtherSteps({ steps }) {
  if (steps.length === 0) return null
  return html`<details class="approval-others">
    <summary>${steps.length} other ${steps.length === 1 ? 'step' : 'steps'} (no approval needed)</summary>
    <ol class="approval-steps">
      ${steps.map(
        (step, index) => html`<li class="approval-step approval-step-other">
          <h4 class="approval-step-title">${step.title}</h4>
          ${step.target ? html`<p class="step-target">on ${step.target}</p>` : null}
          <${DryRun} step=${step} label=${`Output of ${step.title} (${index + 1})`} />
        </li>`,
      )}
    </ol>
  </details>`
}
