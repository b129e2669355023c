/**
 * The job store in the project's SQLite file (`node:sqlite`): the embedded engine's state.
 *
 * `synchronous = NORMAL`: every commit is in the WAL when the call returns, so a killed server
 * process loses nothing (the restart test kills it with SIGKILL); only a power cut could lose the
 * last commits. FULL would put a disk flush in the event loop for every cell change and event.
 * @module
 */
import type { DatabaseSync } from 'node:sqlite'
import { HelpdeskError } from '../errors/index.ts'
import { openProjectDatabase } from '../store/open-project-database.ts'
import type {
  JobCell,
  JobEvent,
  JobEventBody,
  JobListFilter,
  JobRecord,
  JobStatus,
} from './job-model.ts'
import type { CellChange, JobStore } from './job-store.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS workflow_jobs (
  id TEXT PRIMARY KEY,
  record TEXT NOT NULL,
  status TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS workflow_job_cells (
  job_id TEXT NOT NULL,
  step_index INTEGER NOT NULL,
  target TEXT NOT NULL,
  cell TEXT NOT NULL,
  PRIMARY KEY (job_id, step_index, target)
);
CREATE TABLE IF NOT EXISTS workflow_job_events (
  job_id TEXT NOT NULL,
  id INTEGER NOT NULL,
  at TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (job_id, id)
);
`

export class SqliteJobStore implements JobStore {
  private readonly database: DatabaseSync

  /** @param options.file a path, or `:memory:` */
  constructor(options: { file: string }) {
    this.database = openProjectDatabase(options.file, { synchronous: 'NORMAL' })
    this.database.exec(SCHEMA)
  }

  async create(job: JobRecord): Promise<void> {
    const insertCell = this.database.prepare(
      'INSERT INTO workflow_job_cells (job_id, step_index, target, cell) VALUES (?, ?, ?, ?)',
    )
    this.database.exec('BEGIN IMMEDIATE')
    try {
      const inserted = this.database
        .prepare(
          `INSERT INTO workflow_jobs (id, record, status, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (id) DO NOTHING`,
        )
        .run(job.id, JSON.stringify(job), job.status, job.updatedAt)
      if (inserted.changes !== 1) {
        throw new HelpdeskError({ code: 'INVALID_INPUT', message: `job ${job.id} exists already` })
      }
      job.workflow.steps.forEach((_, stepIndex) => {
        for (const target of job.workflow.targets) {
          const cell: JobCell = { stepIndex, target, state: 'pending' }
          insertCell.run(job.id, stepIndex, target, JSON.stringify(cell))
        }
      })
      this.database.exec('COMMIT')
    } catch (error) {
      this.database.exec('ROLLBACK')
      throw error
    }
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = this.database
      .prepare('SELECT record, status, updated_at FROM workflow_jobs WHERE id = ?')
      .get(id) as { record: string; status: JobStatus; updated_at: string } | undefined
    if (!row) return undefined
    const record = JSON.parse(row.record) as JobRecord
    return { ...record, status: row.status, updatedAt: row.updated_at }
  }

  async list(filter: JobListFilter): Promise<JobRecord[]> {
    // The record is stored as JSON: its fields are read with SQLite's JSON functions, so one
    // statement filters and orders, and only the page asked for is parsed.
    const rows = this.database
      .prepare(
        `SELECT record, status, updated_at FROM workflow_jobs
         WHERE (:status IS NULL OR status = :status)
           AND (:requester IS NULL OR lower(json_extract(record, '$.requester')) = lower(:requester))
           AND (:operation IS NULL OR EXISTS (
             SELECT 1 FROM json_each(record, '$.workflow.steps')
             WHERE json_extract(value, '$.operation') = :operation))
           AND (:target IS NULL OR EXISTS (
             SELECT 1 FROM json_each(record, '$.workflow.targets') WHERE lower(value) = lower(:target)))
           AND (:from IS NULL OR json_extract(record, '$.createdAt') >= :from)
           AND (:to IS NULL OR json_extract(record, '$.createdAt') < :to)
         ORDER BY json_extract(record, '$.createdAt') DESC, id
         LIMIT :limit`,
      )
      .all({
        status: filter.status ?? null,
        requester: filter.requester ?? null,
        operation: filter.operation ?? null,
        target: filter.target ?? null,
        from: filter.from ?? null,
        to: filter.to ?? null,
        limit: filter.limit ?? 50,
      }) as Array<{ record: string; status: JobStatus; updated_at: string }>
    return rows.map((row) => ({
      ...(JSON.parse(row.record) as JobRecord),
      status: row.status,
      updatedAt: row.updated_at,
    }))
  }

  async cells(id: string): Promise<JobCell[]> {
    const rows = this.database
      .prepare('SELECT cell FROM workflow_job_cells WHERE job_id = ? ORDER BY step_index, rowid')
      .all(id) as Array<{ cell: string }>
    return rows.map((row) => JSON.parse(row.cell) as JobCell)
  }

  async updateCell(
    id: string,
    stepIndex: number,
    target: string,
    change: CellChange,
  ): Promise<void> {
    const cell: JobCell = { stepIndex, target, ...change }
    this.database
      .prepare(
        'UPDATE workflow_job_cells SET cell = ? WHERE job_id = ? AND step_index = ? AND target = ?',
      )
      .run(JSON.stringify(cell), id, stepIndex, target)
  }

  async setStatus(id: string, status: JobStatus, at: string): Promise<void> {
    const ended = status === 'succeeded' || status === 'failed' || status === 'cancelled'
    // The record's endedAt is kept in its JSON; the status column is what queries read.
    const row = this.database.prepare('SELECT record FROM workflow_jobs WHERE id = ?').get(id) as
      | { record: string }
      | undefined
    if (!row) return
    const record = JSON.parse(row.record) as JobRecord
    record.status = status
    record.updatedAt = at
    if (ended) record.endedAt = at
    this.database
      .prepare('UPDATE workflow_jobs SET record = ?, status = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify(record), status, at, id)
  }

  async append(id: string, body: JobEventBody): Promise<JobEvent> {
    const at = new Date().toISOString()
    // One statement numbers and inserts, so two writers can never take the same number.
    const row = this.database
      .prepare(
        `INSERT INTO workflow_job_events (job_id, id, at, body)
         VALUES (?, (SELECT COALESCE(MAX(id), 0) + 1 FROM workflow_job_events WHERE job_id = ?), ?, ?)
         RETURNING id`,
      )
      .get(id, id, at, JSON.stringify(body)) as { id: number }
    return { ...body, id: row.id, at }
  }

  async eventsAfter(id: string, afterId: number, limit: number): Promise<JobEvent[]> {
    const rows = this.database
      .prepare(
        'SELECT id, at, body FROM workflow_job_events WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?',
      )
      .all(id, afterId, limit) as Array<{ id: number; at: string; body: string }>
    return rows.map((row) => ({
      ...(JSON.parse(row.body) as JobEventBody),
      id: row.id,
      at: row.at,
    }))
  }

  async lastEventId(id: string): Promise<number> {
    const row = this.database
      .prepare('SELECT COALESCE(MAX(id), 0) AS last FROM workflow_job_events WHERE job_id = ?')
      .get(id) as { last: number }
    return row.last
  }

  async unfinished(): Promise<string[]> {
    const rows = this.database
      .prepare(
        `SELECT id FROM workflow_jobs WHERE status IN ('running', 'cancelling') ORDER BY rowid`,
      )
      .all() as Array<{ id: string }>
    return rows.map((row) => row.id)
  }

  async close(): Promise<void> {
    if (this.database.isOpen) this.database.close()
  }
}
