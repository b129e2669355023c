-- Paused agent runs, two tables per framework (PausedRunFramework).
-- Current DDL of src/agent/paused/sqlite-paused-run-store.ts.
-- CREATE ... IF NOT EXISTS: a database made before these migrations is adopted unchanged (its
-- store keeps its own copy as a second line). Never edit an applied file; add the next number.
CREATE TABLE IF NOT EXISTS langgraph_approval_threads (approval_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS langgraph_approval_threads_by_thread ON langgraph_approval_threads (thread_id);
CREATE TABLE IF NOT EXISTS langgraph_approval_threads_states (thread_id TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS langchain_approval_threads (approval_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS langchain_approval_threads_by_thread ON langchain_approval_threads (thread_id);
CREATE TABLE IF NOT EXISTS langchain_approval_threads_states (thread_id TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS openai_agents_approval_threads (approval_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS openai_agents_approval_threads_by_thread ON openai_agents_approval_threads (thread_id);
CREATE TABLE IF NOT EXISTS openai_agents_approval_threads_states (thread_id TEXT PRIMARY KEY, state TEXT NOT NULL);
