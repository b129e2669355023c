/**
 * The embedded job engine: jobs run in the server process on a bounded pool of targets, their
 * state and events in the project store (`JobStore`), see `JobEngine` for the contract.
 * @module
 */
import { randomUUID } from 'node:crypto'
import type { AuditLog, AuditValue } from '../audit/audit-log.ts'
import type { Inventory } from '../inventory/inventory.ts'
import type { Workflow } from '../operations/workflow.ts'
import { EventWaiters } from './event-waiters.ts'
import type { JobEngine, StartJobOptions } from './job-engine.ts'
import {
  FINAL_CELL_STATES,
  type JobCell,
  type JobEvent,
  type JobEventBody,
  type JobListFilter,
  type JobRecord,
  type JobStatus,
  type JobSummary,
  type JobView,
  summarizeJob,
} from './job-model.ts'
import { jobProgress, type TargetTimes } from './job-progress.ts'
import type { CellChange, JobStore } from './job-store.ts'
import { runTarget } from './target-run.ts'
import { checkWorkflow } from './workflow-checks.ts'
import { platformOf, type WorkflowScriptRunner } from './workflow-script-runner.ts'

export interface EmbeddedJobEngineOptions {
  store: JobStore
  runner: WorkflowScriptRunner
  /** Where the job's start (its whole workflow) is recorded; the runner records each script. */
  audit: AuditLog
  inventory: Inventory
  /** Targets at once when a job does not say (default 20). */
  concurrency?: number
  /** How often a follower looks at the store when nothing woke it (another writer), ms. */
  pollMs?: number
  log?: (line: string) => void
}

/** A job running in this process. */
interface ActiveJob {
  record: JobRecord
  cells: Map<string, JobCell>
  controller: AbortController
  times: { finished: number[]; running: Map<string, number> }
  startedSteps: Set<number>
  endedSteps: Set<number>
  done: Promise<void>
  began: number
}

const ENDED: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled'])
const FOLLOW_BATCH = 500

export class EmbeddedJobEngine implements JobEngine {
  private readonly options: Required<Omit<EmbeddedJobEngineOptions, 'log'>> & {
    log: (line: string) => void
  }
  private readonly active = new Map<string, ActiveJob>()
  private readonly waiters = new EventWaiters()
  private closed = false

  constructor(options: EmbeddedJobEngineOptions) {
    this.options = { concurrency: 20, pollMs: 2000, log: () => undefined, ...options }
  }

  async start(workflow: Workflow, options: StartJobOptions): Promise<string> {
    checkWorkflow(workflow, options, this.options.inventory)
    const at = new Date().toISOString()
    const record: JobRecord = {
      id: randomUUID(),
      // Stored whole: the job runs these very scripts, after a restart too.
      workflow: {
        steps: workflow.steps,
        targets: workflow.targets.map((name) => this.options.inventory.find(name)?.name ?? name),
        continueOnFailure: workflow.continueOnFailure,
      },
      requester: options.requester,
      actor: options.actor ?? options.requester,
      ...(options.approval ? { approval: options.approval } : {}),
      ...(options.sessionId ? { sessionId: options.sessionId } : {}),
      concurrency: options.concurrency ?? this.options.concurrency,
      status: 'running',
      createdAt: at,
      updatedAt: at,
    }
    // The whole workflow, every script, once: each execution's record names its script by hash.
    await this.options.audit.append({
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
    await this.options.store.create(record)
    await this.emit(record.id, {
      type: 'job-started',
      steps: workflow.steps.map((step) => ({ id: step.id, title: step.title })),
      targets: workflow.targets.length,
    })
    await this.launch(record)
    return record.id
  }

  async record(id: string): Promise<JobRecord | undefined> {
    return this.options.store.get(id)
  }

  async list(filter: JobListFilter): Promise<JobSummary[]> {
    return (await this.options.store.list(filter)).map(summarizeJob)
  }

  async view(id: string): Promise<JobView | undefined> {
    const record = await this.options.store.get(id)
    if (!record) return undefined
    const active = this.active.get(id)
    const cells = active ? [...active.cells.values()] : await this.options.store.cells(id)
    return {
      id,
      kind: 'workflow',
      requester: record.requester,
      actor: record.actor,
      status: record.status,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      ...(record.endedAt ? { endedAt: record.endedAt } : {}),
      steps: record.workflow.steps.map((step) => ({
        id: step.id,
        title: step.title,
        operation: step.operation,
        risk: step.risk,
        changes: step.changes,
      })),
      targets: [...record.workflow.targets],
      cells,
      progress: this.progressOf(record, cells, active?.times),
      lastEventId: await this.options.store.lastEventId(id),
    }
  }

  async *follow(id: string, afterId: number, signal?: AbortSignal): AsyncIterable<JobEvent> {
    let last = afterId
    while (!signal?.aborted) {
      // Armed before reading, so an event stored between the read and the wait still wakes it.
      const woken = this.waitForEvent(id, signal)
      // The record before the events: a job is marked ended only after its last event is
      // stored, so when it reads ended here, the read below has every event.
      const record = await this.options.store.get(id)
      const ended = !record || (ENDED.has(record.status) && !this.active.has(id))
      const batch = await this.options.store.eventsAfter(id, last, FOLLOW_BATCH)
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

  async cancel(id: string, by: string): Promise<boolean> {
    const record = await this.options.store.get(id)
    if (!record || ENDED.has(record.status)) return false
    await this.emit(id, { type: 'cancel-requested', by })
    await this.options.store.setStatus(id, 'cancelling', new Date().toISOString())
    const active = this.active.get(id)
    if (active) {
      active.record.status = 'cancelling'
      active.controller.abort()
      return true
    }
    // Not running here (a restart has not picked it up): nothing runs, so end it now.
    for (const cell of await this.options.store.cells(id)) {
      if (FINAL_CELL_STATES.has(cell.state)) continue
      const change: CellChange =
        cell.state === 'running'
          ? {
              state: 'unknown',
              reason: 'the server stopped while this ran; its outcome is unknown',
            }
          : { state: 'cancelled', reason: 'the job was cancelled before it ran here' }
      await this.options.store.updateCell(id, cell.stepIndex, cell.target, change)
    }
    await this.finish(id, 'cancelled', 0)
    return true
  }

  async recover(): Promise<string[]> {
    const resumed: string[] = []
    for (const id of await this.options.store.unfinished()) {
      if (this.active.has(id)) continue
      const record = await this.options.store.get(id)
      if (!record) continue
      const [lastEvent] = await this.options.store.eventsAfter(
        id,
        (await this.options.store.lastEventId(id)) - 1,
        1,
      )
      if (lastEvent?.type === 'job-ended') {
        // Stopped between its last event and its status: it had ended.
        await this.options.store.setStatus(id, lastEvent.status, lastEvent.at)
        continue
      }
      let unknown = 0
      for (const cell of await this.options.store.cells(id)) {
        if (cell.state !== 'running') continue
        unknown++
        const change: CellChange = {
          ...(cell.startedAt ? { startedAt: cell.startedAt } : {}),
          ...(cell.phase ? { phase: cell.phase } : {}),
          state: 'unknown',
          reason:
            'the server stopped while this ran: its outcome is unknown and it is not run again',
          endedAt: new Date().toISOString(),
        }
        await this.options.store.updateCell(id, cell.stepIndex, cell.target, change)
        await this.emit(id, {
          type: 'cell',
          stepIndex: cell.stepIndex,
          stepId: record.workflow.steps[cell.stepIndex]?.id ?? '',
          target: cell.target,
          cell: { stepIndex: cell.stepIndex, target: cell.target, ...change },
        })
      }
      await this.emit(id, { type: 'job-resumed', unknown })
      this.options.log(`job ${id}: resumed after a restart (${unknown} step(s) of unknown outcome)`)
      if (record.status === 'cancelling') await this.cancel(id, 'system')
      else await this.launch(record)
      resumed.push(id)
    }
    return resumed
  }

  async settled(id: string): Promise<JobRecord | undefined> {
    await this.active.get(id)?.done
    return this.options.store.get(id)
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all([...this.active.values()].map((job) => job.done))
    this.waiters.wakeAll()
  }

  /** Loads the job's cells and runs its unfinished targets in the background. */
  private async launch(record: JobRecord): Promise<void> {
    const cells = new Map<string, JobCell>()
    for (const cell of await this.options.store.cells(record.id))
      cells.set(cellKey(cell.stepIndex, cell.target), cell)
    const job: ActiveJob = {
      record,
      cells,
      controller: new AbortController(),
      times: { finished: [], running: new Map() },
      startedSteps: new Set(),
      endedSteps: new Set(),
      done: Promise.resolve(),
      began: performance.now(),
    }
    // Steps that had started or ended before a restart are not announced again.
    record.workflow.steps.forEach((_, index) => {
      const ofStep = record.workflow.targets.map((target) => cells.get(cellKey(index, target)))
      if (ofStep.some((cell) => cell && cell.state !== 'pending')) job.startedSteps.add(index)
      if (ofStep.every((cell) => cell && FINAL_CELL_STATES.has(cell.state)))
        job.endedSteps.add(index)
    })
    this.active.set(record.id, job)
    job.done = this.runJob(job)
      .catch((error: unknown) => {
        // An audit or store failure stops the job where it is; a restart resumes it.
        this.options.log(
          `job ${record.id} stopped: ${error instanceof Error ? error.message : String(error)}`,
        )
      })
      .finally(() => {
        this.active.delete(record.id)
        this.wake(record.id)
      })
  }

  private async runJob(job: ActiveJob): Promise<void> {
    const { record } = job
    const targets = record.workflow.targets
    let next = 0
    let stopAfterFailure: string | undefined
    const worker = async () => {
      while (next < targets.length && !this.closed) {
        const name = targets[next++] ?? ''
        const target = this.options.inventory.find(name)
        const cellsOf = record.workflow.steps.map((_, index) => job.cells.get(cellKey(index, name)))
        if (cellsOf.every((cell) => cell && FINAL_CELL_STATES.has(cell.state))) continue
        const platform = target ? platformOf(target) : undefined
        if (!target || !platform || stopAfterFailure) {
          const reason = stopAfterFailure
            ? `not run: the workflow stops at the first failure (on ${stopAfterFailure})`
            : `not run: ${name} is no longer in the inventory`
          for (const [index, cell] of cellsOf.entries())
            if (cell?.state === 'pending')
              await this.setCell(job, index, name, {
                state: job.controller.signal.aborted ? 'cancelled' : 'skipped',
                reason,
              })
          await this.targetEnded(job, name, undefined)
          continue
        }
        const started = performance.now()
        job.times.running.set(name, started)
        await this.emit(record.id, { type: 'target-started', target: name })
        const succeeded = await runTarget({
          job: record,
          target,
          platform,
          runner: this.options.runner,
          signal: job.controller.signal,
          cell: (index) =>
            job.cells.get(cellKey(index, name)) ?? {
              stepIndex: index,
              target: name,
              state: 'pending',
            },
          setCell: (index, change) => this.setCell(job, index, name, change),
          emit: (body) => this.emit(record.id, body),
        })
        if (!succeeded && !record.workflow.continueOnFailure) stopAfterFailure ??= name
        await this.targetEnded(job, name, performance.now() - started)
      }
    }
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(record.concurrency, targets.length)) }, worker),
    )
    if (this.closed) return
    const cells = [...job.cells.values()]
    const status: JobStatus = job.controller.signal.aborted
      ? 'cancelled'
      : cells.some((cell) => cell.state === 'failed' || cell.state === 'unknown')
        ? 'failed'
        : 'succeeded'
    await this.finish(record.id, status, performance.now() - job.began)
  }

  private async targetEnded(job: ActiveJob, target: string, durationMs: number | undefined) {
    job.times.running.delete(target)
    if (durationMs !== undefined) job.times.finished.push(durationMs)
    await this.emit(job.record.id, {
      type: 'progress',
      ...this.progressOf(job.record, [...job.cells.values()], job.times),
    })
  }

  private async setCell(job: ActiveJob, stepIndex: number, target: string, change: CellChange) {
    const { record } = job
    const cell: JobCell = { stepIndex, target, ...change }
    await this.options.store.updateCell(record.id, stepIndex, target, change)
    job.cells.set(cellKey(stepIndex, target), cell)
    const step = record.workflow.steps[stepIndex]
    if (!step) return
    if (!job.startedSteps.has(stepIndex)) {
      job.startedSteps.add(stepIndex)
      await this.emit(record.id, {
        type: 'step-started',
        stepIndex,
        stepId: step.id,
        title: step.title,
      })
    }
    await this.emit(record.id, { type: 'cell', stepIndex, stepId: step.id, target, cell })
    if (FINAL_CELL_STATES.has(cell.state) && !job.endedSteps.has(stepIndex)) {
      const ofStep = record.workflow.targets.map((each) => job.cells.get(cellKey(stepIndex, each)))
      if (ofStep.every((each) => each && FINAL_CELL_STATES.has(each.state))) {
        job.endedSteps.add(stepIndex)
        const count = (state: JobCell['state']) =>
          ofStep.filter((each) => each?.state === state).length
        await this.emit(record.id, {
          type: 'step-ended',
          stepIndex,
          stepId: step.id,
          succeeded: count('succeeded') + count('rolled-back'),
          failed: count('failed') + count('unknown'),
          skipped: count('skipped') + count('cancelled'),
        })
      }
    }
  }

  /** The last event first, then the status: see `follow`. */
  private async finish(id: string, status: JobStatus, durationMs: number): Promise<void> {
    await this.emit(id, { type: 'job-ended', status, durationMs: Math.round(durationMs) })
    await this.options.store.setStatus(id, status, new Date().toISOString())
  }

  private progressOf(record: JobRecord, cells: JobCell[], times?: TargetTimes) {
    return jobProgress(cells, record.workflow.steps.length, record.workflow.targets, {
      concurrency: record.concurrency,
      ...(times ? { times } : {}),
    })
  }

  private async emit(id: string, body: JobEventBody): Promise<void> {
    await this.options.store.append(id, body)
    this.wake(id)
  }

  private wake(id: string): void {
    this.waiters.wake(id)
  }

  private waitForEvent(id: string, signal?: AbortSignal) {
    return this.waiters.wait(id, this.options.pollMs, signal)
  }
}

function cellKey(stepIndex: number, target: string): string {
  return `${stepIndex}\u0000${target}`
}
