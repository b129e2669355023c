// The jobs screen (/jobs, technicians and admins): every job with filters (status, requester,
// task or operation, machine, dates), and one job's steps and per-machine results. A background
// workflow job is followed live through its progress events and can be cancelled (confirmed); a
// chat plan's run is shown as the audit trail tells it. The open job is in the address
// (#job=<id> or #run=<id>), so a link opens it.

import { html, useEffect, useState } from '/ui/vendor/preact-htm.js'
import { ChatRun, WorkflowJob } from './job-detail.js'
import { ErrorLine, StatusBadge, useApi, when, words } from './parts.js'
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

mountScreen({
  screen: 'jobs',
  title: 'Jobs',
  intro: 'Background jobs on machines and the runs of chat plans, newest first.',
  Screen: JobsScreen,
})
