// The deleted runbooks (technicians and admins): each one's title, who deleted it, when and why,
// and a way to its versions (runbook-history.js), which stay readable with their diffs; an admin
// restores one from there. A deleted runbook is no longer in the list, so this is the way back.

import { formatTime } from '/ui/runbook-parts.js'
import { html } from '/ui/vendor/preact-htm.js'
import { ErrorLine, useApi } from './parts.js'

/** `onVersions(deleted)`: open one's versions; `onBack()`: back to the runbooks. */
export function DeletedRunbooks({ onVersions, onBack }) {
  const { data, error, loading } = useApi('/api/deleted-instructions')
  const back = html`<button type="button" class="button button-secondary" onClick=${() => onBack()}>
    Back to the runbooks
  </button>`
  if (error)
    return html`${back}<${ErrorLine} error=${`Could not load the deleted runbooks: ${error}`} />`
  if (loading && !data) return html`${back}<p class="muted">Loading…</p>`
  if (data.deleted.length === 0)
    return html`${back}<p id="deleted-none" class="muted">No runbook is deleted.</p>`
  return html`${back}
    <ul id="deleted-list" class="versions deleted-list" aria-label="Deleted runbooks">
      ${data.deleted.map(
        (each) => html`<li key=${each.id} class="version deleted-runbook" data-id=${each.id}>
          <p class="version-title">
            <strong>${each.title}</strong>${` · ${each.id} · deleted ${formatTime(each.deletedAt)} by ${each.deletedBy}`}
          </p>
          <p class="version-reason">${each.reason}</p>
          <button type="button" class="button button-secondary" onClick=${() => onVersions(each)}>
            Versions<span class="visually-hidden">${` of ${each.title}`}</span>
          </button>
        </li>`,
      )}
    </ul>`
}
