// What the runbook editor and history (runbook-editor.js, runbook-history.js) share with the
// runbook manager screen (workspace/instructions.js): a failed answer's message, and dates. The
// screen's status line is status-line.js's.

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
