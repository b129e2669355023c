// The jobs screen (/jobs, technicians and admins): every job with filters (status, requester,
// task or operation, machine, dates), and one job's steps and per-machine results. A background
// workflow job is followed live through its progress events and can be cancelled (confirmed); a
// chat plan's run is shown as the audit trail tells it. The open job is in the address
// (#job=<id> or #run=<id>), so a link opens it.

import { html, useEffect, useRef, useState } from '/ui/vendor/preact-htm.js'
import { followJobEvents } from '../job-stream.js'
import { ConfirmDialog, describe, ErrorLine, StatusBadge, useApi, when, words } from './parts.js'
import { api, problem, SignInNeeded } from './session.js'
import { mountScreen } from './shell.js'

const STATUSES = [
  'running',
  'cancelling',
  'awaiting_approval',
  'succeeded',
  'failed',
  'cancelled',
  'denied',
  'refused',
  'interrupted',
]
const EMPTY_FILTERS = { status: '', requester: '', task: '', machine: '', from: '', to: '' }
const SHOWN_TARGETS = 200

/** The API query of the filters; the "to" date is inclusive on the page, exclusive on the API. */
function queryOf(filters) {
  const query = new URLSearchParams()
  for (const name of ['status', 'requester', 'task', 'machine', 'from']) {
    const value = filters[name].trim()
    if (value) query.set(name, value)
  }
  if (filters.to) {
    const next = new Date(`${filters.to}T00:00:00Z`)
    next.setUTCDate(next.getUTCDate() + 1)
    query.set('to', next.toISOString().slice(0, 10))
  }
  query.set('limit', '100')
  return query.toString()
}

function openedFromAddress() {
  const match = /^#(job|run)=([A-Za-z0-9-]{1,80})$/.exec(location.hash)
  return match ? { kind: match[1] === 'job' ? 'workflow' : 'run', id: match[2] } : undefined
}

/** Workflows and chat runs in one list, newest first. */
function rowsOf(data) {
  const workflows = (data?.workflows ?? []).map((job) => ({
    kind: 'workflow',
    id: job.id,
    status: job.status,
    requester: job.requester,
    task: job.steps.map((step) => step.operation).join(', '),
    title: job.steps.map((step) => step.title).join(' · '),
    machines: job.targets === 1 ? job.someTargets[0] : `${job.targets} machines`,
    started: job.createdAt,
  }))
  const runs = (data?.jobs ?? []).map((job) => ({
    kind: 'run',
    id: job.id,
    status: job.status,
    requester: job.requester,
    task: job.taskType,
    title: `Chat plan: ${words(job.taskType)}`,
    machines: [...new Set(job.steps.flatMap((step) => (step.target ? [step.target] : [])))].join(
      ', ',
    ),
    started: job.startedAt,
    job,
  }))
  return [...workflows, ...runs].sort((a, b) => b.started.localeCompare(a.started))
}

function Filters({ initial, onApply }) {
  const [draft, setDraft] = useState(initial)
  const field = (name) => ({
    id: `filter-${name}`,
    value: draft[name],
    onInput: (event) => setDraft({ ...draft, [name]: event.currentTarget.value }),
  })
  const submit = (event) => {
    event.preventDefault()
    onApply(draft)
  }
  const reset = () => {
    setDraft(EMPTY_FILTERS)
    onApply(EMPTY_FILTERS)
  }
  return html`<form class="ws-filters" role="search" aria-label="Filter jobs" onSubmit=${submit}>
    <div>
      <label for="filter-status">Status</label>
      <select ...${field('status')} onChange=${field('status').onInput}>
        <option value="">Any</option>
        ${STATUSES.map((status) => html`<option value=${status}>${words(status)}</option>`)}
      </select>
    </div>
    <div>
      <label for="filter-requester">Requester</label>
      <input ...${field('requester')} autocomplete="off" spellcheck="false" />
    </div>
    <div>
      <label for="filter-task">Task or operation</label>
      <input ...${field('task')} placeholder="service.restart" autocomplete="off" spellcheck="false" />
    </div>
    <div>
      <label for="filter-machine">Machine</label>
      <input ...${field('machine')} autocomplete="off" spellcheck="false" />
    </div>
    <div>
      <label for="filter-from">From</label>
      <input type="date" ...${field('from')} />
    </div>
    <div>
      <label for="filter-to">To</label>
      <input type="date" ...${field('to')} />
    </div>
    <div class="ws-actions">
      <button type="submit" class="button button-primary">Apply</button>
      <button type="button" class="button button-secondary" onClick=${reset}>Reset</button>
    </div>
  </form>`
}

function JobList({ rows, opened, onOpen }) {
  if (rows.length === 0) return html`<p class="ws-note">No job matches these filters.</p>`
  return html`<div class="ws-table-wrap" tabindex="0" role="region" aria-label="Jobs, newest first">
    <table class="ws-table">
      <thead>
        <tr>
          <th scope="col">Job</th>
          <th scope="col">Status</th>
          <th scope="col">Requester</th>
          <th scope="col" class="ws-hide-narrow">Machines</th>
          <th scope="col" class="ws-hide-narrow">Started</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (
            row,
          ) => html`<tr key=${row.id} aria-current=${opened?.id === row.id ? 'true' : undefined}>
            <td>
              <button
                type="button"
                class="ws-link-button"
                data-job=${row.id}
                onClick=${() => onOpen(row)}
              >
                ${row.title}
              </button>
              <div class="ws-mono">${row.id.slice(0, 8)} · ${row.task}</div>
            </td>
            <td><${StatusBadge} status=${row.status} /></td>
            <td>${row.requester}</td>
            <td class="ws-hide-narrow">${row.machines}</td>
            <td class="ws-hide-narrow">${when(row.started)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`
}

function JobsScreen() {
  const [filters, setFilters] = useState(EMPTY_FILTERS)
  const [opened, setOpened] = useState(openedFromAddress())
  const { data, error, loading, reload } = useApi(`/api/jobs?${queryOf(filters)}`)
  useEffect(() => {
    const onHash = () => setOpened(openedFromAddress())
    window.addEventListener('hashchange', onHash)
    return () => window.removeEventListener('hashchange', onHash)
  }, [])
  const open = (row) => {
    history.replaceState(null, '', `#${row.kind === 'workflow' ? 'job' : 'run'}=${row.id}`)
    setOpened({ kind: row.kind, id: row.id })
  }
  const rows = rowsOf(data)
  const run = opened?.kind === 'run' ? rows.find((row) => row.id === opened.id)?.job : undefined
  return html`<${Filters} initial=${filters} onApply=${setFilters} />
    <div class="ws-two">
      <section aria-labelledby="jobs-list-title">
        <div class="ws-actions">
          <h2 id="jobs-list-title">Jobs</h2>
          <button type="button" class="button button-small" onClick=${reload}>Refresh</button>
          <span class="ws-note" role="status">${loading ? 'Loading…' : `${rows.length} shown`}</span>
        </div>
        <${ErrorLine} error=${error && `Could not load the jobs: ${error}`} />
        ${data && html`<${JobList} rows=${rows} opened=${opened} onOpen=${open} />`}
      </section>
      ${opened?.kind === 'workflow' && html`<${WorkflowJob} key=${opened.id} id=${opened.id} onChange=${reload} />`}
      ${
        opened?.kind === 'run' &&
        (run
          ? html`<${ChatRun} key=${opened.id} job=${run} />`
          : html`<p class="ws-note">That chat plan's run is not in this list: change the filters.</p>`)
      }
    </div>`
}

/** A chat plan's run: its steps as the audit trail recorded them. */
function ChatRun({ job }) {
  const heading = useRef()
  useEffect(() => heading.current?.focus(), [job.id])
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
function WorkflowJob({ id, onChange }) {
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
  useEffect(() => {
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

mountScreen({
  screen: 'jobs',
  title: 'Jobs',
  intro: 'Background jobs on machines and the runs of chat plans, newest first.',
  Screen: JobsScreen,
})
