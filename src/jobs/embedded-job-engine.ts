/**
 * The embedded job engine: jobs run in the server process on a bounded pool of targets, their
 * state and events in the project store (`JobStore`), see `JobEngine` for the contract. What a
 * job's run does is `job-run.ts`; what does not depend on where it runs, `job-lifecycle.ts`.
 * @module
 */
import type { AuditLog } from '../audit/audit-log.ts'
import type { Inventory } from '../inventory/inventory.ts'
import type { Workflow } from '../operations/workflow.ts'
import { EventWaiters } from './event-waiters.ts'
import type { JobEngine, StartJobOptions } from './job-engine.ts'
import {
  ENDED,
  endUnrunJob,
  followJob,
  jobView,
  storeNewJob,
  takeOverJob,
} from './job-lifecycle.ts'
import {
  type JobEvent,
  type JobEventBody,
  type JobListFilter,
  type JobRecord,
  type JobSummary,
  type JobView,
  summarizeJob,
} from './job-model.ts'
import { JobRun } from './job-run.ts'
import type { JobStore } from './job-store.ts'
import type { WorkflowScriptRunner } from './workflow-script-runner.ts'

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
  run: JobRun
  done: Promise<void>
}

export class EmbeddedJobEngine implements JobEngine {
  private readonly options: Required<Omit<EmbeddedJobEngineOptions, 'log'>> & {
    log: (line: string) => void
  }
  private readonly active = new Map<string, ActiveJob>()
  private readonly waiters = new EventWaiters()
  private closed = false
  private readonly emitEvent = (id: string, body: JobEventBody) => this.emit(id, body)

  constructor(options: EmbeddedJobEngineOptions) {
    this.options = { concurrency: 20, pollMs: 2000, log: () => undefined, ...options }
  }

  async start(workflow: Workflow, options: StartJobOptions): Promise<string> {
    const record = await storeNewJob(workflow, options, {
      ...this.options,
      emit: this.emitEvent,
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
    const active = this.active.get(id)
    return jobView(
      this.options.store,
      id,
      active ? { cells: [...active.run.cells.values()], times: active.run.times } : undefined,
    )
  }

  follow(id: string, afterId: number, signal?: AbortSignal): AsyncIterable<JobEvent> {
    return followJob(this.options.store, id, afterId, {
      waitForEvent: (abort) => this.waiters.wait(id, this.options.pollMs, abort),
      runsHere: () => this.active.has(id),
      ...(signal ? { signal } : {}),
    })
  }

  async cancel(id: string, by: string): Promise<boolean> {
    const record = await this.options.store.get(id)
    if (!record || ENDED.has(record.status)) return false
    await this.emit(id, { type: 'cancel-requested', by })
    await this.options.store.setStatus(id, 'cancelling', new Date().toISOString())
    const active = this.active.get(id)
    if (active) {
      active.run.record.status = 'cancelling'
      active.run.controller.abort()
      return true
    }
    // Not running here (a restart has not picked it up): nothing runs, so end it now.
    await endUnrunJob(this.options.store, this.emitEvent, id)
    return true
  }

  async recover(): Promise<string[]> {
    const resumed: string[] = []
    for (const id of await this.options.store.unfinished()) {
      if (this.active.has(id)) continue
      const record = await takeOverJob(this.options.store, this.emitEvent, id, this.options.log)
      if (!record) continue
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
    const run = await JobRun.load(record, {
      ...this.options,
      emit: this.emitEvent,
      stopping: () => this.closed,
    })
    const job: ActiveJob = { run, done: Promise.resolve() }
    this.active.set(record.id, job)
    job.done = run
      .run()
      .then(() => undefined)
      .catch((error: unknown) => {
        // An audit or store failure stops the job where it is; a restart resumes it.
        this.options.log(
          `job ${record.id} stopped: ${error instanceof Error ? error.message : String(error)}`,
        )
      })
      .finally(() => {
        this.active.delete(record.id)
        this.waiters.wake(record.id)
      })
  }

  private async emit(id: string, body: JobEventBody): Promise<void> {
    await this.options.store.append(id, body)
    this.waiters.wake(id)
  }
}
