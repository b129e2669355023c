-- Approval requests and the step execution ledger.
-- Current DDL of src/approvals/sqlite-approval-store.ts and sqlite-step-execution-ledger.ts.
-- CREATE ... IF NOT EXISTS: a database made before these migrations is adopted unchanged (its
-- store keeps its own copy as a second line). Never edit an applied file; add the next number.
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
