-- Up Migration
-- Users and their bearer tokens (src/identity/postgres-user-store.ts). Usernames compare without
-- case: the unique index on lower(username) makes ALICE collide with alice, as SQLite's NOCASE does.
CREATE TABLE helpdesk_users (
  username TEXT PRIMARY KEY,
  position BIGSERIAL NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('requester', 'technician', 'admin')),
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX helpdesk_users_by_name ON helpdesk_users (lower(username));
CREATE TABLE helpdesk_tokens (
  id TEXT PRIMARY KEY,
  position BIGSERIAL NOT NULL,
  username TEXT NOT NULL REFERENCES helpdesk_users (username),
  token_sha256 TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT,
  last_used_at TEXT
);
CREATE INDEX helpdesk_tokens_by_user ON helpdesk_tokens (lower(username));
