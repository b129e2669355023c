/**
 * The distributed job engine, the API side: `start` stores the job and puts one entry on the
 * pg-boss queue (`job-queue.ts`); workers (`job-worker.ts`, `helpdesk worker`) claim and run it.
 * Every replica answers `view` and `follow` from the shared PostgreSQL job store, woken by the
 * store's NOTIFY (`job-notifications.ts`), so a page on any replica sees a job run by any worker,
 * and a reconnect with Last-Event-ID replays from the store. `cancel` records the request and
 * notifies the worker running the job; a job no worker holds yet is ended by the worker that
 * claims its entry. The contract is `JobEngine`'s.
 * @module
 */
import type { PgBoss } from 'pg-boss'
import type { AuditLog } from '../audit/audit-log.ts'
import type { Inventory } from '../inventory/inventory.ts'
import type { Workflow } from '../operations/workflow.ts'
import type { PostgresDatabase } from '../store/postgres/postgres-database.ts'
import { EventWaiters } from './event-waiters.ts'
import type { JobEngine, StartJobOptions } from './job-engine.ts'
import { ENDED, followJob, jobView, storeNewJob } from './job-lifecycle.ts'
import {
  type JobEvent,
  type JobEventBody,
  type JobListFilter,
  type JobRecord,
  type JobSummary,
  type JobView,
  summarizeJob,
} from './job-model.ts'
import { JobNotifications } from './job-notifications.ts'
import { JOB_QUEUE, type JobQueueData } from './job-queue.ts'
import type { JobStore } from './job-store.ts'

export interface DistributedJobEngineOptions {
  store: JobStore
  database: PostgresDatabase
  queue: PgBoss
  audit: AuditLog
  inventory: Inventory
  /** Targets at once on a worker when a job does not say (default 20). */
  concurrency?: number
  /** How often a follower reads the store when no notification came (a lost one), ms. */
  pollMs?: number
  log?: (line: string) => void
}

export class DistributedJobEngine implements JobEngine {
  private readonly options: Required<Omit<DistributedJobEngineOptions, 'log'>> & {
    log: (line: string) => void
  }
  private readonly waiters = new EventWaiters()
  private notifications: JobNotifications | undefined
  private readonly emitEvent = async (id: string, body: JobEventBody) => {
    await this.options.store.append(id, body)
  }

  private constructor(options: DistributedJobEngineOptions) {
    this.options = { concurrency: 20, pollMs: 2000, log: () => undefined, ...options }
  }

  /** Listens for the store's notifications before it answers anything. */
  static async open(options: DistributedJobEngineOptions): Promise<DistributedJobEngine> {
    const engine = new DistributedJobEngine(options)
    engine.notifications = await JobNotifications.listen(
      options.database,
      { event: (jobId) => engine.waiters.wake(jobId) },
      engine.options.log,
    )
    return engine
  }

  async start(workflow: Workflow, options: StartJobOptions): Promise<string> {
    const record = await storeNewJob(workflow, options, {
      ...this.options,
      emit: this.emitEvent,
    })
    const data: JobQueueData = { jobId: record.id }
    // The queue entry's id is the job's: sending it twice cannot queue the job twice.
    await this.options.queue.send(JOB_QUEUE, data, { id: record.id })
    return record.id
  }

  async record(id: string): Promise<JobRecord | undefined> {
    return this.options.store.get(id)
  }

  async list(filter: JobListFilter): Promise<JobSummary[]> {
    return (await this.options.store.list(filter)).map(summarizeJob)
  }

  async view(id: string): Promise<JobView | undefined> {
    return jobView(this.options.store, id)
  }

  follow(id: string, afterId: number, signal?: AbortSignal): AsyncIterable<JobEvent> {
    return followJob(this.options.store, id, afterId, {
      waitForEvent: (abort) => this.waiters.wait(id, this.options.pollMs, abort),
      // Whoever runs it stores `job-ended` before the status: ended is ended here.
      runsHere: () => false,
      ...(signal ? { signal } : {}),
    })
  }

  async cancel(id: string, by: string): Promise<boolean> {
    const record = await this.options.store.get(id)
    if (!record || ENDED.has(record.status)) return false
    await this.options.store.append(id, { type: 'cancel-requested', by })
    await this.options.store.setStatus(id, 'cancelling', new Date().toISOString())
    await JobNotifications.sendCancel(this.options.database, id)
    return true
  }

  /** Workers take over unfinished jobs through the queue's retries: nothing to do here. */
  async recover(): Promise<string[]> {
    return []
  }

  async settled(id: string): Promise<JobRecord | undefined> {
    for (;;) {
      for await (const _event of this.follow(id, await this.options.store.lastEventId(id))) {
        // Only the end matters.
      }
      // The worker stores `job-ended` a moment before the status.
      const record = await this.options.store.get(id)
      if (!record || ENDED.has(record.status)) return record
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  async close(): Promise<void> {
    this.waiters.wakeAll()
    await this.notifications?.close()
  }
}
