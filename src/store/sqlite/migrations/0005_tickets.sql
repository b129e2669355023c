-- Tickets (hand-offs to a person).
-- Current DDL of src/tickets/sqlite-ticket-store.ts.
-- CREATE ... IF NOT EXISTS: a database made before these migrations is adopted unchanged (its
-- store keeps its own copy as a second line). Never edit an applied file; add the next number.
CREATE TABLE IF NOT EXISTS tickets (
  number INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  requester TEXT NOT NULL,
  owner TEXT,
  subject TEXT NOT NULL,
  reason TEXT NOT NULL CHECK (reason IN ('requested', 'needs_a_person')),
  session_id TEXT NOT NULL,
  turn INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'picked_up', 'answered', 'closed')),
  assignee TEXT,
  transcript TEXT NOT NULL,
  messages TEXT NOT NULL,
  external TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL,
  -- One ticket per hand-off: the same turn of a conversation never opens a second one.
  UNIQUE (session_id, turn)
);
CREATE INDEX IF NOT EXISTS tickets_by_status ON tickets (status, number);
CREATE INDEX IF NOT EXISTS tickets_by_requester ON tickets (requester COLLATE NOCASE, number);
