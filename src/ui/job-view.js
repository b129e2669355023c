// A background job on the chat page: an overall bar (step X of Y), a target bar (done, failed,
// pending), the ETA, the machines being worked on, a live log tail, and each machine's steps on
// click. It opens when a reply carries a job id, or from the address (#job=<id>). The state comes
// from GET /api/jobs/:id, then the numbered events of GET /api/jobs/:id/events, read with fetch
// (an EventSource cannot send the bearer token); after a dropped connection it reconnects with
// Last-Event-ID and misses nothing. Events are applied to a plain state object at once and the
// Preact view is redrawn once per animation frame (keyed machines and log lines: Preact only
// touches the ones that changed), so 200 machines stay smooth.

import {
  html,
  render,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from '/ui/vendor/preact-htm.js'
import { followJobEvents } from './job-stream.js'
import { api, SignInNeeded } from './sign-in.js'

const LOG_LINES = 200
const FINAL = new Set(['succeeded', 'failed', 'skipped', 'unknown', 'cancelled', 'rolled-back'])
const STATE_WORDS = {
  pending: 'waiting',
  running: 'running',
  succeeded: 'done',
  failed: 'failed',
  skipped: 'skipped',
  unknown: 'outcome unknown',
  cancelled: 'cancelled',
  'rolled-back': 'rolled back',
}

/** Opens the job view for `id` (closing any other), and follows it until it ends. */
export function openJob(id) {
  if (!/^[A-Za-z0-9-]{1,80}$/.test(id)) return
  const slot = document.getElementById('job-view-slot')
  if (!slot) return
  // A new key: a new view, which stops following the job before it (its effect's clean-up).
  render(html`<${JobView} key=${id} id=${id} onClose=${() => closeJob(slot, id)} />`, slot)
}

function closeJob(slot, id) {
  render(null, slot)
  if (location.hash === `#job=${id}`) history.replaceState(null, '', location.pathname)
}

/** Opens the job named in the address (`#job=<id>`), if any. */
export function openJobFromAddress() {
  const match = /^#job=([A-Za-z0-9-]{1,80})$/.exec(location.hash)
  if (match) openJob(match[1])
}

function newState(id) {
  return {
    id,
    steps: [],
    targets: [],
    cells: new Map(),
    progress: undefined,
    status: 'running',
    logs: [],
    logsByTarget: new Map(),
    lastEventId: 0,
    lineNumber: 0,
    connection: '',
    error: '',
  }
}

/** The job's state, followed from the server, and a redraw at most once per animation frame. */
function useFollowedJob(id) {
  const state = useRef(newState(id)).current
  const [, setFrame] = useState(0)
  useEffect(() => {
    const controller = new AbortController()
    let frame = 0
    const schedule = () => {
      if (frame) return
      frame = requestAnimationFrame(() => {
        frame = 0
        setFrame((each) => each + 1)
      })
    }
    const fail = (text, status) => {
      state.error = errorWords(text, status)
      schedule()
    }
    void (async () => {
      try {
        const response = await api(`/api/jobs/${encodeURIComponent(id)}`, {
          signal: controller.signal,
        })
        if (!response.ok) return fail(await response.text(), response.status)
        const view = await response.json()
        state.steps = view.steps
        state.targets = view.targets
        for (const cell of view.cells) state.cells.set(key(cell.stepIndex, cell.target), cell)
        state.progress = view.progress
        state.status = view.status
        schedule()
        // From the start: the log lines of the job so far are in its events.
        await followJobEvents({
          id,
          after: state.lastEventId,
          api,
          endsHere: (error) => error instanceof SignInNeeded,
          signal: controller.signal,
          onEvent: (eventId, body) => {
            state.lastEventId = eventId
            apply(state, body)
            schedule()
          },
          onConnection: (text) => {
            state.connection = text
            schedule()
          },
        })
      } catch (error) {
        if (error instanceof SignInNeeded || controller.signal.aborted) return
        fail(error instanceof Error ? error.message : String(error))
      }
    })()
    return () => {
      controller.abort()
      if (frame) cancelAnimationFrame(frame)
    }
  }, [id, state])
  return { state, redraw: () => setFrame((each) => each + 1) }
}

function apply(state, event) {
  switch (event.type) {
    case 'cell':
      state.cells.set(key(event.stepIndex, event.target), event.cell)
      break
    case 'progress':
      state.progress = event
      break
    case 'log':
      for (const line of event.lines) {
        state.lineNumber += 1
        const entry = {
          number: state.lineNumber,
          target: event.target,
          stream: event.stream,
          text: line,
        }
        state.logs.push(entry)
        const own = state.logsByTarget.get(event.target) ?? []
        own.push(entry)
        if (own.length > 50) own.shift()
        state.logsByTarget.set(event.target, own)
      }
      if (state.logs.length > LOG_LINES) state.logs.splice(0, state.logs.length - LOG_LINES)
      break
    case 'cancel-requested':
      state.status = 'cancelling'
      break
    case 'job-ended':
      state.status = event.status
      break
  }
}

function JobView({ id, onClose }) {
  const { state, redraw } = useFollowedJob(id)
  const [selected, setSelected] = useState()
  const [cancelling, setCancelling] = useState(false)
  const cancel = async () => {
    setCancelling(true)
    try {
      const response = await api(`/api/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' })
      if (!response.ok) state.error = errorWords(await response.text(), response.status)
    } catch (error) {
      if (!(error instanceof SignInNeeded)) state.error = String(error)
    } finally {
      setCancelling(false)
      redraw()
    }
  }
  const progress = state.progress
  const steps = state.steps.length
  const stepNumber = progress
    ? Math.min(steps, progress.stepsEnded + (progress.pending > 0 ? 1 : 0))
    : 0
  const stepTitle = state.steps[Math.max(0, stepNumber - 1)]?.title ?? ''
  const stopped = state.status === 'cancelled' || state.status === 'cancelling'
  return html`<section id="job-view" class="job-view" aria-labelledby="job-title">
    <div class="job-head">
      <h2 id="job-title">Job ${id.slice(0, 8)}</h2>
      <span id="job-status" class="job-status" role="status" data-status=${state.status}
        >${statusWords(state.status)}</span
      >
      <span id="job-connection" class="job-connection" aria-live="polite">${state.connection}</span>
      <button
        id="job-cancel"
        type="button"
        class="button button-small button-danger"
        hidden=${state.status !== 'running'}
        disabled=${cancelling}
        onClick=${cancel}
      >
        Cancel job
      </button>
      <button
        id="job-close"
        type="button"
        class="button button-small button-secondary"
        onClick=${onClose}
      >
        Close
      </button>
    </div>
    <p id="job-error" class="job-error" role="alert" hidden=${!state.error}>${state.error}</p>
    <p id="job-step-label" class="job-label">
      ${
        stopped
          ? `Cancelled: ${progress?.stepsEnded ?? 0} of ${steps} steps ended`
          : `Step ${stepNumber} of ${steps}${stepTitle ? `: ${stepTitle}` : ''}`
      }
    </p>
    <${Bar} id="job-step-bar" label="job-step-label" value=${progress?.stepsEnded ?? 0} max=${steps} />
    <${TargetProgress} progress=${progress} status=${state.status} />
    <div class="job-body">
      <div class="job-machines">
        <h3 class="job-subtitle">Machines</h3>
        <ul id="job-targets" class="job-targets" aria-label="Machines: choose one for its steps">
          ${state.targets.map((target) => {
            const summary = targetState(state, target)
            return html`<li key=${target}>
              <button
                type="button"
                class="job-target"
                data-target=${target}
                data-state=${summary}
                title=${`${target}: ${STATE_WORDS[summary] ?? summary}`}
                aria-pressed=${String(selected === target)}
                onClick=${() => setSelected(target)}
              >
                ${target}
              </button>
            </li>`
          })}
        </ul>
      </div>
      <div class="job-side">
        ${selected && html`<${MachineDetail} state=${state} target=${selected} />`}
        <h3 class="job-subtitle">Live log</h3>
        <${Log} lines=${state.logs} />
      </div>
    </div>
  </section>`
}

function Bar({ id, label, value, max }) {
  return html`<div
    id=${id}
    class="job-bar"
    role="progressbar"
    aria-labelledby=${label}
    aria-valuemin="0"
    aria-valuenow=${String(value)}
    aria-valuemax=${String(max)}
  >
    <span class="job-bar-fill" style=${{ width: `${max ? (100 * value) / max : 0}%` }}></span>
  </div>`
}

function TargetProgress({ progress, status }) {
  if (!progress)
    return html`<p id="job-counts" class="job-label"></p>
      <div id="job-target-bar" class="job-bar job-bar-targets" role="progressbar" aria-labelledby="job-counts" aria-valuemin="0"></div>`
  const cancelled = progress.cancelled ?? 0
  const succeeded = progress.done - progress.failed - cancelled
  const total = progress.total || 1
  const share = (count) => ({ width: `${(100 * count) / total}%` })
  const working = progress.current ?? []
  const counts =
    `${succeeded} done · ${progress.failed} failed · ` +
    `${cancelled ? `${cancelled} cancelled · ` : ''}${progress.pending} pending of ${progress.total}`
  return html`<p id="job-counts" class="job-label">${counts}</p>
    <div
      id="job-target-bar"
      class="job-bar job-bar-targets"
      role="progressbar"
      aria-labelledby="job-counts"
      aria-valuemin="0"
      aria-valuenow=${String(progress.done)}
      aria-valuemax=${String(progress.total)}
    >
      <span id="job-bar-done" class="job-bar-fill" style=${share(succeeded)}></span>
      <span id="job-bar-failed" class="job-bar-fill job-bar-failed" style=${share(progress.failed)}></span>
      <span id="job-bar-cancelled" class="job-bar-fill job-bar-cancelled" style=${share(cancelled)}></span>
    </div>
    <p class="job-meta">
      <span id="job-eta" class="job-eta">${etaWords(status, progress.etaMs)}</span>${' '}
      <span id="job-current" class="job-current">
        ${
          working.length === 0
            ? 'No machine being worked on.'
            : `Working on ${working.slice(0, 8).join(', ')}${working.length > 8 ? ` and ${working.length - 8} more` : ''}`
        }
      </span>
    </p>`
}

function MachineDetail({ state, target }) {
  return html`<section id="job-detail" class="job-detail" aria-labelledby="job-detail-title">
    <h3 id="job-detail-title" class="job-subtitle">${target}</h3>
    <ol id="job-detail-steps" class="job-detail-steps">
      ${state.steps.map((step, index) => {
        const cell = state.cells.get(key(index, target)) ?? { state: 'pending' }
        const reasons = [
          cell.reason,
          cell.rollbackError && `rollback failed: ${cell.rollbackError}`,
        ]
        return html`<li key=${index} class="job-detail-step" data-state=${cell.state}>
          <span class="job-detail-name">${index + 1}. ${step.title}</span>
          <span class="job-detail-state">${STATE_WORDS[cell.state] ?? cell.state}</span>
          ${reasons.filter(Boolean).map((text) => html`<p class="job-detail-reason">${text}</p>`)}
        </li>`
      })}
    </ol>
    <ul
      id="job-detail-log"
      class="job-log job-log-short"
      aria-label="This machine's output"
      tabindex="0"
    >
      ${(state.logsByTarget.get(target) ?? []).map((entry) => html`<${LogLine} key=${entry.number} entry=${entry} />`)}
    </ul>
  </section>`
}

/**
 * The last lines of output; it stays scrolled to the bottom while the reader is there. It takes
 * the focus (Tab) so that a keyboard can scroll it.
 */
function Log({ lines }) {
  const list = useRef()
  const atBottom = useRef(true)
  useLayoutEffect(() => {
    if (atBottom.current && list.current) list.current.scrollTop = list.current.scrollHeight
  })
  const remember = () => {
    const element = list.current
    atBottom.current = element.scrollTop + element.clientHeight >= element.scrollHeight - 4
  }
  return html`<ul
    id="job-log"
    class="job-log"
    aria-label="Output, newest last"
    tabindex="0"
    ref=${list}
    onScroll=${remember}
  >
    ${lines.map((entry) => html`<${LogLine} key=${entry.number} entry=${entry} />`)}
  </ul>`
}

function LogLine({ entry }) {
  return html`<li class=${entry.stream === 'stderr' ? 'job-log-line job-log-error' : 'job-log-line'}>
    <span class="job-log-target">${entry.target}</span> ${entry.text}
  </li>`
}

function targetState(state, target) {
  const cells = state.steps.map(
    (_, index) => state.cells.get(key(index, target))?.state ?? 'pending',
  )
  if (cells.includes('running')) return 'running'
  if (cells.includes('failed') || cells.includes('unknown'))
    return cells.includes('unknown') ? 'unknown' : 'failed'
  if (cells.every((each) => FINAL.has(each))) {
    if (cells.every((each) => each === 'cancelled')) return 'cancelled'
    return cells.includes('cancelled') ? 'cancelled' : 'succeeded'
  }
  return cells.some((each) => each !== 'pending') ? 'running' : 'pending'
}

function statusWords(status) {
  return (
    {
      running: 'Running',
      cancelling: 'Cancelling…',
      succeeded: 'Finished',
      failed: 'Finished with failures',
      cancelled: 'Cancelled',
    }[status] ?? status
  )
}

function etaWords(status, etaMs) {
  if (status !== 'running') return ''
  if (etaMs === null || etaMs === undefined) return 'Estimating time left…'
  const seconds = Math.max(1, Math.round(etaMs / 1000))
  return seconds < 90 ? `About ${seconds} s left` : `About ${Math.round(seconds / 60)} min left`
}

function errorWords(text, status) {
  if (status === 404) return 'This job does not exist or is not yours to see.'
  try {
    return JSON.parse(text).error?.message ?? text
  } catch {
    return text
  }
}

function key(stepIndex, target) {
  return `${stepIndex} ${target}`
}
