-- Background jobs: records, cells and numbered events.
-- Current DDL of src/jobs/sqlite-job-store.ts.
-- CREATE ... IF NOT EXISTS: a database made before these migrations is adopted unchanged (its
-- store keeps its own copy as a second line). Never edit an applied file; add the next number.
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
