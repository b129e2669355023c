// The runbook manager (/instructions, technicians and admins): the list with search and filters,
// one runbook's front matter, prose and actions, import and export, delete (admins, after a
// confirmation), the deleted runbooks with their versions (deleted-runbooks.js), and the
// out-of-scope hand-off topics (hand-off-topics.js). Editing and the
// history are the Preact components of runbook-editor.js and runbook-history.js. A runbook is
// opened from the address too (?id=<id>). Everything goes through the same API outside checks use.

import { RunbookEditor } from '/ui/runbook-editor.js'
import { RunbookHistory } from '/ui/runbook-history.js'
import { failureText, formatTime } from '/ui/runbook-parts.js'
import { announce, StatusLine } from '/ui/status-line.js'
import { html, useEffect, useRef, useState } from '/ui/vendor/preact-htm.js'
import { DeletedRunbooks } from './deleted-runbooks.js'
import { HandOffTopics } from './hand-off-topics.js'
import { describe, useDownload } from './parts.js'
import { ImportReport, RunbookView } from './runbook-view.js'
import { api, SignInNeeded } from './session.js'
import { mountScreen } from './shell.js'

const NO_FILTERS = { search: '', category: '', risk: '', executor: '', changed: '' }
const RISKS = ['low', 'medium', 'high', 'critical']

function matches(runbook, filters) {
  const words = filters.search.trim().toLowerCase().split(/\s+/).filter(Boolean)
  const haystack = `${runbook.id} ${runbook.title} ${runbook.summary}`.toLowerCase()
  if (!words.every((word) => haystack.includes(word))) return false
  if (filters.category && runbook.category !== filters.category) return false
  if (filters.risk && runbook.risk !== filters.risk) return false
  if (filters.executor && !runbook.executors.includes(filters.executor)) return false
  if (filters.changed) {
    const days = Number(filters.changed)
    if (!runbook.changedAt || Date.now() - Date.parse(runbook.changedAt) > days * 86_400_000)
      return false
  }
  return true
}

function Choice({ id, label, value, values, onChange, anyLabel = 'Any' }) {
  return html`<label
    >${label}${' '}
    <select id=${id} value=${value} onChange=${(event) => onChange(event.currentTarget.value)}>
      <option value="">${anyLabel}</option>
      ${values.map((each) => html`<option key=${each} value=${each}>${each}</option>`)}
    </select>
  </label>`
}

function ListItem({ runbook, current, onOpen }) {
  return html`<li>
    <button
      type="button"
      class="runbook-item"
      data-id=${runbook.id}
      aria-current=${current ? 'true' : undefined}
      onClick=${() => onOpen(runbook.id)}
    >
      <span class="runbook-item-title">${runbook.title}</span>
      <span class="runbook-item-meta"
        >${`${runbook.id} · ${runbook.category} · `}<span class=${`badge risk-${runbook.risk}`}
          >${runbook.risk}</span
        >${` · ${runbook.executors.join(', ')}`}</span
      >
      <span class="runbook-item-changed">
        ${runbook.changedAt ? `v${runbook.version} · ${formatTime(runbook.changedAt)} by ${runbook.changedBy}` : ''}
      </span>
    </button>
  </li>`
}

function ManagerScreen({ user }) {
  const [runbooks, setRunbooks] = useState([])
  const [count, setCount] = useState('')
  const [filters, setFilters] = useState(NO_FILTERS)
  const [runbook, setRunbook] = useState()
  // 'empty' | 'view' | 'editor' | 'history' | 'deleted' | 'topics', what the editor opens (a
  // runbook or a new one), and whose history (`id`, `deleted`: one from the deleted list).
  const [mode, setMode] = useState({ name: 'empty' })
  const [report, setReport] = useState()
  const [deleting, setDeleting] = useState()
  const detail = useRef()
  const search = useRef()
  const reportBox = useRef()
  const dialog = useRef()
  const reason = useRef()
  const file = useDownload()

  const loadList = async (selectId) => {
    const response = await api('/api/instructions')
    if (!response.ok) {
      setCount(`Could not load the runbooks: ${await failureText(response)}`)
      return
    }
    setRunbooks((await response.json()).instructions)
    if (selectId) await show(selectId)
  }
  const show = async (id, focus = false) => {
    const response = await api(`/api/instructions/${encodeURIComponent(id)}`)
    if (!response.ok) {
      announce(await failureText(response))
      return
    }
    setRunbook(await response.json())
    setMode({ name: 'view' })
    // The section is always on the page: the focus goes there at once.
    if (focus) detail.current?.focus()
  }
  const guarded =
    (work) =>
    async (...values) => {
      try {
        await work(...values)
      } catch (error) {
        if (!(error instanceof SignInNeeded)) announce(describe(error))
      }
    }
  useEffect(() => {
    void guarded(loadList)(new URLSearchParams(location.search).get('id') ?? undefined)
  }, [])
  useEffect(() => {
    if (report) reportBox.current?.focus()
  }, [report])
  useEffect(() => {
    if (deleting && !dialog.current.open) {
      reason.current.value = ''
      dialog.current.returnValue = ''
      dialog.current.showModal()
    }
  }, [deleting])

  const values = (key) => [...new Set(runbooks.flatMap((each) => each[key]))].sort()
  const shown = runbooks
    .filter((each) => matches(each, filters))
    .sort(
      (left, right) =>
        (right.changedAt ?? '').localeCompare(left.changedAt ?? '') ||
        left.title.localeCompare(right.title),
    )
  const filter = (name) => (value) => setFilters({ ...filters, [name]: value })

  const importFiles = guarded(async (files) => {
    const form = new FormData()
    for (const file of files) form.append('files', file)
    const response = await api('/api/instructions/import', { method: 'POST', body: form })
    let body
    try {
      body = await response.json()
    } catch {
      body = undefined
    }
    setReport(body?.files ? body : { failed: body?.error?.message ?? String(response.status) })
    if (body?.applied) await loadList(runbook?.id)
  })
  const exportAll = guarded(async () => {
    const response = await api('/api/instructions/export')
    if (!response.ok) {
      announce(`Export failed: ${await failureText(response)}`)
      return
    }
    announce(`Downloaded ${await file.save(response, 'runbooks.zip')}`)
  })
  const deleteClosed = guarded(async () => {
    const target = deleting
    setDeleting(undefined)
    if (!target || dialog.current.returnValue !== 'delete') return
    const response = await api(`/api/instructions/${encodeURIComponent(target.id)}`, {
      method: 'DELETE',
      headers: { 'x-change-reason': encodeURIComponent(reason.current.value) },
    })
    if (!response.ok) {
      announce(`Not deleted: ${await failureText(response)}`)
      return
    }
    announce(`${target.id} deleted`)
    setRunbook(undefined)
    setMode({ name: 'empty' })
    await loadList()
    search.current?.focus()
  })

  const editing = mode.name === 'editor'
  // Admins restore and delete (with sign-in off everyone is one); the server checks again.
  const admin = user.role === 'admin' || user.authentication === 'none'
  const title =
    mode.name === 'empty'
      ? 'Choose a runbook'
      : mode.name === 'editor'
        ? mode.runbook
          ? `Edit: ${mode.runbook.title}`
          : 'New runbook'
        : mode.name === 'history'
          ? `History: ${mode.deleted ? `${mode.deleted.title} (deleted)` : runbook?.title}`
          : mode.name === 'deleted'
            ? 'Deleted runbooks'
            : mode.name === 'topics'
              ? 'Hand-off topics'
              : runbook?.title
  return html`<${StatusLine} id="page-status" />
    <div id="manager-body" class="manager-body">
      <section class="runbook-list-pane" aria-labelledby="list-title">
        <h2 id="list-title" class="visually-hidden">All runbooks</h2>
        <div class="list-tools">
          <label for="runbook-search" class="visually-hidden">Search runbooks</label>
          <input
            id="runbook-search"
            ref=${search}
            type="search"
            placeholder="Search title, id, summary…"
            autocomplete="off"
            value=${filters.search}
            onInput=${(event) => filter('search')(event.currentTarget.value)}
          />
          <div class="filters">
            <${Choice} id="filter-category" label="Category" value=${filters.category} values=${values('category')} onChange=${filter('category')} />
            <${Choice} id="filter-risk" label="Risk" value=${filters.risk} values=${RISKS.filter((risk) => values('risk').includes(risk))} onChange=${filter('risk')} />
            <${Choice} id="filter-executor" label="Executor" value=${filters.executor} values=${values('executors')} onChange=${filter('executor')} />
            <label
              >Changed${' '}
              <select id="filter-changed" value=${filters.changed} onChange=${(event) => filter('changed')(event.currentTarget.value)}>
                <option value="">Any time</option>
                <option value="1">Last 24 hours</option>
                <option value="7">Last 7 days</option>
                <option value="30">Last 30 days</option>
              </select>
            </label>
          </div>
          <div class="list-actions">
            <button id="new-runbook" type="button" class="button button-primary" onClick=${() => setMode({ name: 'editor', runbook: undefined })}>
              New runbook
            </button>
            <label class="button button-secondary file-button" for="import-files">Import…</label>
            <input
              id="import-files"
              class="visually-hidden"
              type="file"
              multiple
              accept=".md,.zip,text/markdown,application/zip"
              onChange=${(event) => {
                const files = [...event.currentTarget.files]
                event.currentTarget.value = ''
                if (files.length > 0) void importFiles(files)
              }}
            />
            <button id="export-runbooks" type="button" class="button button-secondary" onClick=${exportAll}>
              Export .zip
            </button>
            <button
              id="hand-off-topics"
              type="button"
              class="button button-secondary"
              onClick=${() => {
                setRunbook(undefined)
                setMode({ name: 'topics' })
                detail.current?.focus()
              }}
            >
              Hand-off topics
            </button>
            <button
              id="deleted-runbooks"
              type="button"
              class="button button-secondary"
              onClick=${() => {
                setRunbook(undefined)
                setMode({ name: 'deleted' })
                detail.current?.focus()
              }}
            >
              Deleted runbooks
            </button>
          </div>
          <p id="list-count" class="list-count" aria-live="polite">
            ${count || `${shown.length} of ${runbooks.length} runbooks`}
          </p>
          ${file.link}
        </div>
        <div id="import-report" class="import-report" hidden=${!report} tabindex="-1" ref=${reportBox}>
          ${report && html`<${ImportReport} report=${report} />`}
        </div>
        <ul id="runbook-list" class="runbook-list" aria-label="Runbooks">
          ${shown.map(
            (each) => html`<${ListItem}
              key=${each.id}
              runbook=${each}
              current=${each.id === runbook?.id}
              onOpen=${(id) => void guarded(show)(id, true)}
            />`,
          )}
        </ul>
      </section>

      <section id="detail" class="runbook-detail" aria-labelledby="detail-title" tabindex="-1" ref=${detail}>
        <h2 id="detail-title" class="detail-title">${title}</h2>
        ${mode.name === 'empty' && html`<p id="detail-empty" class="muted">Pick one from the list, or add a new one.</p>`}
        <div id="detail-view" hidden=${mode.name !== 'view'}>
          ${
            runbook &&
            html`<${RunbookView}
              runbook=${runbook}
              admin=${admin}
              onEdit=${() => setMode({ name: 'editor', runbook })}
              onHistory=${() => setMode({ name: 'history', id: runbook.id })}
              onDelete=${() => setDeleting(runbook)}
            />`
          }
        </div>
        ${
          editing &&
          html`<div id="editor" class="editor">
            <${RunbookEditor}
              key=${`editor-${mode.runbook?.id ?? 'new'}`}
              runbook=${mode.runbook}
              onSaved=${guarded(async (id) => {
                await loadList(id)
                detail.current?.focus()
              })}
              onCancelled=${() =>
                mode.runbook
                  ? void guarded(show)(mode.runbook.id, true)
                  : setMode({ name: 'empty' })}
            />
          </div>`
        }
        ${
          mode.name === 'topics' &&
          html`<div id="topics" class="editor">
            <${HandOffTopics}
              admin=${admin}
              onBack=${() => {
                setMode({ name: 'empty' })
                search.current?.focus()
              }}
            />
          </div>`
        }
        ${
          mode.name === 'deleted' &&
          html`<div id="deleted" class="history">
            <${DeletedRunbooks}
              onVersions=${(deleted) => {
                setMode({ name: 'history', id: deleted.id, deleted })
                detail.current?.focus()
              }}
              onBack=${() => {
                setMode({ name: 'empty' })
                search.current?.focus()
              }}
            />
          </div>`
        }
        ${
          mode.name === 'history' &&
          html`<div id="history" class="history">
            <${RunbookHistory}
              key=${mode.id}
              id=${mode.id}
              admin=${admin}
              backLabel=${mode.deleted ? 'Back to the deleted runbooks' : 'Back to the runbook'}
              onRestored=${guarded(async (id) => {
                await loadList(id)
                detail.current?.focus()
              })}
              onBack=${() => {
                if (!mode.deleted) return void guarded(show)(mode.id, true)
                setMode({ name: 'deleted' })
                detail.current?.focus()
              }}
            />
          </div>`
        }
      </section>
    </div>

    <dialog id="delete-dialog" class="confirm-dialog" aria-labelledby="delete-title" ref=${dialog} onClose=${deleteClosed}>
      <form id="delete-form" method="dialog">
        <h2 id="delete-title">Delete this runbook?</h2>
        <p id="delete-text">
          ${deleting && `"${deleting.title}" (${deleting.id}) stops being used by the next chat turn. Its versions stay readable and an admin can restore it.`}
        </p>
        <label for="delete-reason">Why (kept in the history)</label>
        <input id="delete-reason" ref=${reason} type="text" maxlength="500" autocomplete="off" />
        <div class="dialog-actions">
          <button type="submit" value="cancel" class="button button-secondary">Cancel</button>
          <button id="delete-confirm" type="submit" value="delete" class="button button-danger">Delete</button>
        </div>
      </form>
    </dialog>`
}

mountScreen({
  screen: 'instructions',
  title: 'Runbooks',
  intro: 'What the helpdesk knows how to do. A save is used by the next chat turn.',
  Screen: ManagerScreen,
})
