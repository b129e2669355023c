-- Employees' ratings of the agent's replies.
-- Current DDL of src/analytics/feedback/sqlite-reply-feedback-store.ts.
-- CREATE ... IF NOT EXISTS: a database made before these migrations is adopted unchanged (its
-- store keeps its own copy as a second line). Never edit an applied file; add the next number.
CREATE TABLE IF NOT EXISTS reply_feedback (
  session_id TEXT NOT NULL,
  reply INTEGER NOT NULL,
  owner TEXT NOT NULL,
  rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
  task_types TEXT NOT NULL,
  at TEXT NOT NULL,
  -- One rating per reply: rating again replaces it.
  PRIMARY KEY (session_id, reply)
);
CREATE INDEX IF NOT EXISTS reply_feedback_by_time ON reply_feedback (at);
