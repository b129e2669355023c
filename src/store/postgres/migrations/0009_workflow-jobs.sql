-- Up Migration
-- Numbered 0009: main took 0006-0008 (runbooks, browser sessions, paused runs) while this was written.
-- Background jobs (src/jobs/postgres-job-store.ts): the record whole as JSON, its cells, and its
-- numbered events (the SSE stream replays them by number from any API replica).
CREATE TABLE workflow_jobs (
  position BIGINT GENERATED ALWAYS AS IDENTITY,
  id TEXT PRIMARY KEY,
  record TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'cancelling', 'succeeded', 'failed', 'cancelled')),
  updated_at TEXT NOT NULL,
  -- The last event's number: appends take the next one under this row's lock.
  last_event INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX workflow_jobs_unfinished ON workflow_jobs (position) WHERE status IN ('running', 'cancelling');
CREATE TABLE workflow_job_cells (
  job_id TEXT NOT NULL REFERENCES workflow_jobs (id) ON DELETE CASCADE,
  step_index INTEGER NOT NULL,
  target_position INTEGER NOT NULL,
  target TEXT NOT NULL,
  cell TEXT NOT NULL,
  PRIMARY KEY (job_id, step_index, target)
);
CREATE TABLE workflow_job_events (
  job_id TEXT NOT NULL REFERENCES workflow_jobs (id) ON DELETE CASCADE,
  id INTEGER NOT NULL,
  at TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (job_id, id)
);
