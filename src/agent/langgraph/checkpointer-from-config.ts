import type { DatabaseSync } from 'node:sqlite'
import { type BaseCheckpointSaver, MemorySaver } from '@langchain/langgraph-checkpoint'
import type { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres'
import type pg from 'pg'
import { HelpdeskError } from '../../errors/index.ts'
import {
  addressOf,
  databaseFailure,
  parseDatabaseUrl,
  scrub,
} from '../../store/postgres/database-url.ts'
import { NodeSqliteCheckpointSaver } from './node-sqlite-checkpoint-saver.ts'

/**
 * Where LangGraph keeps its checkpoints (the interrupted runs that wait for an approval):
 * PostgreSQL when `LANGGRAPH_CHECKPOINT_URL` is set, the project's SQLite file otherwise, memory
 * when there is neither. Connection URLs carry passwords, so no message or detail here ever
 * holds the URL itself: only host, port, database and user (parsing, scrubbing and failure
 * messages are `src/store/postgres/database-url.ts`'s, shared with `DATABASE_URL`).
 * @module
 */

export const CHECKPOINT_URL_VARIABLE = 'LANGGRAPH_CHECKPOINT_URL'
/** One schema of its own, so the four checkpoint tables never meet an application's tables. */
export const DEFAULT_CHECKPOINT_SCHEMA = 'helpdesk_langgraph'
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
const CHECKPOINT_DATABASE = {
  variable: CHECKPOINT_URL_VARIABLE,
  what: 'the LangGraph checkpoint database',
}

export interface OpenedCheckpointer {
  saver: BaseCheckpointSaver
  kind: 'postgres' | 'sqlite' | 'memory'
  /** Where the checkpoints are, safe to log (never a password). */
  description: string
  /** Ends the PostgreSQL pool; idempotent. A SQLite database stays open: its owner closes it. */
  close(): Promise<void>
}

/**
 * Reads `LANGGRAPH_CHECKPOINT_URL`; undefined when it is unset or empty.
 * @throws {HelpdeskError} INVALID_CONFIGURATION when it is not a postgres:// or postgresql:// URL.
 */
export function checkpointerUrlFromEnvironment(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const value = environment[CHECKPOINT_URL_VARIABLE]?.trim()
  if (!value) return undefined
  parseDatabaseUrl(value, CHECKPOINT_URL_VARIABLE)
  return value
}

/**
 * Opens the checkpointer: PostgreSQL when `postgresUrl` is given (its tables made or migrated
 * first, which is safe to repeat and to race with other processes), else SQLite on `database`,
 * else memory (nothing survives a restart).
 * @throws {HelpdeskError} INVALID_CONFIGURATION for a URL or schema that cannot be right;
 *   BACKEND_UNAVAILABLE naming host:port when PostgreSQL cannot be reached or refuses us.
 */
export async function openCheckpointer(options: {
  postgresUrl?: string
  database?: DatabaseSync
  /** PostgreSQL schema for the tables; `helpdesk_langgraph` unless given. */
  schema?: string
  connectTimeoutMs?: number
  /** Where to report connections the pool loses while idle. */
  log?: (line: string) => void
}): Promise<OpenedCheckpointer> {
  if (options.postgresUrl !== undefined)
    return openPostgres({ ...options, url: options.postgresUrl })
  if (options.database) {
    return {
      saver: new NodeSqliteCheckpointSaver(options.database),
      kind: 'sqlite',
      description: 'the project SQLite store',
      close: async () => {},
    }
  }
  return {
    saver: new MemorySaver(),
    kind: 'memory',
    description: 'memory (lost on restart)',
    close: async () => {},
  }
}

async function openPostgres(options: {
  url: string
  schema?: string
  connectTimeoutMs?: number
  log?: (line: string) => void
}): Promise<OpenedCheckpointer> {
  const target = parseDatabaseUrl(options.url, CHECKPOINT_URL_VARIABLE)
  const schema = options.schema ?? DEFAULT_CHECKPOINT_SCHEMA
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    // The saver splices the schema into its SQL inside double quotes.
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'SYSTEM',
      message: `LangGraph checkpoint schema "${schema}" must be lower-case letters, digits and _ (at most 63)`,
      details: { schema },
    })
  }
  const where = addressOf(target)
  const description = `PostgreSQL at ${where}, database ${target.database}, schema ${schema}`
  const log = options.log ?? ((line: string) => console.error(line))
  // Our own pool rather than PostgresSaver.fromConnString: that one has no connect timeout (a
  // silent host would hang start-up for minutes, or for ever) and no 'error' listener, and pg's
  // Pool re-emits an idle connection's error (a server restart), which unheard kills the process.
  // Loaded only when configured: most installations never pay for the driver at start-up.
  const [{ default: postgres }, { PostgresSaver }] = await Promise.all([
    import('pg'),
    import('@langchain/langgraph-checkpoint-postgres'),
  ])
  const pool = new postgres.Pool({
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    application_name: 'helpdesk-langgraph',
  })
  pool.on('error', (error) => {
    log(
      `LangGraph checkpoint database ${where}: an idle connection failed (${scrub(error.message, target)}); the next query reconnects`,
    )
  })
  const saver = new PostgresSaver(pool, undefined, { schema })
  try {
    await setUpExclusively(pool, saver, schema)
  } catch (error) {
    await pool.end().catch(() => undefined)
    throw databaseFailure(
      error,
      target,
      options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      CHECKPOINT_DATABASE,
    )
  }
  let closed = false
  return {
    saver,
    kind: 'postgres',
    description,
    close: async () => {
      if (closed) return
      closed = true
      await saver.end()
    },
  }
}

/**
 * PostgresSaver.setup is idempotent but not safe to run twice at once: CREATE SCHEMA / TABLE IF
 * NOT EXISTS race on the catalogue's unique indexes, and each migration's version row is
 * inserted without ON CONFLICT. Replicas starting together take turns on an advisory lock; it is
 * a session lock, so destroying its connection afterwards releases it even if setup failed.
 */
async function setUpExclusively(
  pool: pg.Pool,
  saver: PostgresSaver,
  schema: string,
): Promise<void> {
  const lock = await pool.connect()
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [
      `langgraph-checkpoint-setup:${schema}`,
    ])
    await saver.setup()
  } finally {
    lock.release(true)
  }
}
