/**
 * A worker of the distributed job engine (`helpdesk worker`, or inside the server with
 * HELPDESK_EMBEDDED_WORKER): claims queue entries (pg-boss, SKIP LOCKED) and runs their jobs with
 * the same run as the embedded engine (`job-run.ts`) on the executors' shells.
 *
 * Exactly once, across workers: each changing step on each target is first claimed in the step
 * execution ledger (key `job-<id>:<step>:<target>`); of two workers that both hold a job (one
 * was thought dead and the entry was retried while it still ran), only the first to claim a
 * step runs it, the other records it `unknown`. A retried entry is a take-over: the cells the
 * stopped worker left `running` become `unknown` and are never run again (`takeOverJob`).
 * A cancel notification aborts the job's commands on the machines here.
 * @module
 */
import type { PgBoss } from 'pg-boss'
import { type StepExecutionLedger, stepIdempotencyKey } from '../approvals/step-execution-ledger.ts'
import type { Inventory } from '../inventory/inventory.ts'
import type { PostgresDatabase } from '../store/postgres/postgres-database.ts'
import { endUnrunJob, takeOverJob } from './job-lifecycle.ts'
import type { JobEventBody } from './job-model.ts'
import { JobNotifications } from './job-notifications.ts'
import { JOB_QUEUE, type JobQueueData } from './job-queue.ts'
import { JobRun } from './job-run.ts'
import type { JobStore } from './job-store.ts'
import type { ChangeClaim } from './target-run.ts'
import type { WorkflowScriptRunner } from './workflow-script-runner.ts'

export interface JobWorkerOptions {
  store: JobStore
  database: PostgresDatabase
  queue: PgBoss
  ledger: StepExecutionLedger
  runner: WorkflowScriptRunner
  inventory: Inventory
  /** Jobs this worker runs at once (default 4); each runs its targets on its own slots. */
  jobsAtOnce?: number
  /** A name for the logs and the unknown cells' reasons (default `worker <pid>`). */
  name?: string
  log?: (line: string) => void
}

export class JobWorker {
  private readonly options: JobWorkerOptions & { log: (line: string) => void; name: string }
  private readonly running = new Map<string, JobRun>()
  private notifications: JobNotifications | undefined
  private stopping = false
  private readonly emit = async (id: string, body: JobEventBody) => {
    await this.options.store.append(id, body)
  }

  private constructor(options: JobWorkerOptions) {
    this.options = { log: () => undefined, name: `worker ${process.pid}`, ...options }
  }

  /** Starts claiming jobs; cancels are heard before the first claim. */
  static async start(options: JobWorkerOptions): Promise<JobWorker> {
    const worker = new JobWorker(options)
    worker.notifications = await JobNotifications.listen(
      options.database,
      { cancel: (jobId) => worker.running.get(jobId)?.controller.abort() },
      worker.options.log,
    )
    await options.queue.work<JobQueueData>(
      JOB_QUEUE,
      { localConcurrency: options.jobsAtOnce ?? 4, batchSize: 1, pollingIntervalSeconds: 1 },
      async ([entry]) => {
        if (entry) await worker.runEntry(entry.data.jobId, entry.retryCount)
      },
    )
    worker.options.log(`${worker.options.name}: taking jobs from the queue`)
    return worker
  }

  /** Jobs running here now. */
  get active(): string[] {
    return [...this.running.keys()]
  }

  /** Stops claiming; jobs running here stop where they are and are retried by another worker. */
  async close(): Promise<void> {
    this.stopping = true
    await this.options.queue.offWork(JOB_QUEUE, { wait: true }).catch(() => undefined)
    await this.notifications?.close()
  }

  private async runEntry(jobId: string, retryCount: number): Promise<void> {
    const { store, log, name } = this.options
    let record = await store.get(jobId)
    if (!record || record.status === 'succeeded' || record.status === 'failed') return
    if (record.status === 'cancelled') return
    if (retryCount > 0) {
      // Another worker held this entry and stopped: what it left running has an unknown outcome.
      record = await takeOverJob(store, this.emit, jobId, log, 'its worker')
      if (!record) return
    }
    if (record.status === 'cancelling' && retryCount === 0) {
      // Cancelled while it waited in the queue: nothing ran.
      await endUnrunJob(store, this.emit, jobId)
      return
    }
    const run = await JobRun.load(record, {
      store,
      runner: this.options.runner,
      inventory: this.options.inventory,
      emit: this.emit,
      stopping: () => this.stopping,
      claimChange: this.claimChange,
    })
    this.running.set(jobId, run)
    try {
      // Cancelled before this worker listened for it: abort now, the run records the rest.
      if (record.status === 'cancelling') run.controller.abort()
      log(`${name}: running job ${jobId}${retryCount > 0 ? ' (taken over)' : ''}`)
      const status = await run.run()
      // Stopped by close(): failing the entry hands the job to another worker.
      if (status === undefined) throw new Error(`${name} stopped before job ${jobId} ended`)
      log(`${name}: job ${jobId} ended ${status}`)
    } finally {
      this.running.delete(jobId)
    }
  }

  private readonly claimChange: ChangeClaim = async ({ job, step, target }) => {
    const key = stepIdempotencyKey(`job-${job.id}`, step.id, target)
    const claim = await this.options.ledger.begin({
      key,
      approvalId: `job-${job.id}`,
      stepId: step.id,
      target,
      startedAt: new Date().toISOString(),
    })
    if (!claim.claimed) {
      const result = claim.entry.result
      return {
        claimed: false,
        reason: result
          ? `already run by another worker (exit ${result.exitCode}): not run again`
          : 'started by another worker, its outcome unknown: not run again',
      }
    }
    return {
      claimed: true,
      finish: async (outcome) => {
        await this.options.ledger.finish(
          key,
          {
            stepId: step.id,
            status: !outcome.errorCode && outcome.exitCode === 0 ? 'succeeded' : 'failed',
            wouldRun: `${step.operation} (job ${job.id})`,
            target,
            stdout: outcome.stdout.slice(0, 4096),
            stderr: outcome.stderr.slice(0, 4096),
            exitCode: outcome.exitCode,
            durationMs: Math.round(outcome.durationMs),
            changed: !outcome.errorCode && outcome.exitCode === 0,
            ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
            ...(outcome.errorMessage ? { errorMessage: outcome.errorMessage } : {}),
          },
          new Date().toISOString(),
        )
      },
    }
  }
}
