// The technician workspace's shell, shared by every workspace screen: a skip link, the header
// (brand, navigation between the screens this person may use, who is signed in, Sign out), the
// sign-in form when nobody is, a clear sentence when the signed-in person may not use the screen,
// and the screen itself in <main>. A screen is a Preact component given the signed-in `user`;
// `mountScreen` puts it on the page. How to add a screen: README, "Adding a workspace screen".

import { html, render, useEffect } from '/ui/vendor/preact-htm.js'
import { startSession } from './session.js'
import { Account, SignInForm, useSession } from './sign-in-form.js'

const STAFF = ['technician', 'admin']

/**
 * Every screen of the workspace, in navigation order. `roles`: who may use it (the server checks
 * again on every API call; this only decides the links and the page's message).
 */
export const SCREENS = [
  { id: 'chat', href: '/', label: 'Chat', roles: ['requester', ...STAFF] },
  { id: 'jobs', href: '/jobs', label: 'Jobs', roles: STAFF },
  { id: 'approvals', href: '/approvals', label: 'Approvals', roles: STAFF },
  { id: 'tickets', href: '/tickets', label: 'Tickets', roles: STAFF },
  { id: 'instructions', href: '/instructions', label: 'Runbooks', roles: STAFF },
  { id: 'analytics', href: '/analytics', label: 'Analytics', roles: STAFF },
  { id: 'audit', href: '/audit', label: 'Audit', roles: ['admin'] },
]

/** Whether `user` may use `screen` (sign-in off on the server: everyone is an admin). */
export function mayUse(screen, user) {
  return user.authentication === 'none' || screen.roles.includes(user.role)
}

function Navigation({ current, user }) {
  const links = SCREENS.filter((screen) => !user || mayUse(screen, user))
  return html`<nav class="ws-nav" aria-label="Workspace">
    <ul>
      ${links.map(
        (screen) => html`<li key=${screen.id}>
          <a href=${screen.href} aria-current=${screen.id === current ? 'page' : undefined}
            >${screen.label}</a
          >
        </li>`,
      )}
    </ul>
  </nav>`
}

/**
 * The page around a screen. `screen`: its id in SCREENS; `title` and `intro`: the page's heading
 * and one sentence under it; `children(user)`: the screen, drawn once someone allowed is signed in.
 */
export function WorkspaceShell({ screen, title, intro, children }) {
  const session = useSession()
  const entry = SCREENS.find((each) => each.id === screen)
  const user = session.phase === 'signed-in' ? session.user : undefined
  useEffect(() => {
    document.title = `${title} · IT Helpdesk`
  }, [title])
  let body
  if (session.phase === 'loading') body = html`<p class="ws-note" role="status">Loading…</p>`
  else if (!user)
    body = html`<${SignInForm}
      reason=${session.reason}
      oidc=${session.oidc}
      className="ws-panel ws-sign-in"
    />`
  else if (entry && !mayUse(entry, user))
    body = html`<p class="ws-note ws-denied" role="status">
      ${deniedSentence(entry)} You are signed in as ${user.username} (${user.role}). Your own
      requests and their answers are in <a href="/">the chat</a>.
    </p>`
  else body = children(user)
  return html`<a class="skip-link" href="#main">Skip to the content</a>
    <div class="ws-shell">
      <header class="ws-header">
        <p class="ws-brand"><a href="/">IT Helpdesk</a> <span>Workspace</span></p>
        <${Navigation} current=${screen} user=${user} />
        <${Account} user=${user} className="ws-account" />
      </header>
      <main id="main" class="ws-main" tabindex="-1">
        <h1 class="ws-title">${title}</h1>
        ${intro && html`<p class="ws-intro">${intro}</p>`}
        ${body}
      </main>
    </div>`
}

function deniedSentence(entry) {
  return entry.roles.includes('technician')
    ? `The ${entry.label.toLowerCase()} screen is for technicians and admins.`
    : `The ${entry.label.toLowerCase()} screen is for admins.`
}

/** Renders the screen `Screen` (a component taking `{ user }`) inside the shell, and signs in. */
export function mountScreen({ screen, title, intro, Screen }) {
  render(
    html`<${WorkspaceShell} screen=${screen} title=${title} intro=${intro}>
      ${(user) => html`<${Screen} user=${user} />`}
    <//>`,
    document.getElementById('app'),
  )
  void startSession()
}
