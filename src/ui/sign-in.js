// Sign-in for the chat page. The bearer token is asked for once, kept in localStorage until
// "Sign out", sent on every API call by `api`, and asked for again when the server refuses it.
// With OpenID Connect on the server (GET /auth/session says so), "Sign in with your company
// account" goes to the provider instead; the server then keeps an HttpOnly session cookie the
// browser sends by itself, and `api` adds the session's CSRF token to every state-changing call.
// The chat itself learns who is signed in through the listener given to `startSignIn`.

const TOKEN_KEY = 'helpdesk.token'
const $ = (id) => document.getElementById(id)
const section = $('sign-in')
const form = $('sign-in-form')
const tokenInput = $('token')
const tokenError = $('token-error')
const reasonLine = $('sign-in-reason')
const account = $('account')
const signedIn = $('signed-in')
const signOutButton = $('sign-out')
const submitButton = $('sign-in-button')
const companySignIn = $('company-sign-in')
const companySignInLink = $('company-sign-in-link')
const SAFE_METHODS = ['GET', 'HEAD']

export function remembered(key) {
  try {
    return localStorage.getItem(key) ?? undefined
  } catch {
    // storage can be unavailable (private mode); the page then asks on each visit
    return undefined
  }
}

export function remember(key, value) {
  try {
    if (value === undefined || value === '') localStorage.removeItem(key)
    else localStorage.setItem(key, value)
  } catch {
    // not remembered; harmless
  }
}

/** The server does not accept the token (any more): thrown by `api`, after the form is shown. */
export class SignInNeeded extends Error {}

let token = remembered(TOKEN_KEY)
/** Set while signed in through the provider (session cookie): sent as X-CSRF-Token. */
let csrfToken
/** Told `(user)` on sign-in and `(undefined, { signedOut })` when the form comes back. */
let listener = () => {}

/** fetch() with the bearer token; a 401 forgets the token and brings the sign-in form back. */
export async function api(path, options = {}) {
  const headers = { ...(options.headers ?? {}) }
  if (token) headers.authorization = `Bearer ${token}`
  const method = (options.method ?? 'GET').toUpperCase()
  if (csrfToken && !SAFE_METHODS.includes(method)) headers['x-csrf-token'] = csrfToken
  const response = await fetch(path, { ...options, headers })
  if (response.status === 401) {
    const reason = csrfToken
      ? 'Your sign-in has ended. Please sign in again.'
      : token
        ? 'Your access token is no longer accepted. Please sign in again.'
        : ''
    showSignIn(reason)
    throw new SignInNeeded()
  }
  return response
}

function describe(error) {
  return `Could not reach the helpdesk: ${error instanceof Error ? error.message : String(error)}`
}

/** Shows the form instead of the chat; `reason` says why it is back. */
function showSignIn(reason, signedOut = false) {
  token = undefined
  csrfToken = undefined
  remember(TOKEN_KEY, undefined)
  reasonLine.textContent = reason
  reasonLine.hidden = reason === ''
  tokenError.textContent = ''
  tokenInput.removeAttribute('aria-invalid')
  account.hidden = true
  section.hidden = false
  listener(undefined, { signedOut })
  if (companySignIn.hidden) tokenInput.focus()
  else companySignInLink.focus()
}

/** Shows who is signed in (the answer of `GET /api/me`) and hands over to the chat. */
function showAccount(user) {
  section.hidden = true
  tokenInput.value = ''
  if (user.authentication === 'none') {
    signedIn.textContent = 'Sign-in is off on this server'
  } else {
    const name = document.createElement('strong')
    name.className = 'signed-in-user'
    name.textContent = user.username
    const role = document.createElement('span')
    role.className = 'role'
    role.textContent = user.role
    signedIn.replaceChildren('Signed in as ', name, ' ', role)
  }
  signOutButton.hidden = user.authentication === 'none'
  account.hidden = false
  listener(user)
}

async function signIn(event) {
  event.preventDefault()
  const candidate = tokenInput.value.trim()
  if (candidate === '') {
    tokenError.textContent = 'Paste your access token (it starts with hd_).'
    tokenInput.setAttribute('aria-invalid', 'true')
    tokenInput.focus()
    return
  }
  submitButton.disabled = true
  try {
    const response = await fetch('/api/me', { headers: { authorization: `Bearer ${candidate}` } })
    if (response.status === 401) {
      tokenError.textContent =
        'That token was not accepted. Check that you pasted all of it, or ask your helpdesk admin for a new one.'
      tokenInput.setAttribute('aria-invalid', 'true')
      tokenInput.select()
      return
    }
    if (!response.ok) {
      tokenError.textContent = `The helpdesk answered ${response.status} ${response.statusText}`
      return
    }
    const user = await response.json()
    token = candidate
    remember(TOKEN_KEY, token)
    showAccount(user)
  } catch (error) {
    tokenError.textContent = describe(error)
  } finally {
    submitButton.disabled = false
  }
}

/** Ends the provider session here, then lets the provider end its own (RP-initiated logout). */
async function signOutOfCompanyAccount() {
  signOutButton.disabled = true
  try {
    const response = await fetch('/auth/logout', {
      method: 'POST',
      headers: { 'x-csrf-token': csrfToken ?? '' },
    })
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`)
    const { location } = await response.json()
    showSignIn('You are signed out.', true)
    window.location.assign(location)
  } catch (error) {
    reasonLine.textContent = `Could not sign out: ${error instanceof Error ? error.message : String(error)}`
    reasonLine.hidden = false
  } finally {
    signOutButton.disabled = false
  }
}

/**
 * Whether the server offers company sign-in, and who its session cookie signs in.
 * @returns the signed-in user, or undefined
 */
async function companySession() {
  const response = await fetch('/auth/session', { headers: { accept: 'application/json' } })
  if (!response.ok) return undefined
  const session = await response.json()
  companySignIn.hidden = session.oidc !== true
  if (session.signedIn !== true) return undefined
  return { username: session.username, role: session.role, csrfToken: session.csrfToken }
}

/** Wires the form and "Sign out", then asks the server who the remembered token belongs to. */
export async function startSignIn(onChange) {
  listener = onChange
  form.addEventListener('submit', signIn)
  signOutButton.addEventListener('click', () => {
    if (csrfToken) signOutOfCompanyAccount()
    else showSignIn('You are signed out. This device no longer remembers your token.', true)
  })
  try {
    const company = await companySession()
    // A remembered bearer token wins, as on the API: the cookie only counts without one.
    if (company && !token) {
      csrfToken = company.csrfToken
      showAccount({ username: company.username, role: company.role, authentication: 'oidc' })
      return
    }
  } catch {
    // Without the answer the page offers the token form, as before company sign-in existed.
  }
  try {
    const response = await api('/api/me')
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`)
    showAccount(await response.json())
  } catch (error) {
    if (!(error instanceof SignInNeeded)) showSignIn(describe(error))
  }
}
