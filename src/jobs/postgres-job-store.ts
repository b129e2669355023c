/**
 * The job store in PostgreSQL (migration `0009_workflow-jobs.sql`): what the distributed engine's
 * API replicas and workers share. An append numbers its event under the job row's lock (so two
 * writers, a worker and a replica recording a cancel, never take one number) and sends
 * `NOTIFY helpdesk_job_events` in the same statement: PostgreSQL delivers it at commit, so a
 * follower woken by it always finds the event stored (`job-notifications.ts` listens).
 * @module
 */
import { HelpdeskError } from '../errors/index.ts'
import type { PostgresDatabase } from '../store/postgres/postgres-database.ts'
import type {
  JobCell,
  JobEvent,
  JobEventBody,
  JobListFilter,
  JobRecord,
  JobStatus,
} from './job-model.ts'
import type { CellChange, JobStore } from './job-store.ts'

/** The channel of event notifications; the payload is `schema job-id event-id`. */
export const JOB_EVENTS_CHANNEL = 'helpdesk_job_events'

const ENDED: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled'])

export class PostgresJobStore implements JobStore {
  private readonly database: PostgresDatabase

  constructor(options: { database: PostgresDatabase }) {
    this.database = options.database
  }

  async create(job: JobRecord): Promise<void> {
    const client = await this.database.pool.connect()
    try {
      await client.query('BEGIN')
      const inserted = await client.query(
        `INSERT INTO workflow_jobs (id, record, status, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING`,
        [job.id, JSON.stringify(job), job.status, job.updatedAt],
      )
      if (inserted.rowCount !== 1) {
        throw new HelpdeskError({ code: 'INVALID_INPUT', message: `job ${job.id} exists already` })
      }
      const jobIds: string[] = []
      const steps: number[] = []
      const positions: number[] = []
      const targets: string[] = []
      const cells: string[] = []
      job.workflow.steps.forEach((_, stepIndex) => {
        job.workflow.targets.forEach((target, position) => {
          const cell: JobCell = { stepIndex, target, state: 'pending' }
          jobIds.push(job.id)
          steps.push(stepIndex)
          positions.push(position)
          targets.push(target)
          cells.push(JSON.stringify(cell))
        })
      })
      // One statement for every cell: a fleet of a thousand machines is one round trip.
      await client.query(
        `INSERT INTO workflow_job_cells (job_id, step_index, target_position, target, cell)
         SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::text[])`,
        [jobIds, steps, positions, targets, cells],
      )
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const [row] = (
      await this.database.pool.query<{ record: string; status: JobStatus; updated_at: string }>(
        'SELECT record, status, updated_at FROM workflow_jobs WHERE id = $1',
        [id],
      )
    ).rows
    if (!row) return undefined
    const record = JSON.parse(row.record) as JobRecord
    return { ...record, status: row.status, updatedAt: row.updated_at }
  }

  async list(filter: JobListFilter): Promise<JobRecord[]> {
    // The record is kept as JSON text: filtered with jsonb operators in one statement, so only the
    // page asked for leaves the database.
    const rows = (
      await this.database.pool.query<{ record: string; status: JobStatus; updated_at: string }>(
        `SELECT record, status, updated_at FROM workflow_jobs
         WHERE ($1::text IS NULL OR status = $1)
           AND ($2::text IS NULL OR lower(record::jsonb ->> 'requester') = lower($2))
           AND ($3::text IS NULL OR EXISTS (
             SELECT 1 FROM jsonb_array_elements(record::jsonb -> 'workflow' -> 'steps') AS step
             WHERE step ->> 'operation' = $3))
           AND ($4::text IS NULL OR EXISTS (
             SELECT 1 FROM jsonb_array_elements_text(record::jsonb -> 'workflow' -> 'targets') AS target
             WHERE lower(target) = lower($4)))
           AND ($5::text IS NULL OR record::jsonb ->> 'createdAt' >= $5)
           AND ($6::text IS NULL OR record::jsonb ->> 'createdAt' < $6)
         ORDER BY record::jsonb ->> 'createdAt' DESC, id
         LIMIT $7`,
        [
          filter.status ?? null,
          filter.requester ?? null,
          filter.operation ?? null,
          filter.target ?? null,
          filter.from ?? null,
          filter.to ?? null,
          filter.limit ?? 50,
        ],
      )
    ).rows
    return rows.map((row) => ({
      ...(JSON.parse(row.record) as JobRecord),
      status: row.status,
      updatedAt: row.updated_at,
    }))
  }

  async cells(id: string): Promise<JobCell[]> {
    const rows = (
      await this.database.pool.query<{ cell: string }>(
        `SELECT cell FROM workflow_job_cells WHERE job_id = $1
         ORDER BY step_index, target_position`,
        [id],
      )
    ).rows
    return rows.map((row) => JSON.parse(row.cell) as JobCell)
  }

  async updateCell(
    id: string,
    stepIndex: number,
    target: string,
    change: CellChange,
  ): Promise<void> {
    const cell: JobCell = { stepIndex, target, ...change }
    await this.database.pool.query(
      'UPDATE workflow_job_cells SET cell = $1 WHERE job_id = $2 AND step_index = $3 AND target = $4',
      [JSON.stringify(cell), id, stepIndex, target],
    )
  }

  async setStatus(id: string, status: JobStatus, at: string): Promise<void> {
    // The record's JSON carries status, updatedAt and endedAt as the SQLite store keeps them.
    const fields: Record<string, string> = { status, updatedAt: at }
    if (ENDED.has(status)) fields.endedAt = at
    await this.database.pool.query(
      `UPDATE workflow_jobs SET record = (record::jsonb || $2::jsonb)::text, status = $3, updated_at = $4
       WHERE id = $1`,
      [id, JSON.stringify(fields), status, at],
    )
  }

  async append(id: string, body: JobEventBody): Promise<JobEvent> {
    const at = new Date().toISOString()
    const [row] = (
      await this.database.pool.query<{ id: number }>(
        `WITH next AS (
           UPDATE workflow_jobs SET last_event = last_event + 1 WHERE id = $1 RETURNING last_event
         ), inserted AS (
           INSERT INTO workflow_job_events (job_id, id, at, body)
           SELECT $1, last_event, $2, $3 FROM next RETURNING id
         )
         SELECT inserted.id,
                pg_notify($4, current_schema() || ' ' || $1 || ' ' || inserted.id) AS notified
         FROM inserted`,
        [id, at, JSON.stringify(body), JOB_EVENTS_CHANNEL],
      )
    ).rows
    if (!row) throw new HelpdeskError({ code: 'JOB_NOT_FOUND', message: `no job ${id}` })
    return { ...body, id: row.id, at }
  }

  async eventsAfter(id: string, afterId: number, limit: number): Promise<JobEvent[]> {
    const rows = (
      await this.database.pool.query<{ id: number; at: string; body: string }>(
        `SELECT id, at, body FROM workflow_job_events WHERE job_id = $1 AND id > $2
         ORDER BY id LIMIT $3`,
        [id, afterId, limit],
      )
    ).rows
    return rows.map((row) => ({
      ...(JSON.parse(row.body) as JobEventBody),
      id: row.id,
      at: row.at,
    }))
  }

  async lastEventId(id: string): Promise<number> {
    const [row] = (
      await this.database.pool.query<{ last: number }>(
        'SELECT COALESCE(MAX(id), 0)::int AS last FROM workflow_job_events WHERE job_id = $1',
        [id],
      )
    ).rows
    return row?.last ?? 0
  }

  async unfinished(): Promise<string[]> {
    const rows = (
      await this.database.pool.query<{ id: string }>(
        `SELECT id FROM workflow_jobs WHERE status IN ('running', 'cancelling') ORDER BY position`,
      )
    ).rows
    return rows.map((row) => row.id)
  }

  /** The pool is the shared database's: its owner ends it. */
  async close(): Promise<void> {}
}
