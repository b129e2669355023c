/**
 * @module chat/approval-card
 * A pending approval request in the technician's panel: the facts, the employee's words, what
 * the checks found, each held step exactly as it would run, and Approve (the plan runs at once)
 * or Deny with a reason. A high or critical change asks for a second click that names the action
 * and its target; Escape or Cancel puts Approve back.
 */

import { html, useEffect, useLayoutEffect, useRef, useState } from '/ui/vendor/preact-htm.js'
import {
  ChecksBlock,
  fact,
  HeldStep,
  OtherSteps,
  ownerFacts,
  riskOf,
  secondClickLabel,
  WordsBlock,
} from './approval-details.js'
import { expiryText, LEVELS_FOR_APPROVER, shortId, uniqueId, when } from './format.js'

const REASON_LIMIT = 1000

function Time({ iso, text = when(iso) }) {
  return html`<time dateTime=${String(iso ?? '')} title=${String(iso ?? '')}>${text}</time>`
}

/**
 * The focus goes to `ref` after the next draw (a control shown or enabled by the same change
 * cannot take it before). Returns the function that asks for it.
 */
function useFocusAfterDraw() {
  const [target, setTarget] = useState(undefined)
  // A layout effect: the focus moves in the same task as the change, before anything else reads it.
  useLayoutEffect(() => {
    if (!target) return
    target.current?.focus()
    setTarget(undefined)
  }, [target])
  return setTarget
}

/** The deny form: the reason is required (the requester sees it); Escape or Cancel closes it. */
function DenyForm({ approval, ids, hidden, busy, onClose, onDeny, reasonRef }) {
  const [problem, setProblem] = useState('')
  const submit = (event) => {
    event.preventDefault()
    const reason = reasonRef.current?.value.trim() ?? ''
    if (reason === '') {
      setProblem('Say why you deny it: the reason is required and the requester sees it.')
      reasonRef.current?.focus()
      return
    }
    setProblem('')
    onDeny(reason)
  }
  const close = () => {
    setProblem('')
    onClose()
  }
  return html`<form class="deny-form" id=${ids.form} hidden=${hidden} noValidate aria-label=${`Deny request ${shortId(approval.id)}`} onSubmit=${submit}>
    <label for=${ids.reason}>Why do you deny it? The requester sees this.</label>
    <div class="deny-row">
      <input
        class="deny-reason"
        id=${ids.reason}
        type="text"
        maxLength=${REASON_LIMIT}
        autocomplete="off"
        aria-describedby=${ids.error}
        aria-invalid=${problem ? 'true' : undefined}
        disabled=${busy}
        ref=${reasonRef}
        onKeyDown=${(event) => {
          if (event.key !== 'Escape') return
          event.preventDefault()
          close()
        }}
      />
      <button type="submit" class="button button-primary" disabled=${busy}>Deny request</button>
      <button type="button" class="button button-secondary" disabled=${busy} onClick=${close}>Cancel</button>
    </div>
    <p class="form-error" id=${ids.error} role="alert">${problem}</p>
  </form>`
}

/** The second click: "Yes, …" (focused when shown) and Cancel; Escape cancels. */
function SecondClick({ question, onYes, onCancel }) {
  const yes = useRef(null)
  useLayoutEffect(() => yes.current?.focus(), [])
  return html`<div
    class="approval-confirm"
    role="group"
    aria-label="Confirm the approval"
    onKeyDown=${(event) => {
      if (event.key !== 'Escape') return
      event.preventDefault()
      onCancel()
    }}
  >
    <p class="approval-confirm-question">This is a ${question.risk}-risk change. Are you sure?</p>
    <div class="approval-confirm-buttons">
      <button type="button" class="button button-primary approval-yes" ref=${yes} onClick=${onYes}>${question.label}</button>
      <button type="button" class="button button-secondary" onClick=${onCancel}>Cancel</button>
    </div>
  </div>`
}

/**
 * A pending request as a card with Approve and Deny. `panel.decide(approval, action, body, card)`
 * sends the decision; `card` lets it show the card busy and ask whether the card is still there.
 */
export function ApprovalCard({ approval, panel }) {
  const [ids] = useState(() => ({
    title: uniqueId('approval-title'),
    form: uniqueId('deny-form'),
    reason: uniqueId('deny-reason'),
    error: uniqueId('deny-error'),
    boxes: new Map(),
  }))
  const [busy, setBusy] = useState(false)
  const [status, setStatus] = useState('')
  const [denyOpen, setDenyOpen] = useState(false)
  const [question, setQuestion] = useState(undefined)
  const focusAfterDraw = useFocusAfterDraw()
  const article = useRef(null)
  const approveButton = useRef(null)
  const denyButton = useRef(null)
  const reason = useRef(null)
  const mounted = useRef(true)
  useEffect(
    () => () => {
      mounted.current = false
    },
    [],
  )

  const held = (approval.steps ?? []).filter((step) => step.approvalLevel > 0)
  const others = (approval.steps ?? []).filter((step) => step.approvalLevel === 0)
  const perStep = approval.level === 3
  const card = {
    busy: (value, text = '') => {
      if (!mounted.current) return
      setBusy(value)
      setStatus(text)
    },
    isBusy: () => mounted.current && article.current?.getAttribute('aria-busy') === 'true',
    mounted: () => mounted.current,
  }
  const decide = (action, body) => void panel.decide(approval, action, body, card)

  const approve = () => {
    let stepIds
    if (perStep) {
      const boxes = article.current?.querySelectorAll('.approve-step:checked') ?? []
      stepIds = [...boxes].map((box) => box.value)
      if (stepIds.length === 0) {
        setStatus('Choose at least one step to approve.')
        return
      }
    }
    const body = stepIds ? { stepIds } : {}
    // A high or critical change takes a second click that names what it does and where.
    const label = secondClickLabel(approval, stepIds)
    if (!label) return decide('approve', body)
    setDenyOpen(false)
    setQuestion({ label, risk: riskOf(approval, stepIds), body })
    setStatus(`Second click needed: press “${label}” to approve and run it, or Escape to cancel.`)
  }
  const cancelQuestion = () => {
    setQuestion(undefined)
    setStatus('Not approved: nothing ran.')
    focusAfterDraw(approveButton)
  }
  const yes = () => {
    const body = question.body
    setQuestion(undefined)
    focusAfterDraw(approveButton)
    decide('approve', body)
  }
  const toggleDeny = () => {
    setDenyOpen(!denyOpen)
    if (!denyOpen) focusAfterDraw(reason)
  }
  const closeDeny = () => {
    setDenyOpen(false)
    setStatus('')
    focusAfterDraw(denyButton)
  }

  return html`<li class="approval-item">
    <article class="approval-card" aria-labelledby=${ids.title} data-approval-id=${approval.id} aria-busy=${busy ? 'true' : undefined} ref=${article}>
      <header class="approval-card-header">
        <h3 class="approval-title" id=${ids.title}>${approval.runbook?.title ?? approval.taskType}</h3>
        ${approval.plan?.risk ? html`<span class=${`badge risk-${approval.plan.risk}`}>risk ${approval.plan.risk}</span>` : null}
      </header>
      <dl class="approval-facts">
        ${fact('Requested by', approval.requester)}
        ${ownerFacts(approval)}
        ${fact('Level', `${approval.level}: ${LEVELS_FOR_APPROVER[approval.level] ?? ''}`)}
        ${fact('Asked at', html`<${Time} iso=${approval.createdAt} />`)}
        ${fact('Expires', html`<${Time} iso=${approval.expiresAt} text=${expiryText(approval.expiresAt)} />`)}
        ${fact('Request', shortId(approval.id))}
      </dl>
      <${WordsBlock} approval=${approval} />
      <${ChecksBlock} approval=${approval} />
      <p class="approval-held-title">${held.length === 1 ? 'The step waiting for approval' : `${held.length} steps waiting`}</p>
      <ol class="approval-steps">
        ${held.map((step, index) => {
          if (!ids.boxes.has(step.stepId)) ids.boxes.set(step.stepId, uniqueId('approve-step'))
          return html`<${HeldStep} approval=${approval} step=${step} position=${index + 1} boxId=${ids.boxes.get(step.stepId)} />`
        })}
      </ol>
      <${OtherSteps} steps=${others} />
      <div class="approval-actions" hidden=${question !== undefined}>
        <button type="button" class="button button-primary approve" aria-describedby=${ids.title} disabled=${busy} ref=${approveButton} onClick=${approve}>${perStep ? 'Approve selected steps' : 'Approve and run'}</button>
        <button type="button" class="button button-secondary deny" aria-describedby=${ids.title} aria-expanded=${String(denyOpen)} aria-controls=${ids.form} disabled=${busy} ref=${denyButton} onClick=${toggleDeny}>Deny…</button>
      </div>
      ${question ? html`<${SecondClick} question=${question} onYes=${yes} onCancel=${cancelQuestion} />` : null}
      <${DenyForm} approval=${approval} ids=${ids} hidden=${!denyOpen} busy=${busy} reasonRef=${reason} onClose=${closeDeny} onDeny=${(text) => decide('deny', { reason: text })} />
      <p class="approval-card-status" role="status">${status}</p>
    </article>
  </li>`
}
