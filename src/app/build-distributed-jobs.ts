/**
 * The distributed job engine's parts for one process, with DATABASE_URL: the pg-boss queue, the
 * engine the routes use (API replicas), and a worker (`helpdesk worker`, or the server itself
 * when HELPDESK_EMBEDDED_WORKER is on, so one process alone still runs its jobs).
 * @module
 */
import type { StepExecutionLedger } from '../approvals/step-execution-ledger.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import type { HelpdeskConfig } from '../config/config-schema.ts'
import type { Inventory } from '../inventory/inventory.ts'
import { DistributedJobEngine } from '../jobs/distributed-job-engine.ts'
import { openJobQueue } from '../jobs/job-queue.ts'
import type { JobStore } from '../jobs/job-store.ts'
import { JobWorker } from '../jobs/job-worker.ts'
import type { WorkflowScriptRunner } from '../jobs/workflow-script-runner.ts'
import type { PostgresDatabase } from '../store/postgres/postgres-database.ts'

export interface DistributedJobs {
  /** The engine of the routes; present in a server. */
  engine: DistributedJobEngine | undefined
  /** This process's worker, when it runs one. */
  worker: JobWorker | undefined
  close(): Promise<void>
}

export async function openDistributedJobs(options: {
  config: Pick<
    HelpdeskConfig,
    | 'HELPDESK_EMBEDDED_WORKER'
    | 'HELPDESK_WORKER_JOBS'
    | 'HELPDESK_WORKER_HEARTBEAT_SECONDS'
    | 'FLEET_CONCURRENCY'
  >
  database: PostgresDatabase
  store: JobStore
  ledger: StepExecutionLedger
  audit: AuditLog
  runner: WorkflowScriptRunner
  inventory: Inventory
  role: 'server' | 'worker'
  log: (line: string) => void
}): Promise<DistributedJobs> {
  const { config, log } = options
  const queue = await openJobQueue({
    database: options.database,
    heartbeatSeconds: config.HELPDESK_WORKER_HEARTBEAT_SECONDS,
    log,
  })
  let engine: DistributedJobEngine | undefined
  let worker: JobWorker | undefined
  try {
    if (options.role === 'server')
      engine = await DistributedJobEngine.open({
        ...options,
        queue,
        // Stored with each job: the worker that runs it keeps the setting of the API that started it.
        concurrency: config.FLEET_CONCURRENCY,
      })
    if (options.role === 'worker' || config.HELPDESK_EMBEDDED_WORKER)
      worker = await JobWorker.start({
        ...options,
        queue,
        jobsAtOnce: config.HELPDESK_WORKER_JOBS,
        name: `${options.role === 'worker' ? 'worker' : 'embedded worker'} ${process.pid}`,
      })
  } catch (error) {
    await engine?.close()
    await queue.stop({ graceful: false })
    throw error
  }
  log(
    `jobs: distributed on pg-boss in ${options.database.description}${
      options.role === 'server'
        ? config.HELPDESK_EMBEDDED_WORKER
          ? ' (this server also runs jobs: HELPDESK_EMBEDDED_WORKER=true)'
          : ' (run them with `helpdesk worker`)'
        : ''
    }`,
  )
  return {
    engine,
    worker,
    close: async () => {
      await worker?.close()
      await engine?.close()
      await options.ledger.close()
      await queue.stop({ graceful: true, timeout: 5000 })
    },
  }
}
