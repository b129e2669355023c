/**
 * The parts of a job's life that do not depend on where it runs, shared by the embedded and the
 * distributed engine: storing a new job (audited first), its view, following its events,
 * taking over a job whose runner stopped, and ending a job that nothing runs.
 * @module
 */
import { randomUUID } from 'node:crypto'
import type { AuditLog, AuditValue } from '../audit/audit-log.ts'
import type { Inventory } from '../inventory/inventory.ts'
import type { Workflow } from '../operations/workflow.ts'
import type { StartJobOptions } from './job-engine.ts'
import {
  FINAL_CELL_STATES,
  type JobCell,
  type JobEvent,
  type JobEventBody,
  type JobRecord,
  type JobStatus,
  type JobView,
} from './job-model.ts'
import type { TargetTimes } from './job-progress.ts'
import { finishJob, progressOf } from './job-run.ts'
import type { CellChange, JobStore } from './job-store.ts'
import { checkWorkflow } from './workflow-checks.ts'

export type Emit = (id: string, body: JobEventBody) => Promise<void>

export const ENDED: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled'])
const FOLLOW_BATCH = 500

/**
 * Checks the workflow, audits its start (every script, once), stores it with every cell pending
 * and tells `job-started`. Nothing is stored when a check refuses it.
 */
export async function storeNewJob(
  workflow: Workflow,
  options: StartJobOptions,
  context: {
    inventory: Inventory
    audit: AuditLog
    store: JobStore
    emit: Emit
    concurrency: number
  },
): Promise<JobRecord> {
  checkWorkflow(workflow, options, context.inventory)
  const at = new Date().toISOString()
  const record: JobRecord = {
    id: randomUUID(),
    // Stored whole: the job runs these very scripts, after a restart or on another worker too.
    workflow: {
      steps: workflow.steps,
      targets: workflow.targets.map((name) => context.inventory.find(name)?.name ?? name),
      continueOnFailure: workflow.continueOnFailure,
    },
    requester: options.requester,
    actor: options.actor ?? options.requester,
    ...(options.approval ? { approval: options.approval } : {}),
    ...(options.sessionId ? { sessionId: options.sessionId } : {}),
    concurrency: options.concurrency ?? context.concurrency,
    status: 'running',
    createdAt: at,
    updatedAt: at,
  }
  // The whole workflow, every script, once: each execution's record names its script by hash.
  await context.audit.append({
    actor: record.actor,
    action: 'job-start',
    requestId: record.id,
    detail: {
      requester: record.requester,
      taskType: 'workflow',
      jobId: record.id,
      targets: [...record.workflow.targets],
      continueOnFailure: record.workflow.continueOnFailure,
      steps: record.workflow.steps.map((step) => JSON.parse(JSON.stringify(step)) as AuditValue),
      approval: record.approval
        ? { id: record.approval.id, approver: record.approval.approver, via: record.approval.via }
        : null,
    },
  })
  await context.store.create(record)
  await context.emit(record.id, {
    type: 'job-started',
    steps: workflow.steps.map((step) => ({ id: step.id, title: step.title })),
    targets: workflow.targets.length,
  })
  return record
}

/** The view of a stored job; `live` is this process's run of it, when it runs here. */
export async function jobView(
  store: JobStore,
  id: string,
  live?: { cells: JobCell[]; times: TargetTimes },
): Promise<JobView | undefined> {
  const record = await store.get(id)
  if (!record) return undefined
  const cells = live ? live.cells : await store.cells(id)
  const lastEventId = await store.lastEventId(id)
  // Its runner stores `job-ended` a moment before the status (`finishJob`): a client that saw that
  // event and asks at once is told the end, not `running`.
  let ended: { status: JobStatus; at: string } | undefined
  if (!ENDED.has(record.status)) {
    const [last] = await store.eventsAfter(id, lastEventId - 1, 1)
    if (last?.type === 'job-ended') ended = { status: last.status, at: last.at }
  }
  const endedAt = ended?.at ?? record.endedAt
  return {
    id,
    kind: 'workflow',
    requester: record.requester,
    actor: record.actor,
    status: ended?.status ?? record.status,
    createdAt: record.createdAt,
    updatedAt: ended?.at ?? record.updatedAt,
    ...(endedAt ? { endedAt } : {}),
    steps: record.workflow.steps.map((step) => ({
      id: step.id,
      title: step.title,
      operation: step.operation,
      risk: step.risk,
      changes: step.changes,
    })),
    targets: [...record.workflow.targets],
    cells,
    progress: progressOf(record, cells, live?.times),
    lastEventId,
  }
}

/**
 * Events after `afterId` from the store, then each new one as `waitForEvent` says there may be
 * one (a wake-up in this process, a notification from another, or a poll), until `job-ended`.
 */
export async function* followJob(
  store: JobStore,
  id: string,
  afterId: number,
  options: {
    waitForEvent(signal?: AbortSignal): { promise: Promise<void>; cancel(): void }
    /** Whether this process still runs the job (its status may read ended before it stops). */
    runsHere(): boolean
    signal?: AbortSignal
  },
): AsyncIterable<JobEvent> {
  let last = afterId
  const { signal } = options
  while (!signal?.aborted) {
    // Armed before reading, so an event stored between the read and the wait still wakes it.
    const woken = options.waitForEvent(signal)
    // The record before the events: a job is marked ended only after its last event is
    // stored, so when it reads ended here, the read below has every event.
    const record = await store.get(id)
    const ended = !record || (ENDED.has(record.status) && !options.runsHere())
    const batch = await store.eventsAfter(id, last, FOLLOW_BATCH)
    for (const event of batch) {
      last = event.id
      yield event
      if (event.type === 'job-ended') {
        woken.cancel()
        return
      }
    }
    if (batch.length === FOLLOW_BATCH) {
      woken.cancel()
      continue
    }
    if (ended) {
      woken.cancel()
      return
    }
    await woken.promise
  }
}

/**
 * Takes over a job whose runner stopped (a restart, a killed worker): its cells left `running`
 * become `unknown` (never run again) and `job-resumed` tells how many.
 * @returns the record to run again, or undefined when it had in fact ended (its status is fixed)
 */
export async function takeOverJob(
  store: JobStore,
  emit: Emit,
  id: string,
  log: (line: string) => void,
  who = 'the server',
): Promise<JobRecord | undefined> {
  const record = await store.get(id)
  if (!record) return undefined
  const [lastEvent] = await store.eventsAfter(id, (await store.lastEventId(id)) - 1, 1)
  if (lastEvent?.type === 'job-ended') {
    // Stopped between its last event and its status: it had ended.
    await store.setStatus(id, lastEvent.status, lastEvent.at)
    return undefined
  }
  if (ENDED.has(record.status)) return undefined
  let unknown = 0
  for (const cell of await store.cells(id)) {
    if (cell.state !== 'running') continue
    unknown++
    const change: CellChange = {
      ...(cell.startedAt ? { startedAt: cell.startedAt } : {}),
      ...(cell.phase ? { phase: cell.phase } : {}),
      state: 'unknown',
      reason: `${who} stopped while this ran: its outcome is unknown and it is not run again`,
      endedAt: new Date().toISOString(),
    }
    await store.updateCell(id, cell.stepIndex, cell.target, change)
    await emit(id, {
      type: 'cell',
      stepIndex: cell.stepIndex,
      stepId: record.workflow.steps[cell.stepIndex]?.id ?? '',
      target: cell.target,
      cell: { stepIndex: cell.stepIndex, target: cell.target, ...change },
    })
  }
  await emit(id, { type: 'job-resumed', unknown })
  log(`job ${id}: resumed after ${who} stopped (${unknown} step(s) of unknown outcome)`)
  return record
}

/** Ends a cancelled job that nothing runs: running cells `unknown`, pending ones `cancelled`. */
export async function endUnrunJob(store: JobStore, emit: Emit, id: string): Promise<void> {
  for (const cell of await store.cells(id)) {
    if (FINAL_CELL_STATES.has(cell.state)) continue
    const change: CellChange =
      cell.state === 'running'
        ? { state: 'unknown', reason: 'the server stopped while this ran; its outcome is unknown' }
        : { state: 'cancelled', reason: 'the job was cancelled before it ran here' }
    await store.updateCell(id, cell.stepIndex, cell.target, change)
  }
  await finishJob(store, emit, id, 'cancelled', 0)
}
