// The runbook editor, a Preact component: the Markdown in a textarea, checked as one types
// (debounced) by the same schema as the server's loader, with every problem by field and line (a
// button moves the caret to the line); "which runbook would this hit?" routes a message against
// the draft set; save sends the text with the reason and the version it started from (a change
// made meanwhile is refused, not overwritten). Escape outside the textarea cancels.
import { html, useEffect, useRef, useState } from '/ui/vendor/preact-htm.js'
import { failureText } from './runbook-parts.js'
import { announce } from './status-line.js'
import { api, SignInNeeded } from './workspace/session.js'

const VALIDATE_DELAY_MS = 400

const TEMPLATE = `---
id: new_runbook_id
title: What the employee needs, in a few words
category: hardware
risk: low
summary: >-
  One or two sentences on what this runbook is for.
keywords:
  - keyword one
  - keyword two
  - keyword three
  - keyword four
  - keyword five
examples:
  - an example request as an employee would write it
parameters: []
actions:
  - id: first_step
    title: What is done first
    executor: guidance
    risk: low
    readOnly: true
    text: >-
      What the person or technician does by hand.
---
## When to use

When this runbook applies.
`

let sequence = 0

/**
 * The problems under the text: `problems` is undefined while a check runs, a list after one
 * (empty: none), or `{ failed }` when the check itself could not run.
 */
export function Problems({ id, problems, onLine }) {
  if (problems === undefined)
    return html`<p id=${id} class="problems-title" role="status">Checking…</p>`
  if (!Array.isArray(problems)) {
    return html`<p id=${id} class="problems-title" role="status">Could not check: ${problems.failed}</p>`
  }
  const none = problems.length === 0
  return html`<p id=${id} class=${`problems-title ${none ? 'problems-none' : 'problems-some'}`} role="status">
      ${none ? 'No problems found.' : `${problems.length} problem${problems.length === 1 ? '' : 's'}:`}
    </p>
    <ul class="problems">
      ${problems.map((problem, index) => {
        const text = `${problem.line ? `line ${problem.line}, ` : ''}${problem.field}: ${problem.reason}`
        return html`<li key=${index}>
          ${
            problem.line
              ? html`<button type="button" class="link-button" onClick=${() => onLine(problem.line)}>${text}</button>`
              : text
          }
        </li>`
      })}
    </ul>`
}

/** What routing the message would decide after the save: the chosen task and the ranking. */
function RouteResult({ result }) {
  if (!result) return null
  if (result.failed) return html`<p class="form-error">${result.failed}</p>`
  const { decision, usedDraft } = result
  const chosen =
    decision.tasks.length > 0
      ? `Routed to ${decision.tasks.join(' + ')}`
      : `Out of scope${decision.outOfScopeTopic ? ` (${decision.outOfScopeTopic})` : ''}: handed off`
  return html`<p class="try-decision">
      ${chosen}${usedDraft ? '' : ' (the draft has problems: routed with the saved runbooks)'}
    </p>
    <ol class="ranked">
      ${decision.ranked.map(
        (
          each,
        ) => html`<li key=${each.taskType} class=${decision.tasks.includes(each.taskType) ? 'ranked-chosen' : ''}>
          <span class="ranked-title">${each.title ?? each.taskType}</span>${' '}<code>${each.taskType}</code>${` ${Math.round(each.score * 100)}%`}
        </li>`,
      )}
    </ol>`
}

/** Puts the caret on a 1-based line (selecting it) and scrolls it into view. */
export function goToLine(textarea, line) {
  const lines = textarea.value.split('\n')
  let offset = 0
  for (let index = 0; index < line - 1 && index < lines.length; index += 1)
    offset += lines[index].length + 1
  textarea.focus()
  textarea.setSelectionRange(offset, offset + (lines[line - 1]?.length ?? 0))
  const lineHeight = textarea.scrollHeight / Math.max(lines.length, 1)
  textarea.scrollTop = Math.max(0, (line - 3) * lineHeight)
}

/**
 * The editor for `runbook` (undefined: a new one). `onSaved(id)` after a save, `onCancelled()`
 * on Cancel or Escape.
 */
export function RunbookEditor({ runbook, onSaved, onCancelled }) {
  const [prefix] = useState(() => `editor-${++sequence}`)
  const [text, setText] = useState(runbook?.markdown ?? TEMPLATE)
  const [problems, setProblems] = useState(undefined)
  const [reason, setReason] = useState('')
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState('')
  const [message, setMessage] = useState('')
  const [routing, setRouting] = useState(false)
  const [routeResult, setRouteResult] = useState(undefined)
  const textarea = useRef()
  const tryInput = useRef()
  /** Bumped by each check, so an older answer never replaces a newer one. */
  const checks = useRef(0)
  const first = useRef(true)

  useEffect(() => {
    textarea.current?.focus()
  }, [])
  // The first check at once, then one a moment after typing stops.
  useEffect(() => {
    setProblems(undefined)
    const mine = ++checks.current
    const check = async () => {
      const query = runbook ? `?id=${encodeURIComponent(runbook.id)}` : ''
      const response = await api(`/api/instructions/validate${query}`, {
        method: 'POST',
        headers: { 'content-type': 'text/markdown' },
        body: text,
      })
      if (mine !== checks.current) return
      if (!response.ok) {
        setProblems({ failed: await failureText(response) })
        return
      }
      const result = await response.json()
      if (mine === checks.current) setProblems(result.valid ? [] : result.problems)
    }
    const delay = first.current ? 0 : VALIDATE_DELAY_MS
    first.current = false
    const timer = setTimeout(() => {
      check().catch((error) => {
        // A lapsed sign-in brings the form back by itself; anything else is said where the
        // problems would be.
        if (error instanceof SignInNeeded || mine !== checks.current) return
        setProblems({ failed: error instanceof Error ? error.message : String(error) })
      })
    }, delay)
    return () => clearTimeout(timer)
  }, [text])

  const route = async () => {
    const trimmed = message.trim()
    if (!trimmed) {
      tryInput.current?.focus()
      return
    }
    setRouting(true)
    try {
      const response = await api('/api/instructions/route', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          message: trimmed,
          draft: text,
          ...(runbook ? { id: runbook.id } : {}),
        }),
      })
      setRouteResult(response.ok ? await response.json() : { failed: await failureText(response) })
    } finally {
      setRouting(false)
    }
  }

  const save = async () => {
    setSaving(true)
    setSaveError('')
    try {
      const headers = {
        'content-type': 'text/markdown',
        'x-change-reason': encodeURIComponent(reason),
      }
      if (runbook?.version) headers['if-match'] = `"${runbook.version}"`
      const response = await api(
        runbook ? `/api/instructions/${encodeURIComponent(runbook.id)}` : '/api/instructions',
        { method: runbook ? 'PUT' : 'POST', headers, body: text },
      )
      if (response.status === 400) {
        const body = await response.json()
        if (body.problems) {
          checks.current += 1
          setProblems(body.problems)
        }
        setSaveError('Not saved: fix the problems listed above.')
        textarea.current?.focus()
        return
      }
      if (!response.ok) {
        setSaveError(`Not saved: ${await failureText(response)}`)
        return
      }
      const saved = await response.json()
      announce(`${saved.id} saved as version ${saved.version}; the next chat turn uses it`)
      await onSaved(saved.id)
    } finally {
      setSaving(false)
    }
  }

  const invalid = Array.isArray(problems) ? String(problems.length > 0) : undefined
  return html`<div
    onKeyDown=${(event) => {
      if (event.key === 'Escape' && event.target !== textarea.current) onCancelled()
    }}
  >
    <p class="muted">
      The exact format of data/instructions/*.md: YAML front matter between --- lines, then ## sections of prose.
    </p>
    <label for=${`${prefix}-text`}>Runbook (Markdown)</label>
    <textarea
      id=${`${prefix}-text`}
      ref=${textarea}
      class="runbook-text"
      spellcheck=${false}
      rows="24"
      aria-describedby=${`${prefix}-problems-title`}
      aria-invalid=${invalid}
      value=${text}
      onInput=${(event) => setText(event.currentTarget.value)}
    ></textarea>
    <${Problems}
      id=${`${prefix}-problems-title`}
      problems=${problems}
      onLine=${(line) => textarea.current && goToLine(textarea.current, line)}
    />
    <section class="try-box">
      <h3>Which runbook would this message hit?</h3>
      <p class="muted">Routed against the runbooks as they would be after this save.</p>
      <label for=${`${prefix}-try`}>Message</label>
      <div class="inline-row">
        <input
          id=${`${prefix}-try`}
          ref=${tryInput}
          class="try-input"
          type="text"
          maxlength="4000"
          autocomplete="off"
          placeholder="e.g. the smartboard in room 4.12 shows no signal"
          value=${message}
          onInput=${(event) => setMessage(event.currentTarget.value)}
          onKeyDown=${(event) => {
            if (event.key === 'Enter') {
              event.preventDefault()
              void route()
            }
          }}
        />
        <button type="button" class="button button-secondary" disabled=${routing} onClick=${() => void route()}>
          Route it
        </button>
      </div>
      <div class="try-result" aria-live="polite"><${RouteResult} result=${routeResult} /></div>
    </section>
    <label for=${`${prefix}-reason`}>Why this change (kept in the history)</label>
    <input
      id=${`${prefix}-reason`}
      class="reason-input"
      type="text"
      maxlength="500"
      autocomplete="off"
      placeholder=${runbook ? 'e.g. added the Teams error code 0xCAA70004' : 'e.g. new meeting-room hardware'}
      value=${reason}
      onInput=${(event) => setReason(event.currentTarget.value)}
    />
    <div class="inline-row editor-actions">
      <button type="button" class="button button-primary" disabled=${saving} onClick=${() => void save()}>
        ${runbook ? 'Save' : 'Add runbook'}
      </button>
      <button type="button" class="button button-secondary" onClick=${() => onCancelled()}>Cancel</button>
    </div>
    <p class="form-error" role="alert">${saveError}</p>
  </div>`
}
