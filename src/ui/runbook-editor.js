// The runbook editor: the Markdown in a textarea, checked as one types (debounced) by the same
// schema as the server's loader, with every problem by field and line (a button moves the caret
// to the line); "which runbook would this hit?" routes a message against the draft set; save
// sends the text with the reason and the version it started from (a change made meanwhile is
// refused, not overwritten).
import { announce, element, failureText } from './instructions.js'
import { api } from './sign-in.js'

const VALIDATE_DELAY_MS = 400

const TEMPLATE = `---
id: new_runbook_id
title: What the employee needs, in a few words
category: hardware
risk: low
summary: >-
  One or two sentences on what this runbook is for.
keywords:
  - keyword one
  - keyword two
  - keyword three
  - keyword four
  - keyword five
examples:
  - an example request as an employee would write it
parameters: []
actions:
  - id: first_step
    title: What is done first
    executor: guidance
    risk: low
    readOnly: true
    text: >-
      What the person or technician does by hand.
---
## When to use

When this runbook applies.
`

let sequence = 0

/**
 * Fills `container` with the editor for `runbook` (undefined: a new one).
 * @param handlers `saved(id)` after a save, `cancelled()` on Cancel or Escape
 */
export function openEditor(container, runbook, handlers) {
  sequence += 1
  const prefix = `editor-${sequence}`
  const textarea = element('textarea', 'runbook-text')
  textarea.id = `${prefix}-text`
  textarea.spellcheck = false
  textarea.rows = 24
  textarea.value = runbook?.markdown ?? TEMPLATE
  textarea.setAttribute('aria-describedby', `${prefix}-problems-title`)
  const problemsTitle = element('p', 'problems-title', 'Checking…')
  problemsTitle.id = `${prefix}-problems-title`
  problemsTitle.setAttribute('role', 'status')
  const problems = element('ul', 'problems')

  const reason = element('input', 'reason-input')
  reason.id = `${prefix}-reason`
  reason.type = 'text'
  reason.maxLength = 500
  reason.autocomplete = 'off'
  reason.placeholder = runbook
    ? 'e.g. added the Teams error code 0xCAA70004'
    : 'e.g. new meeting-room hardware'
  const save = element('button', 'button button-primary', runbook ? 'Save' : 'Add runbook')
  save.type = 'button'
  const cancel = element('button', 'button button-secondary', 'Cancel')
  cancel.type = 'button'
  const saveError = element('p', 'form-error')
  saveError.setAttribute('role', 'alert')

  const tryInput = element('input', 'try-input')
  tryInput.id = `${prefix}-try`
  tryInput.type = 'text'
  tryInput.maxLength = 4000
  tryInput.autocomplete = 'off'
  tryInput.placeholder = 'e.g. the smartboard in room 4.12 shows no signal'
  const tryButton = element('button', 'button button-secondary', 'Route it')
  tryButton.type = 'button'
  const tryResult = element('div', 'try-result')
  tryResult.setAttribute('aria-live', 'polite')

  const label = (forId, text) => {
    const node = element('label', '', text)
    node.htmlFor = forId
    return node
  }
  container.replaceChildren(
    element(
      'p',
      'muted',
      'The exact format of data/instructions/*.md: YAML front matter between --- lines, then ## sections of prose.',
    ),
    label(textarea.id, 'Runbook (Markdown)'),
    textarea,
    problemsTitle,
    problems,
    element(
      'section',
      'try-box',
      element('h3', '', 'Which runbook would this message hit?'),
      element('p', 'muted', 'Routed against the runbooks as they would be after this save.'),
      label(tryInput.id, 'Message'),
      element('div', 'inline-row', tryInput, tryButton),
      tryResult,
    ),
    label(reason.id, 'Why this change (kept in the history)'),
    reason,
    element('div', 'inline-row editor-actions', save, cancel),
    saveError,
  )

  let timer
  let checked = 0
  const validate = async () => {
    const mine = ++checked
    const query = runbook ? `?id=${encodeURIComponent(runbook.id)}` : ''
    const response = await api(`/api/instructions/validate${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/markdown' },
      body: textarea.value,
    })
    if (mine !== checked) return
    if (!response.ok) {
      problemsTitle.textContent = `Could not check: ${await failureText(response)}`
      return
    }
    const result = await response.json()
    showProblems(result.valid ? [] : result.problems)
  }
  const showProblems = (list) => {
    problemsTitle.textContent =
      list.length === 0
        ? 'No problems found.'
        : `${list.length} problem${list.length === 1 ? '' : 's'}:`
    problemsTitle.className =
      list.length === 0 ? 'problems-title problems-none' : 'problems-title problems-some'
    textarea.setAttribute('aria-invalid', list.length === 0 ? 'false' : 'true')
    problems.replaceChildren(
      ...list.map((problem) => {
        const where = problem.line ? `line ${problem.line}, ` : ''
        const text = `${where}${problem.field}: ${problem.reason}`
        if (!problem.line) return element('li', '', text)
        const jump = element('button', 'link-button', text)
        jump.type = 'button'
        jump.addEventListener('click', () => goToLine(textarea, problem.line))
        return element('li', '', jump)
      }),
    )
  }
  textarea.addEventListener('input', () => {
    clearTimeout(timer)
    problemsTitle.textContent = 'Checking…'
    timer = setTimeout(validate, VALIDATE_DELAY_MS)
  })
  validate()

  const route = async () => {
    const message = tryInput.value.trim()
    if (!message) {
      tryInput.focus()
      return
    }
    tryButton.disabled = true
    try {
      const response = await api('/api/instructions/route', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          message,
          draft: textarea.value,
          ...(runbook ? { id: runbook.id } : {}),
        }),
      })
      if (!response.ok) {
        tryResult.replaceChildren(element('p', 'form-error', await failureText(response)))
        return
      }
      const { decision, usedDraft } = await response.json()
      const chosen =
        decision.tasks.length > 0
          ? `Routed to ${decision.tasks.join(' + ')}`
          : `Out of scope${decision.outOfScopeTopic ? ` (${decision.outOfScopeTopic})` : ''}: handed off`
      tryResult.replaceChildren(
        element(
          'p',
          'try-decision',
          chosen,
          usedDraft ? '' : ' (the draft has problems: routed with the saved runbooks)',
        ),
        element(
          'ol',
          'ranked',
          ...decision.ranked.map((each) =>
            element(
              'li',
              decision.tasks.includes(each.taskType) ? 'ranked-chosen' : '',
              element('span', 'ranked-title', each.title ?? each.taskType),
              ' ',
              element('code', '', each.taskType),
              ` ${Math.round(each.score * 100)}%`,
            ),
          ),
        ),
      )
    } finally {
      tryButton.disabled = false
    }
  }
  tryButton.addEventListener('click', route)
  tryInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault()
      route()
    }
  })

  save.addEventListener('click', async () => {
    save.disabled = true
    saveError.textContent = ''
    try {
      const headers = {
        'content-type': 'text/markdown',
        'x-change-reason': encodeURIComponent(reason.value),
      }
      if (runbook?.version) headers['if-match'] = `"${runbook.version}"`
      const response = await api(
        runbook ? `/api/instructions/${encodeURIComponent(runbook.id)}` : '/api/instructions',
        {
          method: runbook ? 'PUT' : 'POST',
          headers,
          body: textarea.value,
        },
      )
      if (response.status === 400) {
        const body = await response.json()
        if (body.problems) showProblems(body.problems)
        saveError.textContent = 'Not saved: fix the problems listed above.'
        textarea.focus()
        return
      }
      if (!response.ok) {
        saveError.textContent = `Not saved: ${await failureText(response)}`
        return
      }
      const savedRunbook = await response.json()
      announce(
        `${savedRunbook.id} saved as version ${savedRunbook.version}; the next chat turn uses it`,
      )
      await handlers.saved(savedRunbook.id)
    } finally {
      save.disabled = false
    }
  })
  cancel.addEventListener('click', () => handlers.cancelled())
  container.onkeydown = (event) => {
    if (event.key === 'Escape' && event.target !== textarea) handlers.cancelled()
  }
  textarea.focus()
}

/** Puts the caret at the start of a 1-based line and scrolls it into view. */
function goToLine(textarea, line) {
  const lines = textarea.value.split('\n')
  let offset = 0
  for (let index = 0; index < line - 1 && index < lines.length; index += 1)
    offset += lines[index].length + 1
  textarea.focus()
  textarea.setSelectionRange(offset, offset + (lines[line - 1]?.length ?? 0))
  const lineHeight = textarea.scrollHeight / Math.max(lines.length, 1)
  textarea.scrollTop = Math.max(0, (line - 3) * lineHeight)
}
