-- Up Migration
-- The built-in ticket queue (src/tickets/postgres-ticket-store.ts): one ticket per hand-off
-- (session, turn), whichever replica opens it.
CREATE TABLE tickets (
  number INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
  UNIQUE (session_id, turn)
);
CREATE INDEX tickets_by_status ON tickets (status, number);
CREATE INDEX tickets_by_requester ON tickets (lower(requester), number);
