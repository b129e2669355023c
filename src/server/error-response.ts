import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import {
  type ErrorCode,
  type ErrorDetails,
  httpStatusOf,
  toHelpdeskError,
} from '../errors/index.ts'
import { metrics } from '../observability/metrics.ts'
import type { Caller } from './authentication.ts'

export interface PublicError {
  code: ErrorCode
  message: string
  details: ErrorDetails
}

/** Failures of the helpdesk's own backends: an employee can do nothing about their detail. */
const BACKEND_TROUBLE: ReadonlySet<ErrorCode> = new Set([
  'KNOWLEDGE_STORE_UNAVAILABLE',
  'CHROMA_RUNTIME_FAILED',
  'EMBEDDING_FAILED',
])

/** What an employee reads when a backend of the helpdesk fails. */
export const TROUBLE_MESSAGE =
  'The helpdesk is having trouble right now; please try again in a minute.'

/** Technicians and admins read the detail of a backend failure; everyone else a plain sentence. */
export function isStaff(caller: Caller | undefined): boolean {
  return caller?.signedIn === true && (caller.role === 'technician' || caller.role === 'admin')
}

/**
 * What a client may see of an error. Internal errors keep their detail in the log only; every
 * error of a 5xx status is logged. A backend failure (Chroma down or frozen, the embeddings
 * endpoint failing) reaches staff with its detail and anyone else as `TROUBLE_MESSAGE`: its
 * detail names internal addresses and settings.
 */
export function publicError(
  thrown: unknown,
  log: (line: string) => void,
  where = '',
  staff = false,
): PublicError {
  const error = toHelpdeskError(thrown)
  metrics.errors.inc({ code: error.code })
  if (httpStatusOf(error.code) >= 500) log(`error ${error.code}${where}: ${error.message}`)
  if (error.code === 'INTERNAL') {
    return { code: error.code, message: 'internal error; see the server log', details: {} }
  }
  if (BACKEND_TROUBLE.has(error.code) && !staff)
    return { code: error.code, message: TROUBLE_MESSAGE, details: {} }
  return { code: error.code, message: error.message, details: error.details }
}

/** The one place an error becomes an HTTP response: `{ error: { code, message, details } }`. */
export function errorResponse(
  context: Context,
  thrown: unknown,
  log: (line: string) => void,
): Response {
  const caller = (context.var as { caller?: Caller }).caller
  const error = publicError(
    thrown,
    log,
    ` on ${context.req.method} ${context.req.path}`,
    isStaff(caller),
  )
  // RFC 6750: a 401 names the scheme the client should use.
  if (error.code === 'UNAUTHENTICATED')
    context.header('WWW-Authenticate', 'Bearer realm="helpdesk"')
  // RFC 6585: a 429 says when to come back.
  if (error.code === 'TOO_MANY_ATTEMPTS' && typeof error.details.retryAfterSeconds === 'number')
    context.header('Retry-After', String(error.details.retryAfterSeconds))
  return context.json({ error }, httpStatusOf(error.code) as ContentfulStatusCode)
}
