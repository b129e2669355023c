-- Up Migration
-- Employees' thumbs up or down on the agent's replies (src/analytics/feedback/): one rating per
-- reply, replaced when rated again.
CREATE TABLE reply_feedback (
  session_id TEXT NOT NULL,
  reply INTEGER NOT NULL,
  owner TEXT NOT NULL,
  rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
  task_types TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (session_id, reply)
);
CREATE INDEX reply_feedback_by_time ON reply_feedback (at);
