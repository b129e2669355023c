/**
 * The distributed job engine's queue: pg-boss on the project's own PostgreSQL (its tables in a
 * schema of their own beside ours). Why pg-boss: it needs no service beyond the database every
 * replica already shares; a job is claimed with `SELECT ... FOR UPDATE SKIP LOCKED`, so two
 * workers never take one queue entry; and a worker that stops sending heartbeats (killed,
 * partitioned) has its entry failed and retried, so another worker takes the job over.
 * One queue entry is one job (`{ jobId }`); the job's state is in the job store, not the queue.
 * @module
 */
import { PgBoss } from 'pg-boss'
import type { PostgresDatabase } from '../store/postgres/postgres-database.ts'

export const JOB_QUEUE = 'helpdesk-workflow-jobs'

export interface JobQueueData {
  jobId: string
}

export interface JobQueueOptions {
  database: PostgresDatabase
  /**
   * Seconds without a heartbeat after which a worker's job is taken over by another (pg-boss
   * minimum 10). The queue's supervisor looks this often too.
   */
  heartbeatSeconds?: number
  log?: (line: string) => void
}

/** The pg-boss schema for a store schema: `helpdesk` -> `helpdesk_queue`. */
export function queueSchemaOf(schema: string): string {
  return `${schema.slice(0, 57)}_queue`
}

/** Starts pg-boss (creating or migrating its schema under its own lock) and the jobs queue. */
export async function openJobQueue(options: JobQueueOptions): Promise<PgBoss> {
  const heartbeatSeconds = Math.max(10, options.heartbeatSeconds ?? 30)
  const log = options.log ?? (() => undefined)
  const poolOptions = options.database.pool.options
  const boss = new PgBoss({
    ...(poolOptions.connectionString ? { connectionString: poolOptions.connectionString } : {}),
    schema: queueSchemaOf(options.database.schema),
    application_name: 'helpdesk-queue',
    max: 4,
    // Expiry and heartbeat failures are found by the supervisor's pass: as often as a heartbeat.
    superviseIntervalSeconds: heartbeatSeconds,
    monitorIntervalSeconds: heartbeatSeconds,
    useListenNotify: true,
    registerInstance: false,
    openTelemetry: { enabled: false },
  })
  boss.on('error', (error: Error) => {
    log(`job queue: ${options.database.scrub(error.message)}`)
  })
  await boss.start()
  await boss.createQueue(JOB_QUEUE, {
    heartbeatSeconds,
    // A job may run for a long time (a fleet): its heartbeat says it is alive, not its age. pg-boss
    // caps this at a day; a job running longer is handed to another worker, whose ledger claims
    // keep the changes it already made from running twice.
    expireInSeconds: 24 * 3600,
    // Each retry is a take-over after a worker stopped; the job store decides what still runs.
    retryLimit: 100,
    retryDelay: 0,
    notify: true,
  })
  return boss
}
