import { HelpdeskError } from '../errors/index.ts'
import type { PostgresDatabase } from '../store/postgres/postgres-database.ts'
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

/**
 * Approval requests in PostgreSQL (tables: migration `0002_approvals.sql`). Every change is one
 * UPDATE whose WHERE clause is the compare-and-set (id, version, status): under READ COMMITTED a
 * second UPDATE of the same row waits for the first to commit, re-checks its WHERE against the
 * new row and matches nothing, so of two replicas deciding at once exactly one wins.
 * @module
 */

export class PostgresApprovalStore implements ApprovalStore {
  private readonly database: PostgresDatabase

  constructor(options: { database: PostgresDatabase }) {
    this.database = options.database
  }

  private async rows(text: string, values: unknown[]): Promise<ApprovalRequestRow[]> {
    return (await this.database.pool.query<ApprovalRequestRow>(text, values)).rows
  }

  async create(request: NewApprovalRequest): Promise<ApprovalRequest> {
    const [row] = await this.rows(
      `INSERT INTO approval_requests
         (id, requester, task_type, level, status, created_at, expires_at, version, body, decisions)
       VALUES ($1, $2, $3, $4, 'pending', $5, $6, 1, $7, '[]'::jsonb)
       ON CONFLICT (id) DO NOTHING
       RETURNING *`,
      [
        request.id,
        request.requester,
        request.taskType,
        request.level,
        request.createdAt,
        request.expiresAt,
        bodyOf(request),
      ],
    )
    if (!row)
      throw new HelpdeskError({
        code: 'APPROVAL_CONFLICT',
        category: 'SYSTEM',
        message: `an approval request with id ${request.id} exists already`,
      })
    return requestFromRow(row)
  }

  async get(id: string): Promise<ApprovalRequest | undefined> {
    const [row] = await this.rows('SELECT * FROM approval_requests WHERE id = $1', [id])
    return row ? requestFromRow(row) : undefined
  }

  async list(filter: ApprovalListFilter = {}): Promise<ApprovalRequest[]> {
    const rows = await this.rows(
      `SELECT * FROM approval_requests
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR lower(requester) = lower($2))
       ORDER BY created_at DESC, position DESC LIMIT $3`,
      [filter.status ?? null, filter.requester ?? null, filter.limit ?? 100],
    )
    return rows.map(requestFromRow)
  }

  async decide(
    id: string,
    expectedVersion: number,
    decision: ApprovalDecision,
    status: 'pending' | 'approved' | 'denied',
  ): Promise<ApprovalRequest | undefined> {
    const [row] = await this.rows(
      `UPDATE approval_requests
       SET status = $1, decisions = decisions || jsonb_build_array($2::jsonb), version = version + 1
       WHERE id = $3 AND version = $4 AND status = 'pending'
       RETURNING *`,
      [status, JSON.stringify(decision), id, expectedVersion],
    )
    return row ? requestFromRow(row) : undefined
  }

  async expireDue(now: Date, id?: string): Promise<ApprovalRequest[]> {
    const rows = await this.rows(
      `UPDATE approval_requests SET status = 'expired', version = version + 1
       WHERE status = 'pending' AND expires_at <= $1 AND ($2::text IS NULL OR id = $2)
       RETURNING *`,
      [now.toISOString(), id ?? null],
    )
    return rows
      .map(requestFromRow)
      .sort((left, right) => left.createdAt.localeCompare(right.createdAt))
  }

  async markExecuted(
    id: string,
    execution: ApprovalExecution,
  ): Promise<ApprovalRequest | undefined> {
    const [row] = await this.rows(
      `UPDATE approval_requests SET status = 'executed', execution = $1::jsonb, version = version + 1
       WHERE id = $2 AND (status = 'approved' OR (
         status = 'executed' AND $3 <> 'unknown' AND execution->>'outcome' = 'unknown'
       ))
       RETURNING *`,
      [JSON.stringify(execution), id, execution.outcome],
    )
    return row ? requestFromRow(row) : undefined
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

  private async move(
    id: string,
    expectedVersion: number,
    from: ApprovalStatus,
    to: ApprovalStatus,
    interruption: ApprovalInterruption,
  ): Promise<ApprovalRequest | undefined> {
    const [row] = await this.rows(
      `UPDATE approval_requests SET status = $1, interruption = $2::jsonb, version = version + 1
       WHERE id = $3 AND version = $4 AND status = $5
       RETURNING *`,
      [to, JSON.stringify(interruption), id, expectedVersion, from],
    )
    return row ? requestFromRow(row) : undefined
  }

  /** The pool is the shared database's: its owner ends it. */
  async close(): Promise<void> {}
}
