/**
 * @module chat/format
 * Words and times as the chat page and the approvals panel show them: approval levels, short
 * request ids, times, step statuses, and the message of an error answer.
 */

/** What each approval level means, as the chat's plan cards say it too. */
export const APPROVAL_LEVELS = {
  0: 'runs at once (read-only)',
  1: 'you confirm',
  2: 'a technician approves the plan',
  3: 'a technician approves each step',
}

/** The same levels as a technician reads them (level 1 is "you confirm" to the requester). */
export const LEVELS_FOR_APPROVER = {
  ...APPROVAL_LEVELS,
  1: 'the requester confirms, or a technician approves',
}

const STATUS_TEXT = {
  dry_run: 'dry run',
  succeeded: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
  awaiting_approval: 'awaiting approval',
  unknown: 'unknown: check the target by hand',
}

/** A step's status in words. */
export function statusText(status) {
  return STATUS_TEXT[status] ?? String(status ?? '').replaceAll('_', ' ')
}

/** The first 8 characters of an approval id: what the chat and the panel show. */
export function shortId(id) {
  return String(id ?? '').slice(0, 8)
}

/** A time as people read it: "14:32" today, with the date otherwise. */
export function when(iso) {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return String(iso ?? '')
  const today = date.toDateString() === new Date().toDateString()
  return today
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })
}

/** "14:32 (in 58 min)": drawn again on each load, so it never goes far out of date. */
export function expiryText(iso) {
  const minutes = Math.round((Date.parse(iso) - Date.now()) / 60_000)
  if (Number.isNaN(minutes)) return when(iso)
  if (minutes <= 0) return `${when(iso)} (now)`
  if (minutes < 120) return `${when(iso)} (in ${minutes} min)`
  return `${when(iso)} (in ${Math.round(minutes / 60)} h)`
}

/** Ends a message from the server with a full stop, unless it has one. */
export function sentence(text) {
  const trimmed = String(text ?? '').trim()
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`
}

/** The `{ code, message }` of an error answer, or the HTTP status when it has none. */
export async function errorOf(response) {
  const body = await response.json().catch(() => null)
  return {
    code: body?.error?.code ?? '',
    message:
      body?.error?.message ?? `the server answered ${response.status} ${response.statusText}`,
  }
}

/** The text of anything thrown. */
export function describeError(error) {
  return error instanceof Error ? error.message : String(error)
}

let nextId = 0
/** An id unique on the page, for labels and descriptions. */
export function uniqueId(prefix) {
  nextId += 1
  return `${prefix}-${nextId}`
}
