// A runbook's version history, a Preact component: who changed it, when and why, the diff of
// each version from the one before, and (admins) restoring an old version, which becomes the
// newest and is used by the next chat turn.
import { html, useEffect, useState } from '/ui/vendor/preact-htm.js'
import { failureText, formatTime } from './runbook-parts.js'
import { announce } from './status-line.js'
import { api, SignInNeeded } from './workspace/session.js'

/** The unified diff, one line each, added and removed lines marked (not by colour alone). */
function Diff({ text }) {
  const kindOf = (line) =>
    line.startsWith('+') && !line.startsWith('+++')
      ? 'diff-added'
      : line.startsWith('-') && !line.startsWith('---')
        ? 'diff-removed'
        : line.startsWith('@@')
          ? 'diff-hunk'
          : ''
  return html`<pre class="diff">${text
    .split('\n')
    .map((line) => html`<span class=${`diff-line ${kindOf(line)}`}>${line}</span>${'\n'}`)}</pre>`
}

/** One version; `onRestore` when an admin may restore it (undefined: no button). */
export function Version({ version, current, onRestore }) {
  const [restoring, setRestoring] = useState(false)
  return html`<li class="version">
    <p class="version-title">
      <strong>Version ${version.version}</strong>${` · ${version.change} · ${formatTime(version.at)} by ${version.author}`}${version.version === current ? ' · current' : ''}
    </p>
    <p class="version-reason">${version.reason}</p>
    ${
      version.change !== 'deleted' &&
      html`<details class="version-diff">
        <summary>Changes: +${version.added} −${version.removed}</summary>
        <${Diff} text=${version.diff} />
      </details>`
    }
    ${
      onRestore &&
      html`<button
        type="button"
        class="button button-secondary"
        disabled=${restoring}
        onClick=${async () => {
          setRestoring(true)
          try {
            await onRestore()
          } finally {
            setRestoring(false)
          }
        }}
      >
        Restore version ${version.version}
      </button>`
    }
  </li>`
}

/**
 * The history of runbook `id` (also of a deleted one). `admin`: may restore; `onRestored(id)`
 * after a restore, `onBack()` back to where it was opened from, named by `backLabel`.
 */
export function RunbookHistory({
  id,
  admin,
  onRestored,
  onBack,
  backLabel = 'Back to the runbook',
}) {
  // undefined while loading, then { versions, current } or { failed }.
  const [loaded, setLoaded] = useState(undefined)
  useEffect(() => {
    let gone = false
    setLoaded(undefined)
    void (async () => {
      try {
        const response = await api(`/api/instructions/${encodeURIComponent(id)}/versions`)
        const body = response.ok ? await response.json() : { failed: await failureText(response) }
        if (!gone) setLoaded(body)
      } catch (error) {
        if (gone || error instanceof SignInNeeded) return
        setLoaded({ failed: error instanceof Error ? error.message : String(error) })
      }
    })()
    return () => {
      gone = true
    }
  }, [id])

  const restore = (version) => async () => {
    const answer = await api(
      `/api/instructions/${encodeURIComponent(id)}/versions/${version.version}/restore`,
      {
        method: 'POST',
        headers: { 'x-change-reason': encodeURIComponent(`restored version ${version.version}`) },
      },
    )
    if (!answer.ok) {
      announce(`Not restored: ${await failureText(answer)}`)
      return
    }
    announce(`Version ${version.version} of ${id} restored; the next chat turn uses it`)
    await onRestored(id)
  }

  const back = html`<button type="button" class="button button-secondary" onClick=${() => onBack()}>
    ${backLabel}
  </button>`
  if (loaded === undefined) return html`${back}<p class="muted">Loading…</p>`
  if (loaded.failed) return html`${back}<p class="form-error">${loaded.failed}</p>`
  return html`${back}
    <ol class="versions">
      ${loaded.versions.map(
        (version) => html`<${Version}
          key=${version.version}
          version=${version}
          current=${loaded.current}
          onRestore=${admin && version.change !== 'deleted' && version.version !== loaded.current ? restore(version) : undefined}
        />`,
      )}
    </ol>`
}
