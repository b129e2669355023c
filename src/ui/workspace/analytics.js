// The analytics screen (/analytics, technicians and admins): a range of days (the address keeps
// it, ?from=...&to=..., so a link shows the same figures), the report from GET /api/analytics and
// each table as CSV. The report is analytics-view.js's `Report` component (its uPlot charts draw
// into their own canvases); the range form, the status line and the sign-in are Preact on the
// workspace shell.

import { Report } from '/ui/analytics-view.js'
import { html, useEffect, useRef, useState } from '/ui/vendor/preact-htm.js'
import { describe, useDownload } from './parts.js'
import { api, problem, SignInNeeded } from './session.js'
import { mountScreen } from './shell.js'

const DAY_MS = 86_400_000

function initialRange() {
  const address = new URLSearchParams(window.location.search)
  const today = new Date()
  return {
    from: address.get('from') ?? new Date(today.getTime() - 29 * DAY_MS).toISOString().slice(0, 10),
    to: address.get('to') ?? today.toISOString().slice(0, 10),
  }
}

function queryOf(range) {
  const query = new URLSearchParams()
  if (range.from) query.set('from', range.from)
  if (range.to) query.set('to', range.to)
  return query
}

function AnalyticsScreen() {
  const [range, setRange] = useState(initialRange)
  const [error, setError] = useState({ field: '', message: '' })
  const [status, setStatus] = useState('')
  const [busy, setBusy] = useState(false)
  /** The last report loaded (undefined before one). */
  const [shown, setShown] = useState()
  const fields = { from: useRef(), to: useRef() }

  /** The section whose CSV is being fetched (its button waits meanwhile). */
  const [downloading, setDownloading] = useState('')
  const file = useDownload()

  const download = async (shown, section) => {
    const query = queryOf(shown)
    query.set('format', 'csv')
    query.set('section', section)
    setDownloading(section)
    try {
      const response = await api(`/api/analytics?${query}`)
      if (!response.ok) throw new Error(await problem(response))
      const name = await file.save(response, `${section}.csv`)
      setStatus(`Downloaded ${name}.`)
    } catch (problemSeen) {
      if (!(problemSeen instanceof SignInNeeded))
        setStatus(`Could not download the CSV: ${describe(problemSeen)}`)
    } finally {
      setDownloading('')
    }
  }

  const load = async (wanted) => {
    setError({ field: '', message: '' })
    setStatus('Loading…')
    setBusy(true)
    try {
      const response = await api(`/api/analytics?${queryOf(wanted)}`)
      if (!response.ok) {
        const message = await problem(response)
        // The server names the field: mark that input.
        const field = message.startsWith('to:') ? 'to' : message.startsWith('from:') ? 'from' : ''
        setStatus('')
        setError({ field, message })
        fields[field]?.current?.focus()
        return
      }
      const body = await response.json()
      setRange({ from: body.range.from, to: body.range.to })
      history.replaceState(null, '', `?from=${body.range.from}&to=${body.range.to}`)
      setShown(body)
      setStatus(`Figures from ${body.range.from} to ${body.range.to} (UTC days).`)
    } catch (problemSeen) {
      if (!(problemSeen instanceof SignInNeeded))
        setStatus(`Could not load the figures: ${describe(problemSeen)}`)
    } finally {
      setBusy(false)
    }
  }
  // Once, for the address's range; then on Show.
  useEffect(() => void load(range), [])

  const submit = (event) => {
    event.preventDefault()
    if (range.from && range.to && range.from > range.to) {
      setError({ field: 'to', message: 'to: choose a day on or after "From".' })
      fields.to.current?.focus()
      return
    }
    void load(range)
  }
  const input = (name, label) => html`<div class="range-field">
    <label for=${`range-${name}`}>${label}</label>
    <input
      id=${`range-${name}`}
      ref=${fields[name]}
      name=${name}
      type="date"
      required
      value=${range[name]}
      onInput=${(event) => setRange({ ...range, [name]: event.currentTarget.value })}
      aria-invalid=${error.field === name ? 'true' : undefined}
    />
  </div>`
  return html`<div id="workspace" class="analytics-workspace">
    <form
      id="range-form"
      class="range-form"
      novalidate
      aria-describedby="range-error"
      onSubmit=${submit}
    >
      ${input('from', 'From')} ${input('to', 'To (included)')}
      <button id="range-apply" type="submit" class="button button-primary">Show</button>
      <p id="range-error" class="form-error" role="alert">${error.message}</p>
    </form>
    <p id="report-status" class="analytics-note" role="status" aria-live="polite">${status}</p>
    <div id="report" class="report" tabindex="-1" aria-busy=${busy ? 'true' : undefined}>
      ${
        shown &&
        html`<${Report}
          report=${shown}
          downloading=${downloading}
          download=${
            // The CSV buttons download the range the report shows.
            (section) => download(shown.range, section)
          }
        />`
      }
    </div>
    ${file.link}
  </div>`
}

mountScreen({
  screen: 'analytics',
  title: 'Analytics',
  intro: 'What the helpdesk did, from the conversations and the audit trail.',
  Screen: AnalyticsScreen,
})
