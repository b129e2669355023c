import { fileURLToPath } from 'node:url'
import { runner } from 'node-pg-migrate'
import pg from 'pg'
import { HelpdeskError } from '../../errors/index.ts'
import {
  addressOf,
  type DatabaseTarget,
  databaseFailure,
  parseDatabaseUrl,
  scrub,
} from './database-url.ts'

/**
 * The PostgreSQL project store: one pool shared by every PostgreSQL store of a process, its
 * schema brought up to date at open by node-pg-migrate from the versioned SQL files in
 * `migrations/`. node-pg-migrate holds a PostgreSQL advisory lock while it migrates (and records
 * each applied file in `pgmigrations`), so replicas starting together take turns: the first
 * applies the files, the others find them applied.
 * @module
 */

export const MIGRATIONS_DIRECTORY = fileURLToPath(new URL('./migrations', import.meta.url))
export const DEFAULT_SCHEMA = 'helpdesk'
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

export interface PostgresDatabase {
  pool: pg.Pool
  schema: string
  /** Where the stores are, safe to log (never a password). */
  description: string
  /** Driver messages with the password taken out, for errors the stores raise. */
  scrub(text: string): string
  /** Ends the pool once every store sharing it has closed; idempotent. */
  close(): Promise<void>
}

export interface OpenPostgresOptions {
  url: string
  /** PostgreSQL schema for the tables; `helpdesk` unless given (tests use one per run). */
  schema?: string
  connectTimeoutMs?: number
  /** At most this many connections (pg's default is 10). */
  maxConnections?: number
  /** False: only connect (a check that must not write, such as `helpdesk audit verify`). */
  migrate?: boolean
  /** Where to report connections the pool loses while idle; never told the password. */
  log?: (line: string) => void
}

/**
 * Opens the pool and applies the migrations not yet applied.
 * @throws {HelpdeskError} INVALID_CONFIGURATION for a URL or schema that cannot be right;
 *   BACKEND_UNAVAILABLE naming host:port when PostgreSQL cannot be reached or refuses us.
 */
export async function openPostgresDatabase(
  options: OpenPostgresOptions,
): Promise<PostgresDatabase> {
  const target = parseDatabaseUrl(options.url)
  const schema = options.schema ?? DEFAULT_SCHEMA
  if (!SCHEMA_NAME.test(schema))
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'SYSTEM',
      message: `database schema "${schema}" must be lower-case letters, digits and _ (at most 63)`,
      details: { schema },
    })
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  const log = options.log ?? ((line: string) => console.error(line))
  const where = addressOf(target)
  const pool = new pg.Pool({
    connectionString: options.url,
    connectionTimeoutMillis: timeoutMs,
    max: options.maxConnections ?? 10,
    application_name: 'helpdesk',
    // Every statement of every store finds its tables in the one schema.
    options: `-c search_path=${schema}`,
  })
  // pg re-emits an idle connection's error (a server restart) on the pool: unheard, it kills the process.
  pool.on('error', (error) => {
    log(
      `database ${where}: an idle connection failed (${scrub(error.message, target)}); the next query reconnects`,
    )
  })
  try {
    if (options.migrate === false) await pool.query('SELECT 1')
    else await migrate(pool, schema)
  } catch (error) {
    await pool.end().catch(() => undefined)
    throw databaseFailure(error, target, timeoutMs)
  }
  let closed = false
  return {
    pool,
    schema,
    description: `PostgreSQL at ${where}, database ${target.database}, schema ${schema}`,
    scrub: (text) => scrub(text, target),
    close: async () => {
      if (closed) return
      closed = true
      await pool.end()
    },
  }
}

/** Applies the pending migrations under node-pg-migrate's advisory lock (waiting for it). */
async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect()
  try {
    await runner({
      dbClient: client,
      dir: MIGRATIONS_DIRECTORY,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      schema,
      createSchema: true,
      checkOrder: true,
      singleTransaction: true,
      advisoryLockMode: 'wait',
      // Its default logger prints every statement; one line per applied file is enough.
      log: () => {},
    })
  } finally {
    // Session state (search_path, the lock if anything failed) goes with the connection.
    client.release(true)
  }
}

export type { DatabaseTarget }
