-- Browser (OIDC) sessions and sign-ins under way.
-- Current DDL of src/server/oidc/sqlite-browser-session-store.ts.
-- CREATE ... IF NOT EXISTS: a database made before these migrations is adopted unchanged (its
-- store keeps its own copy as a second line). Never edit an applied file; add the next number.
CREATE TABLE IF NOT EXISTS helpdesk_browser_sessions (
  id_sha256 TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  role TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  id_token TEXT,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS helpdesk_pending_sign_ins (
  id_sha256 TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
