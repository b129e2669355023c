import { HelpdeskError } from '../../errors/index.ts'

/**
 * `DATABASE_URL`: where every store lives when it is PostgreSQL. The URL may carry a password,
 * so nothing here ever repeats it: messages name host, port, database and user only, and
 * anything the driver says is scrubbed of the password (as written and percent-decoded) first.
 * The password may also come from `PGPASSWORD` or `~/.pgpass`, which `pg` reads itself.
 * @module
 */

export const DATABASE_URL_VARIABLE = 'DATABASE_URL'
const EXPECTED =
  'a postgres:// or postgresql:// URL such as postgresql://USER@HOST:5432/DATABASE (password by PGPASSWORD, ~/.pgpass or the URL)'

export interface DatabaseTarget {
  host: string
  port: number
  database: string
  user: string
  /** As written in the URL and percent-decoded, to scrub from messages that might repeat it. */
  secrets: string[]
}

/**
 * @throws {HelpdeskError} INVALID_CONFIGURATION naming the variable and what was expected; the
 *   value is never repeated, since it may hold a password even when it is malformed.
 */
export function parseDatabaseUrl(value: string, variable = DATABASE_URL_VARIABLE): DatabaseTarget {
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'USER',
      message: `${variable} must be ${EXPECTED}; the value given is not (it is not shown, as it may hold a password)`,
      details: { variable, expected: EXPECTED },
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
  const secrets = [
    url.password,
    decode(url.password),
    url.searchParams.get('password') ?? '',
    process.env.PGPASSWORD ?? '',
  ]
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

/** `host:port`, safe to log. */
export function addressOf(target: DatabaseTarget): string {
  return `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`
}

/** `text` with every form of the password replaced by `***`. */
export function scrub(text: string, target: DatabaseTarget): string {
  return target.secrets.reduce((result, secret) => result.split(secret).join('***'), text)
}

/** Which database failed to open, for `databaseFailure`'s message. */
export interface DatabaseRole {
  /** The variable that configured it, named in the message. */
  variable: string
  /** What it holds, in the message: "the helpdesk database". */
  what: string
}

const PROJECT_DATABASE: DatabaseRole = {
  variable: DATABASE_URL_VARIABLE,
  what: 'the helpdesk database',
}

/** What went wrong opening the database, in words an operator can act on; never the password. */
export function databaseFailure(
  error: unknown,
  target: DatabaseTarget,
  timeoutMs: number,
  role: DatabaseRole = PROJECT_DATABASE,
): HelpdeskError {
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
    '42501': ['PERMISSION_DENIED', `user ${target.user} may not create the tables (${raw})`],
  }
  const timedOut = /timeout/i.test(raw)
  // pg found no password anywhere and the server asked for one (SCRAM): its own words ("client
  // password must be a string") do not say where a password may come from.
  const noPassword = /password must be a string/i.test(raw)
    ? ([
        'AUTHENTICATION_FAILED',
        `the server wants a password for user ${target.user} and none was found (the URL, PGPASSWORD, or a ~/.pgpass entry in a file of mode 0600)`,
      ] as [string, string])
    : undefined
  const [reason, explanation] = (code ? reasons[code] : undefined) ??
    noPassword ??
    (timedOut ? reasons.ETIMEDOUT : undefined) ?? ['PROTOCOL_ERROR', raw || 'unknown error']
  return new HelpdeskError({
    code: 'BACKEND_UNAVAILABLE',
    category: 'THIRD_PARTY',
    message: `cannot open ${role.what} at ${where} (database ${target.database}, user ${target.user}): ${explanation}; check ${role.variable}`,
    details: { reason, host: target.host, port: target.port, database: target.database },
    // Not the driver's error itself: its message or fields may repeat the password.
  })
}
