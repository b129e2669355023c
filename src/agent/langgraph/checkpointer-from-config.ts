import type { DatabaseSync } from 'node:sqlite'
import { type BaseCheckpointSaver, MemorySaver } from '@langchain/langgraph-checkpoint'
import type { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres'
import type pg from 'pg'
import { HelpdeskError } from '../../errors/index.ts'
import { NodeSqliteCheckpointSaver } from './node-sqlite-checkpoint-saver.ts'

/**
 * Where LangGraph keeps its checkpoints (the interrupted runs that wait for an approval):
 * PostgreSQL when `LANGGRAPH_CHECKPOINT_URL` is set, the project's SQLite file otherwise, memory
 * when there is neither. Connection URLs carry passwords, so no message or detail here ever
 * holds the URL itself: only host, port, database and user.
 * @module
 */

export const CHECKPOINT_URL_VARIABLE = 'LANGGRAPH_CHECKPOINT_URL'
/** One schema of its own, so the four checkpoint tables never meet an application's tables. */
export const DEFAULT_CHECKPOINT_SCHEMA = 'helpdesk_langgraph'
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
const EXPECTED =
  'a postgres:// or postgresql:// URL such as postgresql://USER:PASSWORD@HOST:5432/DATABASE'

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
  parsePostgresUrl(value)
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

interface PostgresTarget {
  host: string
  port: number
  database: string
  user: string
  /** As written in the URL and percent-decoded, to scrub from messages that might repeat it. */
  secrets: string[]
}

async function openPostgres(options: {
  url: string
  schema?: string
  connectTimeoutMs?: number
  log?: (line: string) => void
}): Promise<OpenedCheckpointer> {
  const target = parsePostgresUrl(options.url)
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
    throw postgresFailure(error, target, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS)
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

/**
 * @throws {HelpdeskError} INVALID_CONFIGURATION naming the variable and what was expected; the
 *   value is never repeated, since it may hold a password even when it is malformed.
 */
function parsePostgresUrl(value: string): PostgresTarget {
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'USER',
      message: `${CHECKPOINT_URL_VARIABLE} must be ${EXPECTED}; the value given is not (it is not shown, as it may hold a password)`,
      details: { variable: CHECKPOINT_URL_VARIABLE, expected: EXPECTED },
    })
  }
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text)
    } catch {
      return text
    }
  }
  // pg takes a Unix socket directory from ?host= when the URL has no host.
  const host = decode(url.hostname) || url.searchParams.get('host') || 'localhost'
  const user = decode(url.username) || url.searchParams.get('user') || 'postgres'
  const database = decode(url.pathname.replace(/^\//, '')) || url.searchParams.get('dbname') || user
  const secrets = [url.password, decode(url.password), url.searchParams.get('password') ?? '']
  return {
    host: host.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 5432,
    database,
    user,
    // Longest first, so a scrubbed encoded form never leaves a decoded remainder behind.
    secrets: [...new Set(secrets.filter((secret) => secret.length > 0))].sort(
      (a, b) => b.length - a.length,
    ),
  }
}

function addressOf(target: PostgresTarget): string {
  return `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`
}

function scrub(text: string, target: PostgresTarget): string {
  return target.secrets.reduce((result, secret) => result.split(secret).join('***'), text)
}

/** What went wrong opening the checkpoint database, in words an operator can act on. */
function postgresFailure(error: unknown, target: PostgresTarget, timeoutMs: number): HelpdeskError {
  const failure = error as { code?: unknown; message?: unknown }
  const code = typeof failure.code === 'string' ? failure.code : undefined
  const raw = typeof failure.message === 'string' ? scrub(failure.message, target) : ''
  const where = addressOf(target)
  const reasons: Record<string, [string, string]> = {
    ECONNREFUSED: ['CONNECT_FAILED', 'nothing accepts connections there (is PostgreSQL running?)'],
    ENOTFOUND: ['CONNECT_FAILED', 'the host name does not resolve'],
    EAI_AGAIN: ['CONNECT_FAILED', 'the host name does not resolve'],
    EHOSTUNREACH: ['CONNECT_FAILED', 'the host cannot be reached'],
    ENETUNREACH: ['CONNECT_FAILED', 'the host cannot be reached'],
    ENOENT: ['CONNECT_FAILED', 'there is no PostgreSQL socket in that directory'],
    ECONNRESET: ['CONNECT_FAILED', 'the server closed the connection'],
    ETIMEDOUT: ['TIMEOUT', `no answer within ${timeoutMs / 1000} s`],
    '28P01': ['AUTHENTICATION_FAILED', `it refused the password of user ${target.user}`],
    '28000': ['AUTHENTICATION_FAILED', `it refused user ${target.user} (pg_hba.conf or role)`],
    '3D000': ['NO_DATABASE', `database ${target.database} does not exist`],
    '42501': [
      'PERMISSION_DENIED',
      `user ${target.user} may not create the checkpoint schema and tables (${raw})`,
    ],
  }
  const timedOut = /timeout/i.test(raw)
  const [reason, explanation] = (code ? reasons[code] : undefined) ??
    (timedOut ? reasons.ETIMEDOUT : undefined) ?? ['PROTOCOL_ERROR', raw || 'unknown error']
  return new HelpdeskError({
    code: 'BACKEND_UNAVAILABLE',
    category: 'THIRD_PARTY',
    message: `cannot open the LangGraph checkpoint database at ${where} (database ${target.database}, user ${target.user}): ${explanation}; check ${CHECKPOINT_URL_VARIABLE}`,
    details: { reason, host: target.host, port: target.port, database: target.database },
    cause: error,
  })
}
