import type { Context, MiddlewareHandler } from 'hono'
import { HelpdeskError } from '../errors/index.ts'
import type { Role } from '../identity/user.ts'
import type { TokenCheck, UserStore } from '../identity/user-store.ts'
import { clientAddress, limitedAddressGroup } from './client-address.ts'
import { FailedSignInLimiter } from './failed-sign-in-limiter.ts'

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

/** What `authenticate` needs besides the users: where failures are told, and how callers are counted. */
export interface AuthenticateOptions {
  /** One line per failed sign-in: the client address and the reason, never the token. */
  log?: (line: string) => void
  /** Take the client address from `X-Forwarded-For` (one trusted reverse proxy in front). */
  trustProxy?: boolean
  /** Failed sign-ins per client address; by default 10 a minute. */
  limiter?: FailedSignInLimiter
}

/**
 * Sets `caller` from the `Authorization: Bearer` header, or refuses the request with 401
 * UNAUTHENTICATED saying what was wrong: no header, not a bearer token, or a token that is not
 * ours, has expired or was revoked. The token itself is never echoed nor logged.
 *
 * Every presented credential that fails is logged with the client address and counted against
 * that address; past the limiter's allowance the address gets 429 TOO_MANY_ATTEMPTS (with
 * `Retry-After`) for every API call, even with a right token, so guessing stays slow. A request
 * without any credential (the page before sign-in) is neither logged nor counted.
 */
export function authenticate(
  authentication: Authentication,
  options: AuthenticateOptions = {},
): MiddlewareHandler<AuthenticatedEnvironment> {
  const limiter = options.limiter ?? new FailedSignInLimiter()
  const log = options.log ?? (() => {})
  return async (context, next) => {
    if (authentication.mode === 'none') {
      context.set('caller', ANONYMOUS)
      return next()
    }
    const address = clientAddress(context, options.trustProxy ?? false)
    const group = limitedAddressGroup(address)
    const wait = limiter.retryAfterSeconds(group)
    if (wait !== undefined) {
      throw new HelpdeskError({
        code: 'TOO_MANY_ATTEMPTS',
        message: `too many failed sign-ins from ${group}; try again in ${wait} s`,
        details: { retryAfterSeconds: wait },
      })
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
    const failed = (reason: string, message: string): HelpdeskError => {
      const count = limiter.recordFailure(group)
      const limited =
        count >= limiter.limit
          ? `; ${count} failures within ${limiter.windowMilliseconds / 1000} s: requests from ${group} now get 429`
          : ''
      log(
        `sign-in failed from ${address} (${context.req.method} ${context.req.path}): ${reason}${limited}`,
      )
      return unauthenticated(message)
    }
    const token = BEARER.exec(header)?.[1]
    if (token === undefined) {
      throw failed(
        'malformed Authorization header',
        `the Authorization header is malformed: expected "Bearer <token>" (the token starts with hd_)`,
      )
    }
    const check = await authentication.users.checkToken(token)
    if (check.status !== 'valid') throw failed(...refusal(check))
    context.set('caller', { username: check.user.username, role: check.user.role, signedIn: true })
    return next()
  }
}

/** The log's reason and the caller's message for a token that does not sign in. */
function refusal(check: Exclude<TokenCheck, { status: 'valid' }>): [string, string] {
  const renew = 'ask an admin for a new one (npx helpdesk users rotate NAME)'
  switch (check.status) {
    case 'expired':
      return ['expired token', `the bearer token expired at ${check.expiresAt}; ${renew}`]
    case 'revoked':
      return ['revoked token', `the bearer token was revoked at ${check.revokedAt}; ${renew}`]
    case 'unknown':
      return [
        'unknown token',
        `the bearer token is not valid (unknown or mistyped); ${HOW_TO_GET_ONE}`,
      ]
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
