// Who is signed in on a workspace screen, and `api`, the fetch every screen calls the server with.
// The same sign-in as the chat page (sign-in.js), without its fixed element ids: the bearer token
// under the same localStorage key (so signing in on one page signs in on all), or, with OpenID
// Connect on the server, the HttpOnly session cookie plus its CSRF token on state-changing calls.
// The shell renders the form; this module only keeps the state and tells listeners of changes.

const TOKEN_KEY = 'helpdesk.token'
const SAFE_METHODS = ['GET', 'HEAD']

function remembered() {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? undefined
  } catch {
    // storage can be unavailable (private mode): the page asks on each visit
    return undefined
  }
}

function remember(value) {
  try {
    if (value) localStorage.setItem(TOKEN_KEY, value)
    else localStorage.removeItem(TOKEN_KEY)
  } catch {
    // not remembered; harmless
  }
}

/** The server does not accept the sign-in (any more): thrown by `api` after the form is back. */
export class SignInNeeded extends Error {}

let token = remembered()
let csrfToken
/**
 * `{ phase: 'loading' }`, `{ phase: 'signed-out', reason, byPerson, oidc }` or
 * `{ phase: 'signed-in', user: { username, role, authentication } , oidc }`.
 */
let state = { phase: 'loading', oidc: false }
const listeners = new Set()

function set(next) {
  state = { oidc: state.oidc, ...next }
  for (const listener of listeners) listener(state)
}

/** Calls `listener(state)` on every change; returns the unsubscribe. */
export function subscribe(listener) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function sessionState() {
  return state
}

/** Back to the form; `byPerson`: the person pressed Sign out (the chat then forgets its conversation). */
function signedOut(reason, byPerson = false) {
  token = undefined
  csrfToken = undefined
  remember(undefined)
  set({ phase: 'signed-out', reason, byPerson })
}

/** fetch() with the sign-in; a 401 forgets it and brings the form back (then throws). */
export async function api(path, options = {}) {
  const headers = { ...(options.headers ?? {}) }
  if (token) headers.authorization = `Bearer ${token}`
  const method = (options.method ?? 'GET').toUpperCase()
  if (csrfToken && !SAFE_METHODS.includes(method)) headers['x-csrf-token'] = csrfToken
  const response = await fetch(path, { ...options, headers })
  if (response.status === 401) {
    signedOut(
      csrfToken
        ? 'Your sign-in has ended. Please sign in again.'
        : token
          ? 'Your access token is no longer accepted. Please sign in again.'
          : '',
    )
    throw new SignInNeeded()
  }
  return response
}

/** The server's error message of a failed answer, or its status. */
export async function problem(response) {
  try {
    const body = await response.json()
    return body.error?.message ?? `the server answered ${response.status}`
  } catch {
    return `the server answered ${response.status}`
  }
}

/**
 * Tries a pasted token: on success it is remembered and the user signed in.
 * @returns undefined, or the sentence to show under the field
 */
export async function signInWithToken(candidate) {
  const response = await fetch('/api/me', { headers: { authorization: `Bearer ${candidate}` } })
  if (response.status === 401)
    return 'That token was not accepted. Check that you pasted all of it, or ask your helpdesk admin for a new one.'
  if (!response.ok) return `The helpdesk answered ${response.status} ${response.statusText}`
  token = candidate
  remember(token)
  set({ phase: 'signed-in', user: await response.json() })
  return undefined
}

/** Forgets the token, or ends the provider session and goes on to the provider's logout. */
export async function signOut() {
  if (!csrfToken) {
    signedOut('You are signed out. This device no longer remembers your token.', true)
    return
  }
  const response = await fetch('/auth/logout', {
    method: 'POST',
    headers: { 'x-csrf-token': csrfToken },
  })
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`)
  const { location } = await response.json()
  signedOut('You are signed out.', true)
  window.location.assign(location)
}

/** Asks the server who this browser is: company session cookie, else the remembered token. */
export async function startSession() {
  try {
    const response = await fetch('/auth/session', { headers: { accept: 'application/json' } })
    if (response.ok) {
      const session = await response.json()
      state = { ...state, oidc: session.oidc === true }
      // A remembered bearer token wins, as on the API: the cookie only counts without one.
      if (session.signedIn === true && !token) {
        csrfToken = session.csrfToken
        set({
          phase: 'signed-in',
          user: { username: session.username, role: session.role, authentication: 'oidc' },
        })
        return
      }
    }
  } catch {
    // Without the answer the page offers the token form, as before company sign-in existed.
  }
  try {
    const response = await api('/api/me')
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`)
    set({ phase: 'signed-in', user: await response.json() })
  } catch (error) {
    if (error instanceof SignInNeeded) return
    signedOut(
      `Could not reach the helpdesk: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
}
