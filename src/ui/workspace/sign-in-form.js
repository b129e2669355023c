// The one sign-in of every page (the chat page and the workspace screens): the form (company
// sign-in link when the server has OpenID Connect, and the access token), and the account line
// (who is signed in, Sign out). Both follow session.js, which keeps the token, the session
// cookie's CSRF token and who is signed in; signing in on one page signs in on all.

import { html, useEffect, useRef, useState } from '/ui/vendor/preact-htm.js'
import { sessionState, signInWithToken, signOut, subscribe } from './session.js'

/** The session's state, redrawn on every change. */
export function useSession() {
  const [state, setState] = useState(sessionState())
  useEffect(() => subscribe(setState), [])
  return state
}

function describe(error) {
  return error instanceof Error ? error.message : String(error)
}

/**
 * The sign-in form. `reason`: why it is shown (signed out, token refused); `oidc`: the server
 * offers company sign-in; `className`: the page's own class; `intro`, `help`: a sentence before
 * the form and after it. On showing, the focus goes to the first way to sign in.
 */
export function SignInForm({ reason, oidc, className = '', intro, help }) {
  const [value, setValue] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const input = useRef()
  const company = useRef()
  useEffect(() => {
    ;(oidc ? company.current : input.current)?.focus()
  }, [oidc])
  const submit = async (event) => {
    event.preventDefault()
    const candidate = value.trim()
    if (candidate === '') {
      setError('Paste your access token (it starts with hd_).')
      input.current?.focus()
      return
    }
    setBusy(true)
    try {
      const refused = await signInWithToken(candidate)
      if (refused) {
        setError(refused)
        input.current?.select()
      }
    } catch (problem) {
      setError(`Could not reach the helpdesk: ${describe(problem)}`)
    } finally {
      setBusy(false)
    }
  }
  return html`<section id="sign-in" class=${`sign-in ${className}`} aria-labelledby="sign-in-title">
    <h2 id="sign-in-title">Sign in</h2>
    ${reason && html`<p id="sign-in-reason" class="sign-in-reason" role="status">${reason}</p>`}
    ${
      oidc &&
      html`<div id="company-sign-in" class="company-sign-in">
        <a
          id="company-sign-in-link"
          ref=${company}
          class="button button-primary button-wide"
          href="/auth/login"
          >Sign in with your company account</a
        >
        <p class="sign-in-or">Or sign in with an access token:</p>
      </div>`
    }
    ${intro && html`<p>${intro}</p>`}
    <form id="sign-in-form" class="sign-in-form" novalidate onSubmit=${submit}>
      <label for="token">Access token (it starts with <code>hd_</code>)</label>
      <div class="sign-in-row">
        <input
          id="token"
          name="token"
          ref=${input}
          type="password"
          autocomplete="off"
          autocapitalize="off"
          spellcheck="false"
          required
          value=${value}
          onInput=${(event) => setValue(event.currentTarget.value)}
          aria-invalid=${error ? 'true' : undefined}
          aria-describedby="token-error"
        />
        <button id="sign-in-button" type="submit" class="button button-primary" disabled=${busy}>
          Sign in
        </button>
      </div>
      <p id="token-error" class="form-error" role="alert">${error}</p>
    </form>
    ${help}
  </section>`
}

/**
 * Who is signed in, and Sign out. `user`: the signed-in person; `className`: the page's own
 * class. A sign-out that fails says so beside the button.
 */
export function Account({ user, className = '' }) {
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  if (!user) return null
  const out = async () => {
    setBusy(true)
    try {
      await signOut()
    } catch (problem) {
      setError(`Could not sign out: ${describe(problem)}`)
    } finally {
      setBusy(false)
    }
  }
  if (user.authentication === 'none')
    return html`<div id="account" class=${`account ${className}`}>
      <p id="signed-in" class="signed-in">Sign-in is off on this server</p>
    </div>`
  return html`<div id="account" class=${`account ${className}`}>
    <p id="signed-in" class="signed-in" aria-live="polite">
      Signed in as <strong class="signed-in-user ws-user">${user.username}</strong>${' '}<span
        class="role"
        >${user.role}</span
      >
    </p>
    <button
      id="sign-out"
      type="button"
      class="button button-secondary button-small"
      disabled=${busy}
      onClick=${out}
    >
      Sign out
    </button>
    ${error && html`<p class="form-error" role="alert">${error}</p>`}
  </div>`
}
