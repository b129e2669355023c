// How a reply reads on the chat page: paragraphs with **bold**, numbered lines as a real
// numbered list, runbook guidance as wrapped numbered steps (never a non-wrapping code block),
// and quick-reply buttons for a question with a fixed list of answers. Text only ever reaches
// the page through textContent / text nodes.

function el(tag, className, text, children = []) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined && text !== null) node.textContent = String(text)
  for (const child of children) if (child) node.append(child)
  return node
}

/** Appends `line` to `node` with **bold** as <strong> (unless `plain`). */
function appendInline(node, line, plain) {
  const parts = plain ? [line] : line.split(/\*\*(.+?)\*\*/)
  parts.forEach((part, index) => {
    if (part === '') return
    node.append(index % 2 === 1 ? el('strong', '', part) : document.createTextNode(part))
  })
}

const NUMBERED = /^(\d{1,2})\.\s+(.*)$/

/**
 * One paragraph as DOM: lines "1. ...", "2. ..." become an <ol>, other lines are separated by
 * line breaks. `plain`: no **bold** (what the user typed).
 */
export function richText(text, className = 'text', plain = false) {
  const container = el('div', className)
  let list
  let previousWasText = false
  for (const line of String(text ?? '').split('\n')) {
    const numbered = plain ? null : NUMBERED.exec(line)
    if (numbered) {
      if (!list) {
        list = el('ol', 'numbered')
        list.start = Number(numbered[1])
        container.append(list)
      }
      const item = el('li')
      appendInline(item, numbered[2] ?? '', false)
      list.append(item)
      previousWasText = false
      continue
    }
    list = undefined
    if (previousWasText) container.append(document.createElement('br'))
    appendInline(container, line, plain)
    previousWasText = true
  }
  return container
}

/**
 * Guidance text as numbered steps: at "(1) ... (2) ..." when the runbook numbered them, else one
 * step per sentence. Mirrors src/agent/core/guidance-steps.ts `splitSteps`.
 */
export function guidanceSteps(text) {
  const flat = String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
  const numbered = flat.split(/\s*\(\d{1,2}\)\s+/)
  const parts =
    numbered.length > 2
      ? [`${numbered[0]} ${numbered[1]}`, ...numbered.slice(2)]
      : flat.split(/(?<=[.!?])\s+(?=[A-Z])/)
  return parts.map((part) => part.trim().replace(/[;,]$/, '')).filter(Boolean)
}

/** A guidance step's text as a wrapped numbered list, labelled for screen readers. */
export function guidanceList(text, label) {
  const list = el(
    'ol',
    'guidance-steps',
    undefined,
    guidanceSteps(text).map((step) => el('li', '', step)),
  )
  list.setAttribute('aria-label', label)
  return el('div', 'guidance', undefined, [el('p', 'guidance-kind', 'Guidance'), list])
}

/**
 * Buttons for a question's fixed answers (`missing[0].options`: { value, label, answer }). A
 * press sends the option's `answer` as the user's message; then the buttons are spent.
 */
export function quickReplies(options, question, send) {
  const group = el('div', 'quick-replies')
  group.setAttribute('role', 'group')
  group.setAttribute('aria-label', `Answers to: ${question}`)
  for (const option of options) {
    const button = el('button', 'button button-secondary quick-reply', option.label)
    button.type = 'button'
    button.dataset.value = option.value
    button.addEventListener('click', () => {
      for (const each of group.querySelectorAll('button')) each.disabled = true
      button.setAttribute('aria-pressed', 'true')
      void send(option.answer)
    })
    group.append(button)
  }
  return group
}
