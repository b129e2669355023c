/**
 * @module chat/plan-card
 * A plan card of a reply: the plan's title and overall risk, its parameters, and each step with
 * who acts on it, its status, exactly what it runs (with Copy), and its verification and
 * rollback. Approval notes (with an employee's Confirm) sit under the title when given.
 */

import { html, useRef, useState } from '/ui/vendor/preact-htm.js'
import { announce } from '../status-line.js'
import { APPROVAL_LEVELS } from './format.js'
import { GuidanceList } from './rich-text.js'

/** The exact text a step runs: the script with its command line, or the operation call. */
export function invocationText(invocation) {
  if (!invocation) return ''
  if (invocation.type === 'script') return `${invocation.commandLine}\n${invocation.script}`
  if (invocation.type === 'operation') {
    const args = Object.entries(invocation.arguments ?? {})
      .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
      .join(', ')
    return `${invocation.executor}.${invocation.operation}(${args})`
  }
  return invocation.text ?? ''
}

function kindOf(invocation) {
  if (invocation?.type === 'script') return invocation.language === 'bash' ? 'Bash' : 'PowerShell'
  return invocation?.type === 'operation' ? 'API operation' : 'Guidance'
}

/** What a step runs, in a focusable scrolling block, with a Copy button. */
function CodeBlock({ invocation, label }) {
  const text = invocationText(invocation)
  const [copyLabel, setCopyLabel] = useState('Copy')
  const code = useRef(null)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
      setCopyLabel('Copied')
      announce('Copied to the clipboard.')
    } catch {
      if (code.current) window.getSelection()?.selectAllChildren(code.current)
      setCopyLabel('Press Ctrl+C')
      announce('Copy failed; the text is selected, press Ctrl+C.')
    }
    setTimeout(() => setCopyLabel('Copy'), 2000)
  }
  return html`<div class="code">
    <div class="code-bar">
      <span class="code-kind">${kindOf(invocation)}</span>
      <button type="button" class="button button-small copy" aria-label=${`Copy ${label}`} onClick=${copy}>${copyLabel}</button>
    </div>
    <pre tabIndex=${0} aria-label=${label}><code ref=${code}>${text}</code></pre>
  </div>`
}

function Badge({ risk }) {
  return html`<span class=${`badge risk-${risk}`}>risk ${risk}</span>`
}

/** A step's verification or rollback, folded. */
function Probe({ name, value, stepTitle }) {
  if (!value) return null
  return html`<details class=${`probe probe-${name.toLowerCase()}`}>
    <summary>${name}</summary>
    <p>${value.description}</p>
    ${value.expect ? html`<p class="expect">Expect: ${value.expect}</p>` : null}
    ${value.invocation ? html`<${CodeBlock} invocation=${value.invocation} label=${`${name} for ${stepTitle}`} />` : null}
  </details>`
}

/** Who acts on a step, as the person on this page reads it; `forWhom`: the employee a technician asks for. */
function levelText(level, forWhom) {
  if (level === 1 && forWhom) return `${forWhom} or a technician confirms`
  return APPROVAL_LEVELS[level] ?? ''
}

/** A step's status, with the data the tests and the approval notes find it by. */
function StepStatus({ step, state }) {
  const attributes = {
    class: state.status ? `step-status status-${state.status}` : 'step-status',
    'data-step-id': step.id,
  }
  if (state.title) attributes.title = state.title
  if (state.errorCode) attributes['data-error-code'] = state.errorCode
  if (state.approvalId) attributes['data-approval-id'] = state.approvalId
  return html`<span ...${attributes}>${state.text}</span>`
}

function StepRow({ step, index, forWhom, state }) {
  const output = state.output
  return html`<li class="step">
    <div class="step-heading">
      <span class="step-number">${index + 1}</span>
      <div class="step-title-wrap">
        <h5 class="step-title">${step.title}</h5>
        ${step.target ? html`<p class="step-target">on ${step.target}</p>` : null}
      </div>
    </div>
    <p class="step-meta">
      <${Badge} risk=${step.risk} />
      <span class=${`approval approval-${step.approvalLevel}`}>${levelText(step.approvalLevel, forWhom)}</span>
      <${StepStatus} step=${step} state=${state} />
    </p>
    ${
      // Guidance is prose for a person: wrapped numbered steps, not a code block.
      step.invocation?.type === 'guidance'
        ? html`<${GuidanceList} text=${step.invocation.text} label=${`What step ${index + 1} says`} />`
        : html`<${CodeBlock} invocation=${step.invocation} label=${`What step ${index + 1} runs`} />`
    }
    <${Probe} name="Verification" value=${step.verification} stepTitle=${step.title} />
    <${Probe} name="Rollback" value=${step.rollback} stepTitle=${step.title} />
    ${
      output
        ? html`<details class="step-output" open=${output.failed}>
            <summary>${output.failed ? 'What went wrong' : 'What the check found'}</summary>
            <pre class="output">${output.text}</pre>
          </details>`
        : null
    }
  </li>`
}

/**
 * One plan. `states`: each step's state (chat/step-states.js); `notes`: what goes under the
 * title (approval notes for this card's requests); `forWhom`: the employee a technician asks for.
 */
export function PlanCard({ plan, states, notes, forWhom }) {
  const parameters = Object.entries(plan.parameters ?? {})
  // A group request has a card per machine, all with the same step ids: the machine tells them apart.
  const target = plan.steps.find((step) => step.target)?.target ?? ''
  return html`<section class="plan-card" data-task-type=${plan.taskType} data-target=${target}>
    <header class="plan-header">
      <h4 class="plan-title">${plan.title}</h4>
      <span class="plan-risk">Overall <${Badge} risk=${plan.risk} /></span>
    </header>
    ${notes}
    ${
      parameters.length
        ? html`<dl class="parameters">
            ${parameters.map(([name, value]) => [html`<dt>${name}</dt>`, html`<dd>${value}</dd>`])}
          </dl>`
        : null
    }
    <ol class="steps">
      ${plan.steps.map(
        (step, index) =>
          html`<${StepRow} step=${step} index=${index} forWhom=${forWhom} state=${states[index]} />`,
      )}
    </ol>
  </section>`
}
