/**
 * The server's structured log: one JSON object a line (pino) on standard error, each line of an
 * HTTP request carrying that request's id (`requestId`, from an AsyncLocalStorage the request
 * middleware fills), and never a secret: authorization and cookie headers, tokens, passwords,
 * keys and secrets are redacted by field name, and bearer tokens, helpdesk tokens (`hd_...`) and
 * `password=...` pairs are masked inside message text too.
 *
 * The CLI's commands other than `serve` keep their human lines (src/cli/commands.ts `log`).
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino'

/** What every log line written while handling one request carries. */
export interface RequestContext {
  requestId: string
}

/** The request being handled, if any: set by the HTTP middleware for the request's whole work. */
export const requestContext = new AsyncLocalStorage<RequestContext>()

export const REDACTED = '[REDACTED]'

/**
 * Field paths redacted wherever a log call passes an object: the headers of a request or
 * response, and any field named like a credential at the first two levels.
 */
const REDACTED_PATHS = [
  'authorization',
  'cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  ...['token', 'password', 'secret', 'apiKey', 'api_key', 'key', 'credentials'].flatMap((name) => [
    name,
    `*.${name}`,
  ]),
]

/**
 * Secrets that may sit inside free text (an error message quoting a header or a connection
 * string): `Bearer X`, helpdesk tokens, `password=X` / `token: X` pairs, URL user:password@.
 */
const SECRET_TEXT: ReadonlyArray<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\bhd_[A-Za-z0-9_-]{10,}/g, REDACTED],
  [
    /\b(password|passwd|pwd|token|secret|api[_-]?key)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)/gi,
    `$1$2${REDACTED}`,
  ],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${REDACTED}@`],
]

/** `text` with every secret-looking part replaced by `[REDACTED]`. */
export function maskSecrets(text: string): string {
  let masked = text
  for (const [pattern, replacement] of SECRET_TEXT) masked = masked.replace(pattern, replacement)
  return masked
}

export interface ServerLoggerOptions {
  level?: 'debug' | 'info' | 'warn' | 'error' | 'silent'
  /** Where lines go; default standard error (standard output stays free for command output). */
  destination?: DestinationStream
}

/** The JSON logger of `helpdesk serve`. */
export function createServerLogger(options: ServerLoggerOptions = {}): Logger {
  const settings: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'helpdesk' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    // The request id of the request being handled, on every line written during it.
    mixin: () => {
      const context = requestContext.getStore()
      return context ? { requestId: context.requestId } : {}
    },
    hooks: {
      // Message text is masked too: the field-name redaction cannot see inside a string.
      logMethod(parameters, method) {
        const masked = parameters.map((parameter) =>
          typeof parameter === 'string' ? maskSecrets(parameter) : parameter,
        ) as Parameters<typeof method>
        method.apply(this, masked)
      },
    },
  }
  return pino(settings, options.destination ?? pino.destination({ fd: 2, sync: true }))
}

/**
 * The `(line) => void` the server's parts log through, onto a structured logger: lines that
 * report a failure (`error ...`, `... failed ...`) at level error, the rest at info.
 */
export function lineLog(logger: Logger): (line: string) => void {
  return (line) => {
    if (/^error\b|\bfailed\b/i.test(line)) logger.error(line)
    else logger.info(line)
  }
}
