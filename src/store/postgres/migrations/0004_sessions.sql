-- Up Migration
-- Conversations (src/agent/core/postgres-session-store.ts): who and whose as columns, set once;
-- what a turn changes as one JSON document.
CREATE TABLE chat_sessions (
  id TEXT PRIMARY KEY,
  position BIGSERIAL NOT NULL,
  owner TEXT,
  requester TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  first_message TEXT,
  state TEXT NOT NULL
);
CREATE INDEX chat_sessions_by_owner ON chat_sessions (owner, updated_at);
