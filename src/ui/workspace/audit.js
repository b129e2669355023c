// The audit viewer (/audit, admins only): search the trail by who, what, machine and time, newest
// first, a page at a time; the reason a person gave (an approval's or denial's, a resume's) in its
// own column; each record's detail (the exact script, parameters, outcome) on demand; and the chain's verification with its last anchor (the newest record a signed
// checkpoint outside the database covers).

import { html, useState } from '/ui/vendor/preact-htm.js'
import { ErrorLine, useApi, when } from './parts.js'
import { mountScreen } from './shell.js'

const EMPTY = { actor: '', action: '', target: '', from: '', to: '' }
const PAGE = 50

function queryOf(filters, before) {
  const query = new URLSearchParams()
  for (const name of ['actor', 'action', 'target', 'from']) {
    const value = filters[name].trim()
    if (value) query.set(name, value)
  }
  if (filters.to) {
    // The page's "to" day is included; the API's `to` is the first instant left out.
    const next = new Date(`${filters.to}T00:00:00Z`)
    next.setUTCDate(next.getUTCDate() + 1)
    query.set('to', next.toISOString().slice(0, 10))
  }
  if (before) query.set('before', String(before))
  query.set('limit', String(PAGE))
  return query.toString()
}

function Verification() {
  const { data, error, loading, reload } = useApi('/api/audit/verify')
  const result = data?.verification
  return html`<section class="ws-panel" aria-labelledby="verify-title">
    <div class="ws-actions">
      <h2 id="verify-title">Chain verification</h2>
      <button type="button" class="button button-small" onClick=${reload}>Verify again</button>
    </div>
    <${ErrorLine} error=${error && `Could not verify: ${error}`} />
    ${loading && !data && html`<p class="ws-note" role="status">Verifying…</p>`}
    ${
      result &&
      html`<p class=${result.ok ? 'ws-verified' : 'ws-broken'} role="status">
        ${
          result.ok
            ? `Intact: ${result.count} records, every link and signature checks.`
            : `Broken (${result.problem}) ${result.sequence ? `at record ${result.sequence}` : ''}: ${result.reason}`
        }
      </p>
      <dl class="ws-facts">
        ${result.ok && html`<dt>Head hash</dt><dd class="ws-mono">${result.headHash}</dd>`}
        ${result.ok && result.legacy > 0 && html`<dt>Legacy records</dt><dd>${result.legacy} (unkeyed, before the key)</dd>`}
        <dt>Last anchor</dt>
        <dd>
          ${
            data.anchor
              ? html`record ${data.anchor.sequence}, ${when(data.anchor.at)}, <span class="ws-mono">${data.anchor.hash.slice(0, 16)}…</span>`
              : 'none (no signed checkpoint yet)'
          }
        </dd>
      </dl>`
    }
  </section>`
}

function Filters({ initial, onApply }) {
  const [draft, setDraft] = useState(initial)
  const field = (name) => ({
    id: `audit-${name}`,
    value: draft[name],
    onInput: (event) => setDraft({ ...draft, [name]: event.currentTarget.value }),
  })
  return html`<form
    class="ws-filters"
    role="search"
    aria-label="Search the audit trail"
    onSubmit=${(event) => {
      event.preventDefault()
      onApply(draft)
    }}
  >
    <div><label for="audit-actor">Who</label><input ...${field('actor')} autocomplete="off" spellcheck="false" /></div>
    <div><label for="audit-action">What (action)</label><input ...${field('action')} placeholder="step-execute" autocomplete="off" spellcheck="false" /></div>
    <div><label for="audit-target">Machine or account</label><input ...${field('target')} autocomplete="off" spellcheck="false" /></div>
    <div><label for="audit-from">From</label><input type="date" ...${field('from')} /></div>
    <div><label for="audit-to">To</label><input type="date" ...${field('to')} /></div>
    <div class="ws-actions">
      <button type="submit" class="button button-primary">Search</button>
      <button type="button" class="button button-secondary" onClick=${() => {
        setDraft(EMPTY)
        onApply(EMPTY)
      }}>Reset</button>
    </div>
  </form>`
}

/**
 * The words a person gave with a decision (approve, deny, resume, cancel): optional for most,
 * so they live in the record's detail; shown in their own column, empty when none was given.
 */
function reasonOf(record) {
  const reason = record.detail?.reason
  return typeof reason === 'string' ? reason : ''
}

function Records({ records }) {
  if (records.length === 0) return html`<p class="ws-note">No record matches this search.</p>`
  return html`<div class="ws-table-wrap" tabindex="0" role="region" aria-label="Audit records, newest first">
    <table class="ws-table">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">What</th>
          <th scope="col">Where</th>
          <th scope="col">Reason</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        ${records.map(
          (record) => html`<tr key=${record.sequence}>
            <td class="ws-mono">${record.sequence}</td>
            <td>${when(record.at)}</td>
            <td>${record.actor}</td>
            <td class="ws-mono">${record.action}</td>
            <td>${record.target ?? ''}</td>
            <td class="ws-reason">${reasonOf(record)}</td>
            <td>
              <details>
                <summary>Show</summary>
                <pre class="ws-script">${JSON.stringify(record.detail, null, 2)}</pre>
              </details>
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`
}

function AuditScreen() {
  const [filters, setFilters] = useState(EMPTY)
  // The pages read so far: each starts before the last record of the one before.
  const [pages, setPages] = useState([undefined])
  const before = pages.at(-1)
  const { data, error, loading } = useApi(`/api/audit?${queryOf(filters, before)}`)
  const apply = (next) => {
    setFilters(next)
    setPages([undefined])
  }
  return html`<${Verification} />
    <section aria-labelledby="records-title">
      <h2 id="records-title">Search the trail</h2>
      <${Filters} initial=${filters} onApply=${apply} />
      <${ErrorLine} error=${error && `Could not search: ${error}`} />
      <p class="ws-note" role="status">
        ${loading ? 'Searching…' : data ? `Page ${pages.length}: ${data.records.length} record(s)${data.partial ? ` (stopped after reading ${data.scanned} records: go on for older ones)` : ''}` : ''}
      </p>
      ${data && html`<${Records} records=${data.records} />`}
      <div class="ws-actions ws-pager">
        <button type="button" class="button button-secondary" disabled=${pages.length === 1} onClick=${() => setPages(pages.slice(0, -1))}>
          Newer
        </button>
        <button type="button" class="button button-secondary" disabled=${!data?.nextBefore} onClick=${() => setPages([...pages, data.nextBefore])}>
          Older
        </button>
      </div>
    </section>`
}

mountScreen({
  screen: 'audit',
  title: 'Audit trail',
  intro:
    'Who did what, where and when, with the exact scripts; chained and signed so changes show.',
  Screen: AuditScreen,
})
