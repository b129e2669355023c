-- Conversations.
-- Current DDL of src/agent/core/sqlite-session-store.ts.
-- CREATE ... IF NOT EXISTS: a database made before these migrations is adopted unchanged (its
-- store keeps its own copy as a second line). Never edit an applied file; add the next number.
CREATE TABLE IF NOT EXISTS chat_sessions (
  id TEXT PRIMARY KEY,
  owner TEXT,
  requester TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  first_message TEXT,
  state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chat_sessions_by_owner ON chat_sessions (owner, updated_at);
