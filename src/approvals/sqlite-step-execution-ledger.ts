import type { DatabaseSync } from 'node:sqlite'
import type { StepResult } from '../executors/executor.ts'
import { openProjectDatabase } from '../store/open-project-database.ts'
import type { LedgerClaim, LedgerEntry, StepExecutionLedger } from './step-execution-ledger.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS approval_step_executions (
  idempotency_key TEXT PRIMARY KEY,
  approval_id TEXT NOT NULL,
  step_id TEXT NOT NULL,
  target TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  result TEXT
);
CREATE INDEX IF NOT EXISTS approval_step_executions_by_approval
  ON approval_step_executions (approval_id);
`

interface Row {
  idempotency_key: string
  approval_id: string
  step_id: string
  target: string | null
  started_at: string
  finished_at: string | null
  result: string | null
}

/** The step execution ledger in the project's SQLite file (`node:sqlite`). */
export class SqliteStepExecutionLedger implements StepExecutionLedger {
  private readonly database: DatabaseSync

  /** @param options.file a path, or `:memory:` */
  constructor(options: { file: string }) {
    this.database = openProjectDatabase(options.file)
    this.database.exec(SCHEMA)
  }

  async begin(entry: Omit<LedgerEntry, 'finishedAt' | 'result'>): Promise<LedgerClaim> {
    // The primary key decides: only one INSERT of a key can succeed, whichever process makes it.
    const inserted = this.database
      .prepare(
        `INSERT INTO approval_step_executions
           (idempotency_key, approval_id, step_id, target, started_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (idempotency_key) DO NOTHING`,
      )
      .run(entry.key, entry.approvalId, entry.stepId, entry.target ?? null, entry.startedAt)
    const stored = await this.get(entry.key)
    if (!stored) throw new Error(`ledger entry ${entry.key} vanished right after it was written`)
    return { claimed: inserted.changes === 1, entry: stored }
  }

  async finish(key: string, result: StepResult, finishedAt: string): Promise<boolean> {
    const updated = this.database
      .prepare(
        `UPDATE approval_step_executions SET result = ?, finished_at = ?
         WHERE idempotency_key = ? AND result IS NULL`,
      )
      .run(JSON.stringify(result), finishedAt, key)
    return updated.changes === 1
  }

  async get(key: string): Promise<LedgerEntry | undefined> {
    const row = this.database
      .prepare('SELECT * FROM approval_step_executions WHERE idempotency_key = ?')
      .get(key) as Row | undefined
    return row ? toEntry(row) : undefined
  }

  async listFor(approvalId: string): Promise<LedgerEntry[]> {
    const rows = this.database
      .prepare('SELECT * FROM approval_step_executions WHERE approval_id = ? ORDER BY rowid')
      .all(approvalId) as unknown as Row[]
    return rows.map(toEntry)
  }

  async close(): Promise<void> {
    if (this.database.isOpen) this.database.close()
  }
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
