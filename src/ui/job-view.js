// A background job on the chat page: an overall bar (step X of Y), a target bar (done, failed,
// pending), the ETA, the machines being worked on, a live log tail, and each machine's steps on
// click. It opens when a reply carries a job id, or from the address (#job=<id>). The state comes
// from GET /api/jobs/:id, then the numbered events of GET /api/jobs/:id/events, read with fetch
// (an EventSource cannot send the bearer token); after a dropped connection it reconnects with
// Last-Event-ID and misses nothing. Events are applied at once but drawn once per animation
// frame, and only the machines that changed are redrawn, so 200 machines stay smooth.

import { followJobEvents } from './job-stream.js'
import { api, SignInNeeded } from './sign-in.js'

const $ = (id) => document.getElementById(id)
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

let current

/** Opens the job view for `id` (closing any other), and follows it until it ends. */
export function openJob(id) {
  if (!/^[A-Za-z0-9-]{1,80}$/.test(id)) return
  current?.stop()
  current = followJob(id)
}

/** Opens the job named in the address (`#job=<id>`), if any. */
export function openJobFromAddress() {
  const match = /^#job=([A-Za-z0-9-]{1,80})$/.exec(location.hash)
  if (match) openJob(match[1])
}

function followJob(id) {
  const panel = $('job-view')
  const controller = new AbortController()
  const state = {
    id,
    steps: [],
    targets: [],
    cells: new Map(),
    progress: undefined,
    status: 'running',
    logs: [],
    logsByTarget: new Map(),
    lastEventId: 0,
    selected: undefined,
    dirtyTargets: new Set(),
    logAdded: [],
    everything: true,
  }
  let frame = 0
  const schedule = () => {
    if (frame) return
    frame = requestAnimationFrame(() => {
      frame = 0
      draw(state)
    })
  }
  panel.hidden = false
  $('job-title').textContent = `Job ${id.slice(0, 8)}`
  $('job-close').onclick = () => {
    controller.abort()
    panel.hidden = true
    if (location.hash === `#job=${id}`) history.replaceState(null, '', location.pathname)
  }
  $('job-cancel').onclick = () => void cancel(state)
  $('job-targets').onclick = (event) => {
    const button = event.target.closest('button[data-target]')
    if (!button) return
    state.selected = button.dataset.target
    state.everything = true
    schedule()
  }
  void (async () => {
    try {
      const response = await api(`/api/jobs/${encodeURIComponent(id)}`, {
        signal: controller.signal,
      })
      if (!response.ok) return showError(await response.text(), response.status)
      const view = await response.json()
      state.steps = view.steps
      state.targets = view.targets
      for (const cell of view.cells) state.cells.set(key(cell.stepIndex, cell.target), cell)
      state.progress = view.progress
      state.status = view.status
      schedule()
      // From the start: the log lines of the job so far are in its events.
      await stream(state, controller.signal, schedule)
    } catch (error) {
      if (error instanceof SignInNeeded || controller.signal.aborted) return
      showError(error instanceof Error ? error.message : String(error))
    }
  })()
  return { stop: () => controller.abort() }
}

async function stream(state, signal, schedule) {
  await followJobEvents({
    id: state.id,
    after: state.lastEventId,
    api,
    endsHere: (error) => error instanceof SignInNeeded,
    signal,
    onEvent: (id, body) => {
      state.lastEventId = id
      apply(state, body)
      schedule()
    },
    onConnection: (text) => {
      $('job-connection').textContent = text
    },
  })
}

function apply(state, event) {
  switch (event.type) {
    case 'cell':
      state.cells.set(key(event.stepIndex, event.target), event.cell)
      state.dirtyTargets.add(event.target)
      break
    case 'progress':
      state.progress = event
      break
    case 'log':
      for (const line of event.lines) {
        const entry = { target: event.target, stream: event.stream, text: line }
        state.logs.push(entry)
        state.logAdded.push(entry)
        const own = state.logsByTarget.get(event.target) ?? []
        own.push(entry)
        if (own.length > 50) own.shift()
        state.logsByTarget.set(event.target, own)
      }
      if (state.logs.length > LOG_LINES) state.logs.splice(0, state.logs.length - LOG_LINES)
      break
    case 'target-failed':
      state.dirtyTargets.add(event.target)
      break
    case 'cancel-requested':
      state.status = 'cancelling'
      break
    case 'job-ended':
      state.status = event.status
      break
  }
}

function draw(state) {
  const progress = state.progress
  const steps = state.steps.length
  const stepNumber = progress
    ? Math.min(steps, progress.stepsEnded + (progress.pending > 0 ? 1 : 0))
    : 0
  $('job-status').textContent = statusWords(state.status)
  $('job-status').dataset.status = state.status
  $('job-cancel').hidden = !(state.status === 'running')
  const stepTitle = state.steps[Math.max(0, stepNumber - 1)]?.title ?? ''
  const stopped = state.status === 'cancelled' || state.status === 'cancelling'
  $('job-step-label').textContent = stopped
    ? `Cancelled: ${progress?.stepsEnded ?? 0} of ${steps} steps ended`
    : `Step ${stepNumber} of ${steps}${stepTitle ? `: ${stepTitle}` : ''}`
  setBar($('job-step-bar'), progress ? progress.stepsEnded : 0, steps)
  if (progress) {
    const cancelled = progress.cancelled ?? 0
    const succeeded = progress.done - progress.failed - cancelled
    const total = progress.total || 1
    $('job-bar-done').style.width = `${(100 * succeeded) / total}%`
    $('job-bar-failed').style.width = `${(100 * progress.failed) / total}%`
    $('job-bar-cancelled').style.width = `${(100 * cancelled) / total}%`
    $('job-target-bar').setAttribute('aria-valuenow', String(progress.done))
    $('job-target-bar').setAttribute('aria-valuemax', String(progress.total))
    const cancelledWords = cancelled ? `${cancelled} cancelled · ` : ''
    $('job-counts').textContent =
      `${succeeded} done · ${progress.failed} failed · ${cancelledWords}${progress.pending} pending of ${progress.total}`
    $('job-eta').textContent = etaWords(state.status, progress.etaMs)
    const currentTargets = progress.current ?? []
    $('job-current').textContent =
      currentTargets.length === 0
        ? 'No machine being worked on.'
        : `Working on ${currentTargets.slice(0, 8).join(', ')}${currentTargets.length > 8 ? ` and ${currentTargets.length - 8} more` : ''}`
  }
  drawTargets(state)
  drawLog(state)
  drawDetail(state)
  state.everything = false
}

function drawTargets(state) {
  const list = $('job-targets')
  if (list.dataset.job !== state.id) {
    list.dataset.job = state.id
    list.replaceChildren(
      ...state.targets.map((target) => {
        const item = document.createElement('li')
        const button = document.createElement('button')
        button.type = 'button'
        button.className = 'job-target'
        button.dataset.target = target
        button.textContent = target
        item.append(button)
        return item
      }),
    )
    for (const target of state.targets) state.dirtyTargets.add(target)
  }
  for (const target of state.dirtyTargets) {
    const button = list.querySelector(`button[data-target="${CSS.escape(target)}"]`)
    if (!button) continue
    const summary = targetState(state, target)
    button.dataset.state = summary
    button.title = `${target}: ${STATE_WORDS[summary] ?? summary}`
    button.setAttribute('aria-pressed', String(state.selected === target))
  }
  if (state.everything)
    for (const button of list.querySelectorAll('button[data-target]'))
      button.setAttribute('aria-pressed', String(state.selected === button.dataset.target))
  state.dirtyTargets.clear()
}

function drawLog(state) {
  const log = $('job-log')
  if (state.logAdded.length === 0) return
  const stick = log.scrollTop + log.clientHeight >= log.scrollHeight - 4
  const fragment = document.createDocumentFragment()
  for (const entry of state.logAdded.slice(-LOG_LINES)) fragment.append(logLine(entry))
  log.append(fragment)
  while (log.childElementCount > LOG_LINES) log.firstElementChild.remove()
  state.logAdded = []
  if (stick) log.scrollTop = log.scrollHeight
}

function drawDetail(state) {
  const detail = $('job-detail')
  const target = state.selected
  if (!target) {
    detail.hidden = true
    return
  }
  detail.hidden = false
  $('job-detail-title').textContent = target
  const rows = state.steps.map((step, index) => {
    const cell = state.cells.get(key(index, target)) ?? { state: 'pending' }
    const row = document.createElement('li')
    row.className = 'job-detail-step'
    row.dataset.state = cell.state
    const name = document.createElement('span')
    name.className = 'job-detail-name'
    name.textContent = `${index + 1}. ${step.title}`
    const word = document.createElement('span')
    word.className = 'job-detail-state'
    word.textContent = STATE_WORDS[cell.state] ?? cell.state
    row.append(name, word)
    for (const text of [
      cell.reason,
      cell.rollbackError && `rollback failed: ${cell.rollbackError}`,
    ]) {
      if (!text) continue
      const reason = document.createElement('p')
      reason.className = 'job-detail-reason'
      reason.textContent = text
      row.append(reason)
    }
    return row
  })
  $('job-detail-steps').replaceChildren(...rows)
  $('job-detail-log').replaceChildren(...(state.logsByTarget.get(target) ?? []).map(logLine))
}

async function cancel(state) {
  const button = $('job-cancel')
  button.disabled = true
  try {
    const response = await api(`/api/jobs/${encodeURIComponent(state.id)}/cancel`, {
      method: 'POST',
    })
    if (!response.ok) showError(await response.text(), response.status)
  } catch (error) {
    if (!(error instanceof SignInNeeded)) showError(String(error))
  } finally {
    button.disabled = false
  }
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

function logLine(entry) {
  const line = document.createElement('li')
  line.className = entry.stream === 'stderr' ? 'job-log-line job-log-error' : 'job-log-line'
  const who = document.createElement('span')
  who.className = 'job-log-target'
  who.textContent = entry.target
  line.append(who, ` ${entry.text}`)
  return line
}

function setBar(bar, value, max) {
  bar.setAttribute('aria-valuenow', String(value))
  bar.setAttribute('aria-valuemax', String(max))
  bar.firstElementChild.style.width = `${max ? (100 * value) / max : 0}%`
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

function showError(text, status) {
  let message = text
  try {
    message = JSON.parse(text).error?.message ?? text
  } catch {
    // plain text
  }
  $('job-error').textContent =
    status === 404 ? 'This job does not exist or is not yours to see.' : message
  $('job-error').hidden = false
}

function key(stepIndex, target) {
  return `${stepIndex} ${target}`
}
