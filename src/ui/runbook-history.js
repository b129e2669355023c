// A runbook's version history: who changed it, when and why, the diff of each version from the
// one before, and (admins) restoring an old version, which becomes the newest and is used by the
// next chat turn.
import { announce, element, failureText, formatTime, isAdmin } from './instructions.js'
import { api } from './sign-in.js'

/**
 * Fills `container` with the history of runbook `id`.
 * @param handlers `restored(id)` after a restore, `back()` to the runbook
 */
export async function openHistory(container, id, handlers) {
  const back = element('button', 'button button-secondary', 'Back to the runbook')
  back.type = 'button'
  back.addEventListener('click', () => handlers.back())
  container.replaceChildren(back, element('p', 'muted', 'Loading…'))
  const response = await api(`/api/instructions/${encodeURIComponent(id)}/versions`)
  if (!response.ok) {
    container.replaceChildren(back, element('p', 'form-error', await failureText(response)))
    return
  }
  const { versions, current } = await response.json()
  const items = versions.map((version) => {
    const title = element(
      'p',
      'version-title',
      element('strong', '', `Version ${version.version}`),
      ` · ${version.change} · ${formatTime(version.at)} by ${version.author}`,
      version.version === current ? ' · current' : '',
    )
    const why = element('p', 'version-reason', version.reason)
    const diff = element(
      'details',
      'version-diff',
      element('summary', '', `Changes: +${version.added} −${version.removed}`),
      renderDiff(version.diff),
    )
    const item = element('li', 'version', title, why)
    if (version.change !== 'deleted') item.append(diff)
    if (isAdmin() && version.change !== 'deleted' && version.version !== current) {
      const restore = element(
        'button',
        'button button-secondary',
        `Restore version ${version.version}`,
      )
      restore.type = 'button'
      restore.addEventListener('click', async () => {
        restore.disabled = true
        const answer = await api(
          `/api/instructions/${encodeURIComponent(id)}/versions/${version.version}/restore`,
          {
            method: 'POST',
            headers: {
              'x-change-reason': encodeURIComponent(`restored version ${version.version}`),
            },
          },
        )
        restore.disabled = false
        if (!answer.ok) {
          announce(`Not restored: ${await failureText(answer)}`)
          return
        }
        announce(`Version ${version.version} of ${id} restored; the next chat turn uses it`)
        await handlers.restored(id)
      })
      item.append(restore)
    }
    return item
  })
  container.replaceChildren(back, element('ol', 'versions', ...items))
}

/** The unified diff, one line each, added and removed lines marked (not by colour alone). */
function renderDiff(text) {
  const pre = element('pre', 'diff')
  for (const line of text.split('\n')) {
    const kind =
      line.startsWith('+') && !line.startsWith('+++')
        ? 'diff-added'
        : line.startsWith('-') && !line.startsWith('---')
          ? 'diff-removed'
          : line.startsWith('@@')
            ? 'diff-hunk'
            : ''
    pre.append(element('span', `diff-line ${kind}`, line), '\n')
  }
  return pre
}
