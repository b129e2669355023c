import type { StepResult } from '../executors/executor.ts'
import type { PostgresDatabase } from '../store/postgres/postgres-database.ts'
import type { LedgerClaim, LedgerEntry, StepExecutionLedger } from './step-execution-ledger.ts'

/**
 * The step execution ledger in PostgreSQL (migration `0002_approvals.sql`). The primary key
 * decides `begin`: of any number of replicas inserting one key at once, PostgreSQL lets exactly
 * one INSERT through (the others wait on the key, then do nothing), and the insert is committed
 * before `begin` returns.
 * @module
 */

interface Row {
  idempotency_key: string
  approval_id: string
  step_id: string
  target: string | null
  started_at: string
  finished_at: string | null
  result: string | null
}

export class PostgresStepExecutionLedger implements StepExecutionLedger {
  private readonly database: PostgresDatabase

  constructor(options: { database: PostgresDatabase }) {
    this.database = options.database
  }

  async begin(entry: Omit<LedgerEntry, 'finishedAt' | 'result'>): Promise<LedgerClaim> {
    const inserted = await this.database.pool.query(
      `INSERT INTO approval_step_executions
         (idempotency_key, approval_id, step_id, target, started_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [entry.key, entry.approvalId, entry.stepId, entry.target ?? null, entry.startedAt],
    )
    const stored = await this.get(entry.key)
    if (!stored) throw new Error(`ledger entry ${entry.key} vanished right after it was written`)
    return { claimed: inserted.rowCount === 1, entry: stored }
  }

  async finish(key: string, result: StepResult, finishedAt: string): Promise<boolean> {
    const updated = await this.database.pool.query(
      `UPDATE approval_step_executions SET result = $1, finished_at = $2
       WHERE idempotency_key = $3 AND result IS NULL`,
      [JSON.stringify(result), finishedAt, key],
    )
    return updated.rowCount === 1
  }

  async get(key: string): Promise<LedgerEntry | undefined> {
    const [row] = (
      await this.database.pool.query<Row>(
        'SELECT * FROM approval_step_executions WHERE idempotency_key = $1',
        [key],
      )
    ).rows
    return row ? toEntry(row) : undefined
  }

  async listFor(approvalId: string): Promise<LedgerEntry[]> {
    const rows = (
      await this.database.pool.query<Row>(
        'SELECT * FROM approval_step_executions WHERE approval_id = $1 ORDER BY position',
        [approvalId],
      )
    ).rows
    return rows.map(toEntry)
  }

  /** The pool is the shared database's: its owner ends it. */
  async close(): Promise<void> {}
}

function toEntry(row: Row): LedgerEntry {
  return {
    key: row.idempotency_key,
    approvalId: row.approval_id,
    stepId: row.step_id,
    ...(row.target !== null ? { target: row.target } : {}),
    startedAt: row.started_at,
    ...(row.finished_at !== null ? { finishedAt: row.finished_at } : {}),
    ...(row.result !== null ? { result: JSON.parse(row.result) as StepResult } : {}),
  }
}
