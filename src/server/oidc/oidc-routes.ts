import { type Context, Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { HelpdeskError, isHelpdeskError } from '../../errors/index.ts'
import type { Caller, CookieAuthentication } from '../authentication.ts'
import { OidcSignIn, sameText } from './oidc-sign-in.ts'

/**
 * Browser sign-in routes under /auth:
 * - `GET /auth/session`: whether OpenID Connect sign-in is on, and who this browser's cookie
 *   signs in (with the CSRF token the page sends back); answers without OIDC too;
 * - `GET /auth/login`: off to the provider;
 * - `GET /auth/callback`: the provider's answer; a refused one gets a 400 page saying why;
 * - `POST /auth/logout`: ends the session (CSRF token needed) and names where to go next.
 * @module
 */

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
export const CSRF_HEADER = 'x-csrf-token'

/** Cookie names; `__Host-` (Secure, Path=/, no Domain) when served over https. */
function cookieNames(secure: boolean): { session: string; pending: string } {
  return secure
    ? { session: '__Host-helpdesk_session', pending: '__Host-helpdesk_sign_in' }
    : { session: 'helpdesk_session', pending: 'helpdesk_sign_in' }
}

/**
 * The session cookie as a second way to be the caller of /api. A state-changing request must
 * carry the session's CSRF token in `X-CSRF-Token`; a bearer token needs none (it is never sent
 * by the browser on its own).
 */
export function cookieAuthentication(signIn: OidcSignIn): CookieAuthentication {
  const names = cookieNames(signIn.secureCookies)
  return {
    async callerOf(context: Context): Promise<Caller | undefined> {
      const session = await signIn.session(getCookie(context, names.session))
      if (!session) return undefined
      if (!SAFE_METHODS.has(context.req.method)) {
        const presented = context.req.header(CSRF_HEADER) ?? ''
        if (!sameText(presented, session.csrfToken)) {
          throw new HelpdeskError({
            code: 'FORBIDDEN',
            message: `a request signed in by the session cookie must send the page's CSRF token in ${CSRF_HEADER} (GET /auth/session gives it); reload the page`,
          })
        }
      }
      return OidcSignIn.callerOf(session)
    },
  }
}

/** The /auth routes; without a provider only `GET /auth/session`, saying sign-in is by token. */
export function oidcRoutes(signIn: OidcSignIn | undefined, log: (line: string) => void): Hono {
  const app = new Hono()
  if (!signIn) {
    app.get('/session', (context) => context.json({ oidc: false, signedIn: false }))
    return app
  }
  const names = cookieNames(signIn.secureCookies)
  const cookieOptions = {
    httpOnly: true,
    secure: signIn.secureCookies,
    // Lax, not Strict: the provider's redirect back is a cross-site top-level navigation, and the
    // page it lands on must see the new session. Cross-site POSTs still carry no cookie.
    sameSite: 'Lax',
    path: '/',
  } as const

  app.get('/session', async (context) => {
    context.header('cache-control', 'no-store')
    const session = await signIn.session(getCookie(context, names.session))
    if (!session) return context.json({ oidc: true, signedIn: false })
    return context.json({
      oidc: true,
      signedIn: true,
      username: session.username,
      role: session.role,
      csrfToken: session.csrfToken,
    })
  })

  app.get('/login', async (context) => {
    const { pendingId, authorizationUrl } = await signIn.start()
    setCookie(context, names.pending, pendingId, {
      ...cookieOptions,
      maxAge: signIn.signInLifetimeSeconds,
    })
    context.header('cache-control', 'no-store')
    return context.redirect(authorizationUrl.href, 302)
  })

  app.get('/callback', async (context) => {
    context.header('cache-control', 'no-store')
    const pendingId = getCookie(context, names.pending)
    deleteCookie(context, names.pending, { path: '/', secure: signIn.secureCookies })
    const query = new URL(context.req.url).searchParams
    try {
      const { sessionId } = await signIn.finish(pendingId, query)
      setCookie(context, names.session, sessionId, {
        ...cookieOptions,
        maxAge: signIn.sessionLifetimeSeconds,
      })
      return context.redirect('/', 303)
    } catch (error) {
      if (!isHelpdeskError(error)) throw error
      log(`browser sign-in refused: ${error.message}`)
      return context.html(refusedPage(error.message), error.code === 'FORBIDDEN' ? 403 : 400)
    }
  })

  app.post('/logout', async (context) => {
    const sessionId = getCookie(context, names.session)
    const session = await signIn.session(sessionId)
    if (session && !sameText(context.req.header(CSRF_HEADER) ?? '', session.csrfToken)) {
      throw new HelpdeskError({
        code: 'FORBIDDEN',
        message: `sign-out needs the page's CSRF token in ${CSRF_HEADER}; reload the page`,
      })
    }
    const location = await signIn.signOut(sessionId)
    deleteCookie(context, names.session, { path: '/', secure: signIn.secureCookies })
    return context.json({ location })
  })

  return app
}

/** The page a refused sign-in lands on: plain HTML under the app's strict CSP (no script). */
function refusedPage(message: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Sign-in refused · IT Helpdesk</title>
    <link rel="stylesheet" href="/ui/styles.css" />
  </head>
  <body>
    <main class="main sign-in">
      <h1 id="refused-title">Sign-in refused</h1>
      <p id="refused-reason" role="alert">${escapeHtml(message.replace(/^sign-in refused: /, ''))}</p>
      <p><a class="button button-primary" href="/auth/login">Sign in again</a> <a href="/">Back to the helpdesk</a></p>
    </main>
  </body>
</html>`
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}
