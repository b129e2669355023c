// What the runbook editor and history (runbook-editor.js, runbook-history.js) share with the
// runbook manager screen (workspace/instructions.js): the screen's status line, a failed
// answer's message, and dates.

/** Says `text` in the screen's status line (read by screen readers, not shown). */
export function announce(text) {
  const line = document.getElementById('page-status')
  if (line) line.textContent = text
}

/** The error message of a failed answer, whatever shape its body has. */
export async function failureText(response) {
  try {
    const body = await response.json()
    return body?.error?.message ?? `${response.status} ${response.statusText}`
  } catch {
    return `${response.status} ${response.statusText}`
  }
}

export function formatTime(iso) {
  if (!iso) return ''
  const date = new Date(iso)
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}
