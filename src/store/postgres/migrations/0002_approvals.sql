-- Up Migration
-- Approval requests (src/approvals/postgres-approval-store.ts) and the step execution ledger
-- (src/approvals/postgres-step-execution-ledger.ts): compare-and-set on version, and one ledger
-- row per idempotency key, decided by the primary key across every replica.
CREATE TABLE approval_requests (
  id TEXT PRIMARY KEY,
  -- Insertion order, the tie-break of list (SQLite's rowid).
  position BIGSERIAL NOT NULL,
  requester TEXT NOT NULL,
  task_type TEXT NOT NULL,
  level INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'executed', 'interrupted')),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  version INTEGER NOT NULL,
  body TEXT NOT NULL,
  decisions JSONB NOT NULL,
  execution JSONB,
  interruption JSONB
);
CREATE INDEX approval_requests_by_status ON approval_requests (status, created_at);
CREATE INDEX approval_requests_by_requester ON approval_requests (lower(requester), created_at);

CREATE TABLE approval_step_executions (
  idempotency_key TEXT PRIMARY KEY,
  position BIGSERIAL NOT NULL,
  approval_id TEXT NOT NULL,
  step_id TEXT NOT NULL,
  target TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  result TEXT
);
CREATE INDEX approval_step_executions_by_approval ON approval_step_executions (approval_id, position);
