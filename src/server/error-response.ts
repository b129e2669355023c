import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { httpStatusOf, toHelpdeskError } from '../errors/index.ts'

/** The one place an error becomes an HTTP response: `{ error: { code, message, details } }`. */
export function errorResponse(
  context: Context,
  thrown: unknown,
  log: (line: string) => void,
): Response {
  const error = toHelpdeskError(thrown)
  const status = httpStatusOf(error.code) as ContentfulStatusCode
  if (status >= 500)
    log(`error ${error.code} on ${context.req.method} ${context.req.path}: ${error.message}`)
  // Internal errors keep their detail in the log, not in the response.
  const message = error.code === 'INTERNAL' ? 'internal error; see the server log' : error.message
  return context.json(
    {
      error: { code: error.code, message, details: error.code === 'INTERNAL' ? {} : error.details },
    },
    status,
  )
}
