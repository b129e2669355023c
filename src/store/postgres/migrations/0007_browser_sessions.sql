-- Up Migration
-- Browser sign-in (src/server/oidc/postgres-browser-session-store.ts): signed-in sessions and
-- sign-ins under way, by the SHA-256 of the id the browser holds, so every replica knows them.
CREATE TABLE helpdesk_browser_sessions (
  id_sha256 TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  role TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  id_token TEXT,
  expires_at BIGINT NOT NULL
);
CREATE INDEX helpdesk_browser_sessions_by_expiry ON helpdesk_browser_sessions (expires_at);
CREATE TABLE helpdesk_pending_sign_ins (
  id_sha256 TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX helpdesk_pending_sign_ins_by_expiry ON helpdesk_pending_sign_ins (expires_at);
