// One job on the jobs screen: a background workflow job followed live through its progress
// events (steps on each machine, cancel after a confirmation), or a chat plan's run as the audit
// trail tells it.

import { html, useEffect, useLayoutEffect, useRef, useState } from '/ui/vendor/preact-htm.js'
import { followJobEvents } from '../job-stream.js'
import { ConfirmDialog, describe, ErrorLine, StatusBadge, when, words } from './parts.js'
import { api, problem, SignInNeeded } from './session.js'

const SHOWN_TARGETS = 200

/** A chat plan's run: its steps as the audit trail recorded them. */
export function ChatRun({ job }) {
  const heading = useRef()
  useLayoutEffect(() => heading.current?.focus(), [job.id])
  return html`<section class="ws-panel" aria-labelledby="job-title">
    <h2 id="job-title" tabindex="-1" ref=${heading}>Chat plan: ${words(job.taskType)}</h2>
    <dl class="ws-facts">
      <dt>Status</dt><dd><${StatusBadge} status=${job.status} /></dd>
      <dt>Requester</dt><dd>${job.requester}</dd>
      <dt>Started</dt><dd>${when(job.startedAt)}</dd>
      <dt>Job id</dt><dd class="ws-mono">${job.id}</dd>
    </dl>
    <h3>Steps</h3>
    <div class="ws-table-wrap" tabindex="0" role="region" aria-label="Steps of this run">
      <table class="ws-table">
        <thead><tr><th scope="col">Step</th><th scope="col">Machine or account</th><th scope="col">Result</th><th scope="col">By</th></tr></thead>
        <tbody>
          ${job.steps.map(
            (step) => html`<tr key=${`${step.stepId} ${step.target ?? ''}`}>
              <td class="ws-mono">${step.stepId}</td>
              <td>${step.target ?? ''}</td>
              <td><${StatusBadge} status=${step.status} />${step.errorCode ? html` <span class="ws-mono">${step.errorCode}</span>` : ''}</td>
              <td>${step.actor}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`
}

/** A background workflow job: its view, then its events live until it ends. */
export function WorkflowJob({ id, onChange }) {
  const [view, setView] = useState()
  const [error, setError] = useState('')
  const [connection, setConnection] = useState('')
  const [asking, setAsking] = useState(false)
  const [notice, setNotice] = useState('')
  const [, setFrame] = useState(0)
  const live = useRef()
  const heading = useRef()
  const cancelButton = useRef()

  useEffect(() => {
    const controller = new AbortController()
    let frame = 0
    // Events are applied at once and drawn once per animation frame.
    const draw = () => {
      if (frame) return
      frame = requestAnimationFrame(() => {
        frame = 0
        setFrame((each) => each + 1)
      })
    }
    void (async () => {
      try {
        const response = await api(`/api/jobs/${encodeURIComponent(id)}`, {
          signal: controller.signal,
        })
        if (!response.ok)
          throw new Error(
            response.status === 404 ? 'This job does not exist.' : await problem(response),
          )
        const body = await response.json()
        const cells = new Map(body.cells.map((cell) => [`${cell.stepIndex} ${cell.target}`, cell]))
        live.current = { ...body, cells }
        setView(live.current)
        if (body.status !== 'running' && body.status !== 'cancelling') return
        await followJobEvents({
          id,
          after: body.lastEventId,
          api,
          endsHere: (problem) => problem instanceof SignInNeeded,
          signal: controller.signal,
          onConnection: setConnection,
          onEvent: (_, event) => {
            const state = live.current
            if (event.type === 'cell')
              state.cells.set(`${event.stepIndex} ${event.target}`, event.cell)
            else if (event.type === 'progress') state.progress = event
            else if (event.type === 'cancel-requested') state.status = 'cancelling'
            else if (event.type === 'job-ended') {
              state.status = event.status
              onChange()
            }
            draw()
          },
        })
      } catch (problem) {
        if (problem instanceof SignInNeeded || controller.signal.aborted) return
        setError(describe(problem))
      }
    })()
    return () => {
      controller.abort()
      cancelAnimationFrame(frame)
    }
  }, [id])

  // The opened job's heading takes the focus once it is drawn (keyboard and screen-reader users
  // land on what they opened).
  const loaded = view !== undefined
  // In the same task as the heading appears (tickets.js says why).
  useLayoutEffect(() => {
    if (loaded) heading.current?.focus()
  }, [loaded])

  const cancel = async () => {
    setAsking(false)
    try {
      const response = await api(`/api/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' })
      if (!response.ok) throw new Error(await problem(response))
      const body = await response.json()
      setNotice(
        body.cancelled
          ? 'Cancel requested: running commands are being stopped.'
          : 'The job had already ended.',
      )
    } catch (problem) {
      if (!(problem instanceof SignInNeeded)) setError(`Could not cancel: ${describe(problem)}`)
    }
  }

  if (error) return html`<section class="ws-panel"><${ErrorLine} error=${error} /></section>`
  if (!view)
    return html`<section class="ws-panel"><p class="ws-note" role="status">Loading the job…</p></section>`
  const state = live.current
  const progress = state.progress
  const running = state.status === 'running'
  const shown = state.targets.slice(0, SHOWN_TARGETS)
  return html`<section class="ws-panel" aria-labelledby="job-title">
    <h2 id="job-title" tabindex="-1" ref=${heading}>
      ${state.steps.map((step) => step.title).join(' · ')}
    </h2>
    <dl class="ws-facts">
      <dt>Status</dt><dd><${StatusBadge} status=${state.status} /> <span role="status">${connection}</span></dd>
      <dt>Requester</dt><dd>${state.requester} (started by ${state.actor})</dd>
      <dt>Started</dt><dd>${when(state.createdAt)}</dd>
      <dt>Progress</dt>
      <dd aria-live="polite">
        ${
          progress
            ? `${progress.done - progress.failed - (progress.cancelled ?? 0)} done · ${progress.failed} failed · ${progress.cancelled ?? 0} cancelled · ${progress.pending} pending of ${progress.total}`
            : ''
        }
      </dd>
      <dt>Job id</dt><dd class="ws-mono">${state.id}</dd>
    </dl>
    <div class="ws-actions">
      ${
        running &&
        html`<button type="button" class="button button-secondary ws-cancel-job" ref=${cancelButton} onClick=${() => setAsking(true)}>
        Cancel job…
      </button>`
      }
      <p class="ws-note" role="status">${notice}</p>
    </div>
    <h3>Steps on each machine</h3>
    <div class="ws-table-wrap" tabindex="0" role="region" aria-label="Results by machine">
      <table class="ws-table">
        <thead>
          <tr>
            <th scope="col">Machine</th>
            ${state.steps.map((step, index) => html`<th scope="col" key=${step.id}>${index + 1}. ${step.title}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${shown.map(
            (target) => html`<tr key=${target}>
              <th scope="row" class="ws-mono">${target}</th>
              ${state.steps.map((step, index) => {
                const cell = state.cells.get(`${index} ${target}`) ?? { state: 'pending' }
                return html`<td key=${step.id}>
                  <${StatusBadge} status=${cell.state} />
                  ${cell.reason && html`<div class="ws-note">${cell.reason}</div>`}
                </td>`
              })}
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${
      state.targets.length > SHOWN_TARGETS &&
      html`<p class="ws-note">The first ${SHOWN_TARGETS} of ${state.targets.length} machines are shown.</p>`
    }
    <${ConfirmDialog}
      open=${asking}
      title="Cancel this job?"
      confirmLabel="Yes, cancel the job"
      onConfirm=${cancel}
      onClose=${() => {
        setAsking(false)
        cancelButton.current?.focus()
      }}
    >
      <p>
        Commands running now on ${progress ? progress.current.length : 0} machine(s) are stopped and
        the ${progress ? progress.pending : 0} machine(s) not finished are recorded as cancelled. Steps
        already done are not undone.
      </p>
    <//>
  </section>`
}
