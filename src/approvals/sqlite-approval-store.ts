import type { DatabaseSync } from 'node:sqlite'
import { HelpdeskError } from '../errors/index.ts'
import { openProjectDatabase } from '../store/open-project-database.ts'
import { type ApprovalRequestRow, bodyOf, requestFromRow } from './approval-request-row.ts'
import type {
  ApprovalDecision,
  ApprovalExecution,
  ApprovalInterruption,
  ApprovalListFilter,
  ApprovalRequest,
  ApprovalStatus,
  ApprovalStore,
  NewApprovalRequest,
} from './approval-store.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS approval_requests (
  id TEXT PRIMARY KEY,
  requester TEXT NOT NULL,
  task_type TEXT NOT NULL,
  level INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'executed', 'interrupted')),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  version INTEGER NOT NULL,
  -- plan, steps, runbook and session: written once, never changed
  body TEXT NOT NULL,
  decisions TEXT NOT NULL,
  execution TEXT,
  interruption TEXT
);
CREATE INDEX IF NOT EXISTS approval_requests_by_status ON approval_requests (status, created_at);
CREATE INDEX IF NOT EXISTS approval_requests_by_requester ON approval_requests (requester, created_at);
`

/** Approval requests in the project's SQLite file (`node:sqlite`): the embedded default. */
export class SqliteApprovalStore implements ApprovalStore {
  private readonly database: DatabaseSync

  /** @param options.file a path, or `:memory:` */
  constructor(options: { file: string }) {
    this.database = openProjectDatabase(options.file)
    upgradeSchema(this.database)
    this.database.exec(SCHEMA)
  }

  async create(request: NewApprovalRequest): Promise<ApprovalRequest> {
    const inserted = this.database
      .prepare(
        `INSERT INTO approval_requests
           (id, requester, task_type, level, status, created_at, expires_at, version, body, decisions)
         VALUES (?, ?, ?, ?, 'pending', ?, ?, 1, ?, '[]')
         ON CONFLICT (id) DO NOTHING`,
      )
      .run(
        request.id,
        request.requester,
        request.taskType,
        request.level,
        request.createdAt,
        request.expiresAt,
        bodyOf(request),
      )
    if (inserted.changes === 0) {
      throw new HelpdeskError({
        code: 'APPROVAL_CONFLICT',
        category: 'SYSTEM',
        message: `an approval request with id ${request.id} exists already`,
      })
    }
    return this.require(request.id)
  }

  async get(id: string): Promise<ApprovalRequest | undefined> {
    const row = this.database.prepare('SELECT * FROM approval_requests WHERE id = ?').get(id) as
      | ApprovalRequestRow
      | undefined
    return row ? requestFromRow(row) : undefined
  }

  async list(filter: ApprovalListFilter = {}): Promise<ApprovalRequest[]> {
    const rows = this.database
      .prepare(
        `SELECT * FROM approval_requests
         WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR requester = ?2 COLLATE NOCASE)
         ORDER BY created_at DESC, rowid DESC LIMIT ?3`,
      )
      .all(
        filter.status ?? null,
        filter.requester ?? null,
        filter.limit ?? 100,
      ) as unknown as ApprovalRequestRow[]
    return rows.map(requestFromRow)
  }

  async decide(
    id: string,
    expectedVersion: number,
    decision: ApprovalDecision,
    status: 'pending' | 'approved' | 'denied',
  ): Promise<ApprovalRequest | undefined> {
    // The WHERE clause is the compare-and-set: one UPDATE, so two deciders cannot both match.
    const rows = this.database
      .prepare(
        `UPDATE approval_requests
         SET status = ?, decisions = json_insert(decisions, '$[#]', json(?)), version = version + 1
         WHERE id = ? AND version = ? AND status = 'pending'
         RETURNING *`,
      )
      .all(status, JSON.stringify(decision), id, expectedVersion) as unknown as ApprovalRequestRow[]
    return rows[0] ? requestFromRow(rows[0]) : undefined
  }

  async expireDue(now: Date, id?: string): Promise<ApprovalRequest[]> {
    const rows = this.database
      .prepare(
        `UPDATE approval_requests SET status = 'expired', version = version + 1
         WHERE status = 'pending' AND expires_at <= ? AND (? IS NULL OR id = ?)
         RETURNING *`,
      )
      .all(now.toISOString(), id ?? null, id ?? null) as unknown as ApprovalRequestRow[]
    return rows
      .map(requestFromRow)
      .sort((left, right) => left.createdAt.localeCompare(right.createdAt))
  }

  async markExecuted(
    id: string,
    execution: ApprovalExecution,
  ): Promise<ApprovalRequest | undefined> {
    const rows = this.database
      .prepare(
        `UPDATE approval_requests SET status = 'executed', execution = ?, version = version + 1
         WHERE id = ? AND (status = 'approved' OR (
           status = 'executed' AND ? <> 'unknown' AND json_extract(execution, '$.outcome') = 'unknown'
         ))
         RETURNING *`,
      )
      .all(JSON.stringify(execution), id, execution.outcome) as unknown as ApprovalRequestRow[]
    return rows[0] ? requestFromRow(rows[0]) : undefined
  }

  async markInterrupted(
    id: string,
    expectedVersion: number,
    interruption: ApprovalInterruption,
  ): Promise<ApprovalRequest | undefined> {
    return this.move(id, expectedVersion, 'approved', 'interrupted', interruption)
  }

  async markResumed(
    id: string,
    expectedVersion: number,
    interruption: ApprovalInterruption,
  ): Promise<ApprovalRequest | undefined> {
    return this.move(id, expectedVersion, 'interrupted', 'approved', interruption)
  }

  private move(
    id: string,
    expectedVersion: number,
    from: ApprovalStatus,
    to: ApprovalStatus,
    interruption: ApprovalInterruption,
  ): ApprovalRequest | undefined {
    const rows = this.database
      .prepare(
        `UPDATE approval_requests SET status = ?, interruption = ?, version = version + 1
         WHERE id = ? AND version = ? AND status = ?
         RETURNING *`,
      )
      .all(
        to,
        JSON.stringify(interruption),
        id,
        expectedVersion,
        from,
      ) as unknown as ApprovalRequestRow[]
    return rows[0] ? requestFromRow(rows[0]) : undefined
  }

  async close(): Promise<void> {
    if (this.database.isOpen) this.database.close()
  }

  private async require(id: string): Promise<ApprovalRequest> {
    const request = await this.get(id)
    if (!request) throw new Error(`approval request ${id} vanished right after it was written`)
    return request
  }
}

/**
 * A store written before runs could be `interrupted` has a status CHECK without it and no
 * `interruption` column. SQLite cannot change a CHECK in place, so the table is rebuilt once,
 * in one transaction (another process opening the file at the same time waits, then sees the
 * new table and does nothing).
 */
function upgradeSchema(database: DatabaseSync): void {
  const current = () =>
    (
      database
        .prepare(
          "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'approval_requests'",
        )
        .get() as { sql: string } | undefined
    )?.sql
  const before = current()
  if (before === undefined || before.includes("'interrupted'")) return
  database.exec('BEGIN IMMEDIATE')
  try {
    const again = current()
    if (again !== undefined && !again.includes("'interrupted'")) {
      database.exec(`
        ALTER TABLE approval_requests RENAME TO approval_requests_before_interrupted;
        DROP INDEX IF EXISTS approval_requests_by_status;
        DROP INDEX IF EXISTS approval_requests_by_requester;
        ${SCHEMA}
        INSERT INTO approval_requests
          (id, requester, task_type, level, status, created_at, expires_at, version, body,
           decisions, execution)
        SELECT id, requester, task_type, level, status, created_at, expires_at, version, body,
           decisions, execution
        FROM approval_requests_before_interrupted ORDER BY rowid;
        DROP TABLE approval_requests_before_interrupted;
      `)
    }
    database.exec('COMMIT')
  } catch (error) {
    database.exec('ROLLBACK')
    throw error
  }
}
