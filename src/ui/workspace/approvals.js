// The approvals inbox (/approvals, technicians and admins): pending requests, newest first, and
// one request in full: the employee's own words, what the read-only checks found, and the exact
// script of every step that would run. Approve (confirmed: it runs at once; a reason may be
// given, kept in the decision and the audit trail) or deny with a reason (the employee reads it).
// Earlier decisions (a level-3 request approved step by step) are listed with their reasons. The chat page's approvals panel stays for quick decisions; both use the same API.

import { html, useLayoutEffect, useRef, useState } from '/ui/vendor/preact-htm.js'
import { ConfirmDialog, describe, ErrorLine, StatusBadge, useApi, when } from './parts.js'
import { api, problem, SignInNeeded } from './session.js'
import { mountScreen } from './shell.js'

function openedFromAddress() {
  const match = /^#approval=([A-Za-z0-9-]{1,80})$/.exec(location.hash)
  return match ? match[1] : undefined
}

function Inbox({ approvals, opened, onOpen }) {
  if (approvals.length === 0)
    return html`<p class="ws-note">Nothing is waiting for an approval.</p>`
  return html`<ul class="ws-inbox" aria-label="Pending approvals, newest first">
    ${approvals.map(
      (approval) => html`<li key=${approval.id}>
        <button
          type="button"
          class="ws-inbox-item"
          aria-current=${opened === approval.id ? 'true' : undefined}
          onClick=${() => onOpen(approval.id)}
        >
          <span class="ws-inbox-title">${approval.runbook.title}</span>
          <span class="ws-note">
            for ${approval.requester}${approval.actor ? ` (asked by ${approval.actor})` : ''} ·
            level ${approval.level} · ${when(approval.createdAt)}
          </span>
        </button>
      </li>`,
    )}
  </ul>`
}

function ApprovalsScreen() {
  const [opened, setOpened] = useState(openedFromAddress())
  const [outcome, setOutcome] = useState('')
  const { data, error, loading, reload } = useApi('/api/approvals?status=pending')
  const approvals = [...(data?.approvals ?? [])].sort((a, b) =>
    b.createdAt.localeCompare(a.createdAt),
  )
  const open = (id) => {
    history.replaceState(null, '', `#approval=${id}`)
    setOutcome('')
    setOpened(id)
  }
  const decided = (sentence) => {
    setOutcome(sentence)
    setOpened(undefined)
    history.replaceState(null, '', location.pathname)
    reload()
  }
  return html`<div class="ws-two">
    <section aria-labelledby="inbox-title">
      <div class="ws-actions">
        <h2 id="inbox-title">Waiting for you</h2>
        <button type="button" class="button button-small" onClick=${reload}>Refresh</button>
        <span class="ws-note" role="status">${loading ? 'Loading…' : `${approvals.length} pending`}</span>
      </div>
      <p class="ws-note ws-outcome" role="status">${outcome}</p>
      <${ErrorLine} error=${error && `Could not load the approvals: ${error}`} />
      ${data && html`<${Inbox} approvals=${approvals} opened=${opened} onOpen=${open} />`}
    </section>
    ${opened && html`<${ApprovalDetail} key=${opened} id=${opened} onDecided=${decided} />`}
  </div>`
}

function Checks({ steps }) {
  const ran = steps.filter(
    (step) =>
      step.approvalLevel === 0 &&
      (step.dryRun?.status === 'succeeded' || step.dryRun?.status === 'failed'),
  )
  if (ran.length === 0)
    return html`<p class="ws-note">No read-only check ran before this request.</p>`
  return html`<ul class="ws-checks">
    ${ran.map(
      (step) => html`<li key=${step.stepId}>
        <strong>${step.title}</strong>${step.target ? ` on ${step.target}` : ''}${' '}
        <${StatusBadge} status=${step.dryRun.status} />
        <pre class="ws-script">${(step.dryRun.status === 'failed' ? step.dryRun.errorMessage || step.dryRun.output : step.dryRun.output) || '(no output)'}</pre>
      </li>`,
    )}
  </ul>`
}

/** Who decided what so far, with their reasons (a request approved step by step has several). */
function Decisions({ decisions }) {
  if (!decisions?.length) return null
  return html`<h3>Decided so far</h3>
    <ul class="ws-checks ws-decisions">
      ${decisions.map(
        (decision, index) => html`<li key=${index}>
          <${StatusBadge} status=${decision.outcome} /> by ${decision.approver} (${decision.role}),
          ${when(decision.at)}${decision.reason ? html`: <q>${decision.reason}</q>` : ''}
        </li>`,
      )}
    </ul>`
}

/** ", 2 steps succeeded, 1 failed" from the run's results. */
function ranWords(results) {
  if (!results?.length) return ''
  const failed = results.filter((result) => result.status === 'failed').length
  return `: ${results.length - failed} step(s) succeeded${failed ? `, ${failed} failed` : ''}`
}

function ApprovalDetail({ id, onDecided }) {
  const { data: approval, error: loadError } = useApi(`/api/approvals/${encodeURIComponent(id)}`)
  const [asking, setAsking] = useState(false)
  const [reason, setReason] = useState('')
  const [reasonError, setReasonError] = useState('')
  const [note, setNote] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const heading = useRef()
  const approveButton = useRef()
  const reasonField = useRef()
  // In the same task as the heading appears (tickets.js says why).
  useLayoutEffect(() => {
    if (approval) heading.current?.focus()
  }, [approval?.id])

  if (loadError)
    return html`<section class="ws-panel"><${ErrorLine} error=${loadError} /></section>`
  if (!approval)
    return html`<section class="ws-panel"><p class="ws-note" role="status">Loading the request…</p></section>`

  const held = approval.steps.filter((step) => step.approvalLevel > 0)
  const targets = [...new Set(held.flatMap((step) => (step.target ? [step.target] : [])))]
  const decide = async (path, body, sentence) => {
    setBusy(true)
    setError('')
    try {
      const response = await api(`/api/approvals/${encodeURIComponent(id)}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (!response.ok) throw new Error(await problem(response))
      const answer = await response.json()
      onDecided(sentence(answer))
    } catch (problem) {
      if (!(problem instanceof SignInNeeded)) setError(describe(problem))
    } finally {
      setBusy(false)
    }
  }
  const approve = () => {
    setAsking(false)
    const why = note.trim()
    void decide(
      'approve',
      why ? { reason: why } : {},
      (answer) =>
        (why ? `(Your reason: “${why}”.) ` : '') +
        (answer.jobId
          ? `Approved: “${approval.runbook.title}” for ${approval.requester} is running as job ${answer.jobId.slice(0, 8)}.`
          : answer.approval?.status === 'pending'
            ? `Your approval is recorded; “${approval.runbook.title}” needs another approval before it runs.`
            : `Approved and run: “${approval.runbook.title}” for ${approval.requester}${ranWords(answer.results)}.`),
    )
  }
  const deny = (event) => {
    event.preventDefault()
    if (reason.trim() === '') {
      setReasonError('Say why you deny it: the employee reads it.')
      reasonField.current?.focus()
      return
    }
    setReasonError('')
    void decide(
      'deny',
      { reason: reason.trim() },
      () => `Denied: “${approval.runbook.title}” for ${approval.requester}. Nothing ran.`,
    )
  }

  return html`<section class="ws-panel" aria-labelledby="approval-title">
    <h2 id="approval-title" tabindex="-1" ref=${heading}>${approval.runbook.title}</h2>
    <dl class="ws-facts">
      <dt>For</dt><dd>${approval.requester}</dd>
      ${approval.actor && html`<dt>Asked by</dt><dd>${approval.actor} (technician)</dd>`}
      <dt>Approval level</dt><dd>${approval.level}</dd>
      ${(approval.machines ?? []).map(
        (machine) =>
          html`<dt>Machine</dt><dd>${machine.name}: ${machine.class}, ${machine.assignedTo.length ? `assigned to ${machine.assignedTo.join(', ')}` : 'not assigned to anyone'}</dd>`,
      )}
      <dt>Asked</dt><dd>${when(approval.createdAt)}</dd>
      <dt>Expires</dt><dd>${when(approval.expiresAt)}</dd>
    </dl>
    <h3>In the employee's words</h3>
    ${
      approval.requestText
        ? html`<blockquote class="ws-words">${approval.requestText}</blockquote>`
        : html`<p class="ws-note">No message was kept with this request.</p>`
    }
    <${Decisions} decisions=${approval.decisions} />
    <h3>What the checks found</h3>
    <${Checks} steps=${approval.steps} />
    <h3>What would run</h3>
    <ol class="ws-steps">
      ${held.map(
        (step) => html`<li key=${step.stepId}>
          <strong>${step.title}</strong>${step.target ? ` on ${step.target}` : ''}
          <span class="ws-note"> · ${step.executor} · ${step.risk} risk</span>
          <pre class="ws-script" aria-label=${`Script of ${step.title}`}>${step.wouldRun}</pre>
        </li>`,
      )}
    </ol>
    <${ErrorLine} error=${error} />
    <div class="ws-actions ws-decision">
      <button type="button" class="button button-primary" ref=${approveButton} disabled=${busy} onClick=${() => setAsking(true)}>
        Approve and run…
      </button>
    </div>
    <form class="ws-deny" novalidate onSubmit=${deny}>
      <div class="ws-field">
        <label for="deny-reason">Reason to deny (the employee reads it)</label>
        <textarea
          id="deny-reason"
          ref=${reasonField}
          rows="2"
          maxlength="1000"
          value=${reason}
          onInput=${(event) => setReason(event.currentTarget.value)}
          aria-invalid=${reasonError ? 'true' : undefined}
          aria-describedby="deny-reason-error"
        ></textarea>
      </div>
      <p id="deny-reason-error" class="form-error" role="alert">${reasonError}</p>
      <button type="submit" class="button button-secondary" disabled=${busy}>Deny</button>
    </form>
    <${ConfirmDialog}
      open=${asking}
      title="Approve and run now?"
      confirmLabel=${`Yes, run it${targets.length ? ` on ${targets.join(', ')}` : ` for ${approval.requester}`}`}
      onConfirm=${approve}
      onClose=${() => {
        setAsking(false)
        approveButton.current?.focus()
      }}
    >
      <p>
        ${held.length} step(s) run at once: ${held.map((step) => step.title).join('; ')}. The
        highest risk is ${held.some((step) => step.risk === 'critical') ? 'critical' : held.some((step) => step.risk === 'high') ? 'high' : 'at most medium'}.
      </p>
      <div class="ws-field ws-approve-reason">
        <label for="approve-reason">Reason (optional: kept in the audit trail)</label>
        <textarea
          id="approve-reason"
          rows="2"
          maxlength="1000"
          value=${note}
          onInput=${(event) => setNote(event.currentTarget.value)}
        ></textarea>
      </div>
    <//>
  </section>`
}

mountScreen({
  screen: 'approvals',
  title: 'Approvals',
  intro:
    'Changes waiting for a technician: read what was asked, what the checks found and the exact scripts, then decide.',
  Screen: ApprovalsScreen,
})
