// The analytics page (/analytics), for technicians and admins: a range of days (the address
// keeps it, ?from=...&to=..., so a link shows the same figures), the report from
// GET /api/analytics drawn by analytics-view.js, and each table as CSV.

import { renderReport } from './analytics-view.js'
import { api, SignInNeeded, startSignIn } from './sign-in.js'

const $ = (id) => document.getElementById(id)
const workspace = $('workspace')
const notStaff = $('not-staff')
const form = $('range-form')
const fromInput = $('range-from')
const toInput = $('range-to')
const rangeError = $('range-error')
const status = $('report-status')
const report = $('report')
const DAY_MS = 86_400_000

async function problem(response) {
  try {
    const body = await response.json()
    return body.error?.message ?? `the server answered ${response.status}`
  } catch {
    return `the server answered ${response.status}`
  }
}

function rangeQuery() {
  const query = new URLSearchParams()
  if (fromInput.value) query.set('from', fromInput.value)
  if (toInput.value) query.set('to', toInput.value)
  return query
}

async function download(section, button) {
  const query = rangeQuery()
  query.set('format', 'csv')
  query.set('section', section)
  button.disabled = true
  try {
    const response = await api(`/api/analytics?${query}`)
    if (!response.ok) throw new Error(await problem(response))
    const name =
      /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ??
      `${section}.csv`
    const link = document.createElement('a')
    link.href = URL.createObjectURL(await response.blob())
    link.download = name
    document.body.append(link)
    link.click()
    link.remove()
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000)
    status.textContent = `Downloaded ${name}.`
  } catch (error) {
    if (error instanceof SignInNeeded) return
    status.textContent = `Could not download the CSV: ${error instanceof Error ? error.message : String(error)}`
  } finally {
    button.disabled = false
  }
}

async function load() {
  rangeError.textContent = ''
  for (const input of [fromInput, toInput]) input.removeAttribute('aria-invalid')
  const query = rangeQuery()
  status.textContent = 'Loading…'
  report.setAttribute('aria-busy', 'true')
  try {
    const response = await api(`/api/analytics?${query}`)
    if (!response.ok) {
      const message = await problem(response)
      status.textContent = ''
      rangeError.textContent = message
      // The server names the field: mark that input.
      const field = message.startsWith('to:')
        ? toInput
        : message.startsWith('from:')
          ? fromInput
          : undefined
      field?.setAttribute('aria-invalid', 'true')
      field?.focus()
      return
    }
    const body = await response.json()
    fromInput.value = body.range.from
    toInput.value = body.range.to
    history.replaceState(null, '', `?from=${body.range.from}&to=${body.range.to}`)
    renderReport(report, body, { download })
    status.textContent = `Figures from ${body.range.from} to ${body.range.to} (UTC days).`
  } catch (error) {
    if (error instanceof SignInNeeded) return
    status.textContent = `Could not load the figures: ${error instanceof Error ? error.message : String(error)}`
  } finally {
    report.removeAttribute('aria-busy')
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault()
  if (fromInput.value && toInput.value && fromInput.value > toInput.value) {
    rangeError.textContent = 'to: choose a day on or after "From".'
    toInput.setAttribute('aria-invalid', 'true')
    toInput.focus()
    return
  }
  void load()
})

void startSignIn((user) => {
  const staff = user && (user.role === 'technician' || user.role === 'admin')
  workspace.hidden = !staff
  notStaff.hidden = !user || staff
  if (!staff) return
  const address = new URLSearchParams(window.location.search)
  const today = new Date()
  toInput.value = address.get('to') ?? today.toISOString().slice(0, 10)
  fromInput.value =
    address.get('from') ?? new Date(today.getTime() - 29 * DAY_MS).toISOString().slice(0, 10)
  void load()
})
