-- Up Migration
-- Paused agent runs (src/agent/paused/postgres-paused-run-store.ts): which framework run waits
-- on which approval request, and the serialized state of runs that resume from one, so a
-- decision taken on any replica resumes the run another replica paused.
CREATE TABLE paused_run_approvals (
  framework TEXT NOT NULL,
  approval_id TEXT NOT NULL,
  thread_id TEXT NOT NULL,
  position BIGINT GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (framework, approval_id)
);
CREATE INDEX paused_run_approvals_by_thread ON paused_run_approvals (framework, thread_id, position);
CREATE TABLE paused_run_states (
  framework TEXT NOT NULL,
  thread_id TEXT NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (framework, thread_id)
);
