/**
 * One job running in this process: its unfinished targets on a bounded pool of slots, every
 * cell change stored before it is told, the steps announced once as they start and end, and the
 * job ended with its status when every target is done. Both engines run jobs with it: the
 * embedded one in the server, the distributed one in `helpdesk worker`.
 * @module
 */
import type { Inventory } from '../inventory/inventory.ts'
import { metrics } from '../observability/metrics.ts'
import {
  FINAL_CELL_STATES,
  type JobCell,
  type JobEventBody,
  type JobRecord,
  type JobStatus,
} from './job-model.ts'
import { jobProgress, type TargetTimes } from './job-progress.ts'
import type { CellChange, JobStore } from './job-store.ts'
import { type ChangeClaim, runTarget } from './target-run.ts'
import { platformOf, type WorkflowScriptRunner } from './workflow-script-runner.ts'

export interface JobRunDependencies {
  store: JobStore
  runner: WorkflowScriptRunner
  inventory: Inventory
  /** Stores the event (numbered) and wakes this process's followers. */
  emit(id: string, body: JobEventBody): Promise<void>
  /** True once the process stops taking work: targets not started are left pending. */
  stopping(): boolean
  /** The exactly-once guard of changing steps (the distributed engine's ledger); none embedded. */
  claimChange?: ChangeClaim
}

export class JobRun {
  readonly record: JobRecord
  readonly cells: Map<string, JobCell>
  readonly controller = new AbortController()
  readonly times: {
    finished: number[]
    finishedAt: number[]
    running: Map<string, number>
    began: number
  } = {
    finished: [],
    finishedAt: [],
    running: new Map(),
    began: Date.now(),
  }
  private readonly startedSteps = new Set<number>()
  private readonly endedSteps = new Set<number>()
  private readonly began = performance.now()
  private readonly dependencies: JobRunDependencies

  private constructor(record: JobRecord, cells: JobCell[], dependencies: JobRunDependencies) {
    this.record = record
    this.dependencies = dependencies
    this.cells = new Map(cells.map((cell) => [cellKey(cell.stepIndex, cell.target), cell]))
    // Steps that had started or ended before a restart are not announced again.
    record.workflow.steps.forEach((_, index) => {
      const ofStep = record.workflow.targets.map((target) => this.cells.get(cellKey(index, target)))
      if (ofStep.some((cell) => cell && cell.state !== 'pending')) this.startedSteps.add(index)
      if (ofStep.every((cell) => cell && FINAL_CELL_STATES.has(cell.state)))
        this.endedSteps.add(index)
    })
  }

  /** Loads the job's cells as stored. */
  static async load(record: JobRecord, dependencies: JobRunDependencies): Promise<JobRun> {
    return new JobRun(record, await dependencies.store.cells(record.id), dependencies)
  }

  /**
   * Runs the unfinished targets, then ends the job.
   * @returns the status it ended with, or undefined when the process stopped first
   */
  async run(): Promise<JobStatus | undefined> {
    const { record } = this
    const targets = record.workflow.targets
    let next = 0
    let stopAfterFailure: string | undefined
    const slot = async () => {
      while (next < targets.length && !this.dependencies.stopping()) {
        const name = targets[next++] ?? ''
        const target = this.dependencies.inventory.find(name)
        const cellsOf = record.workflow.steps.map((_, index) =>
          this.cells.get(cellKey(index, name)),
        )
        if (cellsOf.every((cell) => cell && FINAL_CELL_STATES.has(cell.state))) continue
        const platform = target ? platformOf(target) : undefined
        if (!target || !platform || stopAfterFailure) {
          const reason = stopAfterFailure
            ? `not run: the workflow stops at the first failure (on ${stopAfterFailure})`
            : `not run: ${name} is no longer in the inventory`
          for (const [index, cell] of cellsOf.entries())
            if (cell?.state === 'pending')
              await this.setCell(index, name, {
                state: this.controller.signal.aborted ? 'cancelled' : 'skipped',
                reason,
              })
          await this.targetEnded(name, undefined)
          continue
        }
        const started = performance.now()
        // Wall-clock, like the cells' timestamps the estimate also reads.
        this.times.running.set(name, Date.now())
        await this.emit({ type: 'target-started', target: name })
        const succeeded = await runTarget({
          job: record,
          target,
          platform,
          runner: this.dependencies.runner,
          signal: this.controller.signal,
          cell: (index) =>
            this.cells.get(cellKey(index, name)) ?? {
              stepIndex: index,
              target: name,
              state: 'pending',
            },
          setCell: (index, change) => this.setCell(index, name, change),
          emit: (body) => this.emit(body),
          ...(this.dependencies.claimChange ? { claimChange: this.dependencies.claimChange } : {}),
        })
        if (!succeeded && !record.workflow.continueOnFailure) stopAfterFailure ??= name
        await this.targetEnded(name, performance.now() - started)
      }
    }
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(record.concurrency, targets.length)) }, slot),
    )
    if (this.dependencies.stopping()) return undefined
    const cells = [...this.cells.values()]
    const status: JobStatus = this.controller.signal.aborted
      ? 'cancelled'
      : cells.some((cell) => cell.state === 'failed' || cell.state === 'unknown')
        ? 'failed'
        : 'succeeded'
    await finishJob(
      this.dependencies.store,
      this.dependencies.emit,
      record.id,
      status,
      performance.now() - this.began,
    )
    metrics.jobs.inc({ status })
    return status
  }

  progress() {
    return progressOf(this.record, [...this.cells.values()], this.times)
  }

  private async targetEnded(target: string, durationMs: number | undefined) {
    this.times.running.delete(target)
    if (durationMs !== undefined) {
      this.times.finished.push(durationMs)
      this.times.finishedAt.push(Date.now())
    }
    await this.emit({ type: 'progress', ...this.progress() })
  }

  private async setCell(stepIndex: number, target: string, change: CellChange) {
    const { record } = this
    const cell: JobCell = { stepIndex, target, ...change }
    await this.dependencies.store.updateCell(record.id, stepIndex, target, change)
    this.cells.set(cellKey(stepIndex, target), cell)
    if (FINAL_CELL_STATES.has(cell.state))
      metrics.jobTargetSteps.inc({ executor: this.executorOf(target), state: cell.state })
    const step = record.workflow.steps[stepIndex]
    if (!step) return
    if (!this.startedSteps.has(stepIndex)) {
      this.startedSteps.add(stepIndex)
      await this.emit({ type: 'step-started', stepIndex, stepId: step.id, title: step.title })
    }
    await this.emit({ type: 'cell', stepIndex, stepId: step.id, target, cell })
    if (FINAL_CELL_STATES.has(cell.state) && !this.endedSteps.has(stepIndex)) {
      const ofStep = record.workflow.targets.map((each) => this.cells.get(cellKey(stepIndex, each)))
      if (ofStep.every((each) => each && FINAL_CELL_STATES.has(each.state))) {
        this.endedSteps.add(stepIndex)
        const count = (state: JobCell['state']) =>
          ofStep.filter((each) => each?.state === state).length
        await this.emit({
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

  /** The executor kind a target's steps run with, as the execution service names them. */
  private executorOf(name: string): string {
    const target = this.dependencies.inventory.find(name)
    const platform = target ? platformOf(target) : undefined
    return platform === 'linux' ? 'bash' : platform === 'windows' ? 'powershell' : 'none'
  }

  private emit(body: JobEventBody): Promise<void> {
    return this.dependencies.emit(this.record.id, body)
  }
}

/** The last event first, then the status: a follower that reads the status ended has every event. */
export async function finishJob(
  store: JobStore,
  emit: (id: string, body: JobEventBody) => Promise<void>,
  id: string,
  status: JobStatus,
  durationMs: number,
): Promise<void> {
  await emit(id, { type: 'job-ended', status, durationMs: Math.round(durationMs) })
  await store.setStatus(id, status, new Date().toISOString())
}

export function progressOf(record: JobRecord, cells: JobCell[], times?: TargetTimes) {
  return jobProgress(cells, record.workflow.steps.length, record.workflow.targets, {
    concurrency: record.concurrency,
    ...(times ? { times } : {}),
  })
}

export function cellKey(stepIndex: number, target: string): string {
  return `${stepIndex}\u0000${target}`
}
