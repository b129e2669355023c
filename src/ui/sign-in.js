// Sign-in for the chat page: the same sign-in as the workspace screens (workspace/session.js keeps
// the bearer token, or with OpenID Connect the session cookie and its CSRF token;
// workspace/sign-in-form.js draws the form and the account line), put into the chat page's two
// places for them. The chat learns who is signed in through the listener given to `startSignIn`.

import { html, render } from '/ui/vendor/preact-htm.js'
import { startSession, subscribe } from './workspace/session.js'
import { Account, SignInForm, useSession } from './workspace/sign-in-form.js'

export { api, SignInNeeded } from './workspace/session.js'

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

const HELP = html`<p class="sign-in-help">
  Setting the helpdesk up? The first admin's token is in the server log and in
  <code>.helpdesk/admin-token</code>; add people with
  <code>npx helpdesk users add NAME --role requester</code>.
</p>`

function ChatSignIn() {
  const session = useSession()
  if (session.phase !== 'signed-out') return null
  return html`<${SignInForm}
    reason=${session.reason}
    oidc=${session.oidc}
    intro="Paste the access token your helpdesk admin gave you. It is remembered on this device until you sign out."
    help=${HELP}
  />`
}

function ChatAccount() {
  const session = useSession()
  return session.phase === 'signed-in' ? html`<${Account} user=${session.user} />` : null
}

/**
 * Draws the form and the account line, then asks the server who this browser is. `onChange` is
 * told `(user)` on sign-in and `(undefined, { signedOut })` when the form comes back
 * (`signedOut`: the person pressed Sign out, so the chat forgets the conversation on screen).
 */
export async function startSignIn(onChange) {
  render(html`<${ChatSignIn} />`, document.getElementById('sign-in-slot'))
  render(html`<${ChatAccount} />`, document.getElementById('account-slot'))
  let shown
  subscribe((state) => {
    if (state.phase === 'signed-in' && shown !== state.user) {
      shown = state.user
      onChange(state.user)
    } else if (state.phase === 'signed-out') {
      shown = undefined
      onChange(undefined, { signedOut: state.byPerson === true })
    }
  })
  await startSession()
}
