-- Up Migration
-- Runbook versions (src/knowledge/library/postgres-runbook-store.ts): every version of every
-- runbook and of the out-of-scope topics; the current text is the latest version that is not a
-- deletion. `sequence` is the store's revision: batches are written under a table lock, so it
-- grows in commit order and a replica can tell cheaply that another one changed something.
CREATE TABLE runbook_versions (
  sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('runbook', 'out_of_scope')),
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  change TEXT NOT NULL,
  text TEXT NOT NULL,
  author TEXT NOT NULL,
  reason TEXT NOT NULL,
  at TEXT NOT NULL,
  UNIQUE (kind, id, version)
);
