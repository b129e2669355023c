-- Users and their tokens (roles as in src/identity/user.ts ROLES).
-- Current DDL of src/identity/sqlite-user-schema.ts.
-- CREATE ... IF NOT EXISTS: a database made before these migrations is adopted unchanged (its
-- store keeps its own copy as a second line). Never edit an applied file; add the next number.
CREATE TABLE IF NOT EXISTS helpdesk_users (
  username TEXT PRIMARY KEY COLLATE NOCASE,
  role TEXT NOT NULL CHECK (role IN ('requester', 'technician', 'admin')),
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS helpdesk_tokens (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL COLLATE NOCASE REFERENCES helpdesk_users (username),
  token_sha256 TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT,
  last_used_at TEXT
);
CREATE INDEX IF NOT EXISTS helpdesk_tokens_by_user ON helpdesk_tokens (username);
