// The runbook manager (/instructions): the list with search and filters, one runbook's front
// matter, prose and actions, and the hand-over to the editor and the history. Technicians edit;
// admins also delete and restore. Everything goes through the same API outside checks use.
import { openEditor } from './runbook-editor.js'
import { openHistory } from './runbook-history.js'
import { api, startSignIn } from './sign-in.js'

const $ = (id) => document.getElementById(id)
const search = $('runbook-search')
const filters = {
  category: $('filter-category'),
  risk: $('filter-risk'),
  executor: $('filter-executor'),
  changed: $('filter-changed'),
}
const list = $('runbook-list')
const listCount = $('list-count')
const detail = $('detail')
const detailTitle = $('detail-title')
const detailEmpty = $('detail-empty')
const detailView = $('detail-view')
const editor = $('editor')
const history = $('history')
const pageStatus = $('page-status')

let user
let runbooks = []
let selected

/** An element with a class and text (or children): the page never sets HTML from data. */
export function element(tag, className, ...children) {
  const node = document.createElement(tag)
  if (className) node.className = className
  for (const child of children) if (child !== undefined && child !== null) node.append(child)
  return node
}

export function announce(text) {
  pageStatus.textContent = text
}

export function isAdmin() {
  return user?.role === 'admin'
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

function formatTime(iso) {
  if (!iso) return ''
  const date = new Date(iso)
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

export { formatTime }

function fillOptions(select, values) {
  const chosen = select.value
  select.replaceChildren(element('option', '', 'Any'))
  select.firstChild.value = ''
  for (const value of values) {
    const option = element('option', '', value)
    option.value = value
    select.append(option)
  }
  select.value = values.includes(chosen) ? chosen : ''
}

/** Loads the list (and keeps the selection when it still exists). */
export async function loadList(selectId) {
  const response = await api('/api/instructions')
  if (!response.ok) {
    listCount.textContent = `Could not load the runbooks: ${await failureText(response)}`
    return
  }
  runbooks = (await response.json()).instructions
  const values = (key) => [...new Set(runbooks.flatMap((each) => each[key]))].sort()
  fillOptions(filters.category, values('category'))
  fillOptions(
    filters.risk,
    ['low', 'medium', 'high', 'critical'].filter((risk) => values('risk').includes(risk)),
  )
  fillOptions(filters.executor, values('executors'))
  renderList()
  if (selectId) await show(selectId)
}

function matches(runbook) {
  const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean)
  const haystack = `${runbook.id} ${runbook.title} ${runbook.summary}`.toLowerCase()
  if (!words.every((word) => haystack.includes(word))) return false
  if (filters.category.value && runbook.category !== filters.category.value) return false
  if (filters.risk.value && runbook.risk !== filters.risk.value) return false
  if (filters.executor.value && !runbook.executors.includes(filters.executor.value)) return false
  if (filters.changed.value) {
    const days = Number(filters.changed.value)
    if (!runbook.changedAt || Date.now() - Date.parse(runbook.changedAt) > days * 86_400_000)
      return false
  }
  return true
}

function renderList() {
  const shown = runbooks
    .filter(matches)
    .sort(
      (left, right) =>
        (right.changedAt ?? '').localeCompare(left.changedAt ?? '') ||
        left.title.localeCompare(right.title),
    )
  list.replaceChildren(
    ...shown.map((runbook) => {
      const button = element(
        'button',
        'runbook-item',
        element('span', 'runbook-item-title', runbook.title),
      )
      button.type = 'button'
      button.dataset.id = runbook.id
      if (runbook.id === selected) button.setAttribute('aria-current', 'true')
      button.append(
        element(
          'span',
          'runbook-item-meta',
          `${runbook.id} · ${runbook.category} · `,
          badge(runbook.risk),
          ` · ${runbook.executors.join(', ')}`,
        ),
        element(
          'span',
          'runbook-item-changed',
          runbook.changedAt
            ? `v${runbook.version} · ${formatTime(runbook.changedAt)} by ${runbook.changedBy}`
            : '',
        ),
      )
      button.addEventListener('click', () => show(runbook.id, { focus: true }))
      return element('li', '', button)
    }),
  )
  listCount.textContent = `${shown.length} of ${runbooks.length} runbooks`
}

export function badge(risk) {
  return element('span', `badge risk-${risk}`, risk)
}

function panel(which) {
  detailEmpty.hidden = which !== 'empty'
  detailView.hidden = which !== 'view'
  editor.hidden = which !== 'editor'
  history.hidden = which !== 'history'
}

/** One runbook: front matter, actions with their scripts, the prose, and what may be done. */
export async function show(id, options = {}) {
  const response = await api(`/api/instructions/${encodeURIComponent(id)}`)
  if (!response.ok) {
    announce(await failureText(response))
    return
  }
  const runbook = await response.json()
  selected = id
  renderList()
  detailTitle.textContent = runbook.title
  const actions = element('div', 'detail-actions')
  const edit = element('button', 'button button-primary', 'Edit')
  edit.type = 'button'
  edit.addEventListener('click', () => startEditing(runbook))
  const versions = element('button', 'button button-secondary', 'History')
  versions.type = 'button'
  versions.addEventListener('click', () => showHistory(runbook))
  actions.append(edit, versions)
  if (isAdmin()) {
    const remove = element('button', 'button button-danger', 'Delete')
    remove.type = 'button'
    remove.addEventListener('click', () => confirmDelete(runbook))
    actions.append(remove)
  }
  const facts = element('dl', 'facts')
  const fact = (term, value) => facts.append(element('dt', '', term), element('dd', '', value))
  fact('Id', runbook.id)
  fact('Category', runbook.category)
  fact('Risk', badge(runbook.risk))
  if (runbook.version)
    fact('Version', `${runbook.version} · ${formatTime(runbook.changedAt)} by ${runbook.changedBy}`)
  fact('Keywords', runbook.keywords.join(', '))
  const examples = element(
    'details',
    'examples',
    element('summary', '', `${runbook.examples.length} example requests`),
    element('ul', '', ...runbook.examples.map((text) => element('li', '', text))),
  )
  const parameters = element(
    'ul',
    'parameter-list',
    ...runbook.parameters.map((parameter) =>
      element(
        'li',
        '',
        element('code', '', parameter.name),
        ` (${parameter.kind}${parameter.required ? ', required' : ''}): ${parameter.description}`,
      ),
    ),
  )
  const steps = element('ol', 'action-list', ...runbook.actions.map(renderAction))
  const prose = element(
    'div',
    'prose',
    ...runbook.sections.flatMap((section) => [
      element('h4', '', section.heading),
      element('p', 'prose-text', section.text),
    ]),
  )
  detailView.replaceChildren(
    actions,
    element('p', 'summary', runbook.summary),
    facts,
    examples,
    element('h3', '', 'Parameters'),
    runbook.parameters.length > 0 ? parameters : element('p', 'muted', 'None.'),
    element('h3', '', 'Actions'),
    steps,
    element('h3', '', 'Prose'),
    prose,
  )
  panel('view')
  if (options.focus) detail.focus()
}

function renderAction(action) {
  const body =
    action.script ??
    action.text ??
    `${action.executor}.${action.operation}(${action.uses.join(', ')})`
  return element(
    'li',
    'action',
    element('p', 'action-title', action.title),
    element(
      'p',
      'action-meta',
      `${action.executor} · `,
      badge(action.risk),
      action.readOnly ? ' · read-only' : '',
      action.uses.length ? ` · uses ${action.uses.join(', ')}` : '',
    ),
    action.script || action.operation
      ? element('pre', 'script', element('code', '', body))
      : element('p', '', body),
  )
}

function startEditing(runbook) {
  panel('editor')
  detailTitle.textContent = runbook ? `Edit: ${runbook.title}` : 'New runbook'
  openEditor(editor, runbook, {
    saved: async (id) => {
      await loadList(id)
      detail.focus()
    },
    cancelled: () => (runbook ? show(runbook.id, { focus: true }) : panel('empty')),
  })
}

function showHistory(runbook) {
  panel('history')
  detailTitle.textContent = `History: ${runbook.title}`
  openHistory(history, runbook.id, {
    restored: async (id) => loadList(id),
    back: () => show(runbook.id, { focus: true }),
  })
}

function confirmDelete(runbook) {
  const dialog = $('delete-dialog')
  $('delete-text').textContent =
    `"${runbook.title}" (${runbook.id}) stops being used by the next chat turn. Its versions stay readable and an admin can restore it.`
  $('delete-reason').value = ''
  dialog.returnValue = ''
  dialog.showModal()
  dialog.addEventListener(
    'close',
    async () => {
      if (dialog.returnValue !== 'delete') return
      const response = await api(`/api/instructions/${encodeURIComponent(runbook.id)}`, {
        method: 'DELETE',
        headers: { 'x-change-reason': encodeURIComponent($('delete-reason').value) },
      })
      if (!response.ok) {
        announce(`Not deleted: ${await failureText(response)}`)
        return
      }
      announce(`${runbook.id} deleted`)
      selected = undefined
      detailTitle.textContent = 'Choose a runbook'
      panel('empty')
      await loadList()
      search.focus()
    },
    { once: true },
  )
}

async function importFiles(files) {
  const form = new FormData()
  for (const file of files) form.append('files', file)
  const report = $('import-report')
  const response = await api('/api/instructions/import', { method: 'POST', body: form })
  let body
  try {
    body = await response.json()
  } catch {
    body = undefined
  }
  report.hidden = false
  if (!body?.files) {
    report.replaceChildren(
      element('p', 'form-error', `Import failed: ${body?.error?.message ?? response.status}`),
    )
  } else {
    report.replaceChildren(
      element(
        'p',
        body.applied ? 'import-applied' : 'form-error',
        body.applied
          ? 'Imported.'
          : 'Nothing imported: fix the invalid files and import them all again.',
      ),
      element(
        'ul',
        '',
        ...body.files.map((file) =>
          element(
            'li',
            `import-${file.status}`,
            element('strong', '', file.file),
            ` ${file.status}${file.reason ? `: ${file.reason}` : ''}`,
          ),
        ),
      ),
    )
    if (body.applied) await loadList(selected)
  }
  report.focus()
}

async function exportAll() {
  const response = await api('/api/instructions/export')
  if (!response.ok) {
    announce(`Export failed: ${await failureText(response)}`)
    return
  }
  const url = URL.createObjectURL(await response.blob())
  const link = element('a')
  link.href = url
  link.download =
    /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ??
    'runbooks.zip'
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

search.addEventListener('input', renderList)
for (const select of Object.values(filters)) select.addEventListener('change', renderList)
$('new-runbook').addEventListener('click', () => startEditing(undefined))
$('import-files').addEventListener('change', (event) => {
  const files = [...event.target.files]
  event.target.value = ''
  if (files.length > 0) importFiles(files)
})
$('export-runbooks').addEventListener('click', exportAll)

startSignIn(async (signedIn) => {
  user = signedIn
  const staff = signedIn?.role === 'technician' || signedIn?.role === 'admin'
  $('not-staff').hidden = !signedIn || staff
  $('manager-body').hidden = !staff
  if (staff) await loadList(new URLSearchParams(location.search).get('id') ?? undefined)
})
