-- Up Migration
-- What the shared vector collection (Chroma at CHROMA_URL) holds, per collection: the runbook
-- revision and embedding fingerprint its last writer indexed (src/knowledge/shared/). Written
-- only under the collection's advisory lock, so replicas never index over each other.
CREATE TABLE vector_index_marks (
  collection TEXT PRIMARY KEY,
  revision BIGINT NOT NULL,
  fingerprint TEXT NOT NULL,
  chunks INTEGER NOT NULL,
  indexed_at TEXT NOT NULL,
  indexed_by TEXT NOT NULL
);
