import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import {
  type ErrorCode,
  type ErrorDetails,
  httpStatusOf,
  toHelpdeskError,
} from '../errors/index.ts'

export interface PublicError {
  code: ErrorCode
  message: string
  details: ErrorDetails
}

/**
 * What a client may see of an error. Internal errors keep their detail in the log only; every
 * error of a 5xx status is logged.
 */
export function publicError(thrown: unknown, log: (line: string) => void, where = ''): PublicError {
  const error = toHelpdeskError(thrown)
  if (httpStatusOf(error.code) >= 500) log(`error ${error.code}${where}: ${error.message}`)
  if (error.code === 'INTERNAL') {
    return { code: error.code, message: 'internal error; see the server log', details: {} }
  }
  return { code: error.code, message: error.message, details: error.details }
}

/** The one place an error becomes an HTTP response: `{ error: { code, message, details } }`. */
export function errorResponse(
  context: Context,
  thrown: unknown,
  log: (line: string) => void,
): Response {
  const error = publicError(thrown, log, ` on ${context.req.method} ${context.req.path}`)
  // RFC 6750: a 401 names the scheme the client should use.
  if (error.code === 'UNAUTHENTICATED')
    context.header('WWW-Authenticate', 'Bearer realm="helpdesk"')
  // RFC 6585: a 429 says when to come back.
  if (error.code === 'TOO_MANY_ATTEMPTS' && typeof error.details.retryAfterSeconds === 'number')
    context.header('Retry-After', String(error.details.retryAfterSeconds))
  return context.json({ error }, httpStatusOf(error.code) as ContentfulStatusCode)
}
