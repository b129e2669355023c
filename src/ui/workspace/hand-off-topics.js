// The out-of-scope hand-off topics (where facilities, HR or security questions are sent), managed
// like a runbook on the runbook screen: the YAML of data/routing/out-of-scope.yaml in a text
// box, saved with a reason as a new version (every problem listed by field and line when the
// server refuses it), and the history with each version's diff; admins restore an old one. A
// save or restore retrains the router: the next chat turn uses it.

import { goToLine, Problems } from '/ui/runbook-editor.js'
import { Version } from '/ui/runbook-history.js'
import { failureText, formatTime } from '/ui/runbook-parts.js'
import { announce } from '/ui/status-line.js'
import { html, useEffect, useRef, useState } from '/ui/vendor/preact-htm.js'
import { describe } from './parts.js'
import { api, SignInNeeded } from './session.js'

/** `admin`: may restore; `onBack()`: back to the runbooks. */
export function HandOffTopics({ admin, onBack }) {
  // undefined while loading, then { current, versions } or { failed }.
  const [loaded, setLoaded] = useState()
  const [round, setRound] = useState(0)
  const [text, setText] = useState('')
  const [reason, setReason] = useState('')
  /** The server's problems with the last save ([] when none). */
  const [problems, setProblems] = useState([])
  const [saveError, setSaveError] = useState('')
  const [saving, setSaving] = useState(false)
  const textarea = useRef()

  useEffect(() => {
    let gone = false
    void (async () => {
      try {
        const [current, history] = await Promise.all([
          api('/api/out-of-scope'),
          api('/api/out-of-scope/versions'),
        ])
        if (!current.ok || !history.ok) {
          const failed = await failureText(current.ok ? history : current)
          if (!gone) setLoaded({ failed })
          return
        }
        const body = { current: await current.json(), versions: (await history.json()).versions }
        if (gone) return
        setLoaded(body)
        setText(body.current.text)
      } catch (error) {
        if (!gone && !(error instanceof SignInNeeded)) setLoaded({ failed: describe(error) })
      }
    })()
    return () => {
      gone = true
    }
  }, [round])

  const save = async () => {
    setSaving(true)
    setSaveError('')
    try {
      const response = await api('/api/out-of-scope', {
        method: 'PUT',
        headers: { 'content-type': 'text/yaml', 'x-change-reason': encodeURIComponent(reason) },
        body: text,
      })
      if (response.status === 400) {
        const body = await response.json()
        setProblems(body.problems ?? [])
        setSaveError(
          `Not saved: ${body.problems ? 'fix the problems listed above.' : body.error?.message}`,
        )
        textarea.current?.focus()
        return
      }
      if (!response.ok) {
        setSaveError(`Not saved: ${await failureText(response)}`)
        return
      }
      const saved = await response.json()
      setProblems([])
      setReason('')
      announce(`Hand-off topics saved as version ${saved.version}; the next chat turn uses them`)
      setRound((each) => each + 1)
    } catch (error) {
      if (!(error instanceof SignInNeeded)) setSaveError(`Not saved: ${describe(error)}`)
    } finally {
      setSaving(false)
    }
  }

  const restore = (version) => async () => {
    const answer = await api(`/api/out-of-scope/versions/${version.version}/restore`, {
      method: 'POST',
    })
    if (!answer.ok) {
      announce(`Not restored: ${await failureText(answer)}`)
      return
    }
    announce(
      `Version ${version.version} of the hand-off topics restored; the next chat turn uses it`,
    )
    setRound((each) => each + 1)
  }

  const back = html`<button type="button" class="button button-secondary" onClick=${() => onBack()}>
    Back to the runbooks
  </button>`
  if (loaded === undefined) return html`${back}<p class="muted">Loading…</p>`
  if (loaded.failed) return html`${back}<p class="form-error">${loaded.failed}</p>`
  const { current, versions } = loaded
  return html`<div
    onKeyDown=${(event) => {
      if (event.key === 'Escape' && event.target !== textarea.current) onBack()
    }}
  >
    <p class="muted">
      Requests the helpdesk does not handle, and where to send them. The format of
      data/routing/out-of-scope.yaml: each topic with its hand-off sentence, the runbooks it is near
      and example requests.${current.version ? ` Version ${current.version} · ${formatTime(current.changedAt)} by ${current.changedBy}.` : ''}
    </p>
    <label for="topics-text">Hand-off topics (YAML)</label>
    <textarea
      id="topics-text"
      ref=${textarea}
      class="runbook-text"
      spellcheck=${false}
      rows="24"
      aria-describedby="topics-problems"
      aria-invalid=${String(problems.length > 0)}
      value=${text}
      onInput=${(event) => setText(event.currentTarget.value)}
    ></textarea>
    ${
      problems.length > 0
        ? html`<${Problems}
            id="topics-problems"
            problems=${problems}
            onLine=${(line) => textarea.current && goToLine(textarea.current, line)}
          />`
        : html`<p id="topics-problems" class="visually-hidden">Checked when saved.</p>`
    }
    <label for="topics-reason">Why this change (kept in the history)</label>
    <input
      id="topics-reason"
      class="reason-input"
      type="text"
      maxlength="500"
      autocomplete="off"
      placeholder="e.g. parking permits go to facilities"
      value=${reason}
      onInput=${(event) => setReason(event.currentTarget.value)}
    />
    <div class="inline-row editor-actions">
      <button id="topics-save" type="button" class="button button-primary" disabled=${saving} onClick=${() => void save()}>
        Save
      </button>
      ${back}
    </div>
    <p class="form-error" role="alert">${saveError}</p>
    <h3>History</h3>
    <ol class="versions">
      ${versions.map(
        (version) => html`<${Version}
          key=${version.version}
          version=${version}
          current=${current.version}
          onRestore=${admin && version.version !== current.version ? restore(version) : undefined}
        />`,
      )}
    </ol>
  </div>`
}
