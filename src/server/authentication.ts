import type { Context, MiddlewareHandler } from 'hono'
import { HelpdeskError } from '../errors/index.ts'
import type { Role } from '../identity/user.ts'
import type { UserStore } from '../identity/user-store.ts'

/**
 * Who is calling the API. With `HELPDESK_AUTH=token` (the default) that is the user whose bearer
 * token came with the request; with `none` every caller is the same anonymous requester.
 */
export interface Caller {
  username: string
  role: Role
  /** False only with authentication off: then the body's `requester` is taken as before. */
  signedIn: boolean
}

export type Authentication =
  | { mode: 'token'; users: UserStore; cookies?: CookieAuthentication }
  | { mode: 'none' }

/**
 * A second way to be the caller, besides a bearer token: the chat page's session cookie after
 * browser sign-in (src/server/oidc). Undefined when the request brings no valid session.
 * @throws {HelpdeskError} FORBIDDEN for a state-changing request without the CSRF token.
 */
export interface CookieAuthentication {
  callerOf(context: Context): Promise<Caller | undefined>
}

export interface AuthenticatedEnvironment {
  Variables: { caller: Caller }
}

/** The caller of every request when authentication is off. */
export const ANONYMOUS: Caller = { username: 'anonymous', role: 'requester', signedIn: false }

const BEARER = /^Bearer +(\S+) *$/i
const HOW_TO_GET_ONE =
  'send Authorization: Bearer <token>; an admin creates one with npx helpdesk users add NAME --role ROLE'

/**
 * Sets `caller` from the `Authorization: Bearer` header, or refuses the request with 401
 * UNAUTHENTICATED saying what was wrong: no header, not a bearer token, or a token that is not
 * (or no longer) one of ours. The token itself is never echoed.
 */
export function authenticate(
  authentication: Authentication,
): MiddlewareHandler<AuthenticatedEnvironment> {
  return async (context, next) => {
    if (authentication.mode === 'none') {
      context.set('caller', ANONYMOUS)
      return next()
    }
    const header = context.req.header('authorization')
    if ((header === undefined || header.trim() === '') && authentication.cookies) {
      const caller = await authentication.cookies.callerOf(context)
      if (caller) {
        context.set('caller', caller)
        return next()
      }
    }
    if (header === undefined || header.trim() === '') {
      throw unauthenticated(`this API needs a signed-in user: ${HOW_TO_GET_ONE}`)
    }
    const token = BEARER.exec(header)?.[1]
    if (token === undefined) {
      throw unauthenticated(
        `the Authorization header is malformed: expected "Bearer <token>" (the token starts with hd_)`,
      )
    }
    const user = await authentication.users.findByToken(token)
    if (!user) {
      throw unauthenticated(
        `the bearer token is not valid (unknown, mistyped or no longer in use); ${HOW_TO_GET_ONE}`,
      )
    }
    context.set('caller', { username: user.username, role: user.role, signedIn: true })
    return next()
  }
}

/**
 * A requester asks only for themselves. A technician or admin may name another `requester` (the
 * employee they are helping, whose username then fills the requests); the session stays theirs.
 * Without authentication the body's `requester` is taken, as before sign-in existed.
 */
export function mayActForOthers(caller: Caller): boolean {
  return !caller.signedIn || caller.role !== 'requester'
}

function unauthenticated(message: string): HelpdeskError {
  return new HelpdeskError({ code: 'UNAUTHENTICATED', message })
}
