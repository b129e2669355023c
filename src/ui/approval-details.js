// What a technician's approval card says beyond the steps: the employee's own words, what the
// read-only checks found, whose machine or account it is, and, for a high or critical change, the
// second click that names the action and its target. Server text only reaches the page through
// textContent, never as HTML.

const HIGH_RISKS = new Set(['high', 'critical'])
/** A check's finding as the card shows it: its first lines; the folded step list has the rest. */
const SUMMARY_LINES = 2
const SUMMARY_CHARACTERS = 200
const CLASS_NAMES = {
  workstation: 'workstation',
  laptop: 'laptop',
  server: 'server',
  network: 'network device',
  other: 'machine',
}

function el(tag, className, text, children = []) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined && text !== null) node.textContent = String(text)
  for (const child of children) if (child) node.append(child)
  return node
}

function fact(name, text) {
  return [el('dt', '', name), el('dd', '', text)]
}

/** "jdoe, group:finance" as people read it: "jdoe and the finance group". */
function assignees(list) {
  const names = list.map((each) =>
    each.startsWith('group:') ? `the ${each.slice(6)} group` : each,
  )
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}

/** Who asked for whom, whose account and whose machine: facts for the card's list. */
export function ownerFacts(approval) {
  const facts = []
  if (approval.actor) facts.push(...fact('Asked by', `${approval.actor} (technician)`))
  const account = approval.plan?.parameters?.username
  if (account) facts.push(...fact('Account', account))
  for (const machine of approval.machines ?? []) {
    const kind = CLASS_NAMES[machine.class] ?? machine.class
    const owner = machine.assignedTo?.length
      ? `assigned to ${assignees(machine.assignedTo)}`
      : 'not assigned to anyone'
    facts.push(...fact('Machine', `${machine.name}: ${kind}, ${owner}`))
  }
  return facts
}

/** The employee's own words, as plain text (line breaks kept). */
export function wordsBlock(approval) {
  if (!approval.requestText) return null
  const who = approval.actor
    ? `What ${approval.actor} wrote for ${approval.requester}`
    : `In ${approval.requester}'s words`
  return el('figure', 'approval-words', undefined, [
    el('figcaption', 'approval-words-title', who),
    el('blockquote', 'approval-words-text', approval.requestText),
  ])
}

function summary(text) {
  const lines = String(text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, SUMMARY_LINES)
    .join(' | ')
  return lines.length > SUMMARY_CHARACTERS ? `${lines.slice(0, SUMMARY_CHARACTERS - 1)}…` : lines
}

/** What the read-only checks of the same chat turn found, one line each. */
export function checksBlock(approval, statusText) {
  const ran = (approval.steps ?? []).filter(
    (step) =>
      step.approvalLevel === 0 &&
      (step.dryRun?.status === 'succeeded' || step.dryRun?.status === 'failed'),
  )
  if (ran.length === 0) return null
  const items = ran.map((step) => {
    const found =
      step.dryRun.status === 'failed'
        ? summary(step.dryRun.errorMessage || step.dryRun.output) || 'no detail'
        : summary(step.dryRun.output) || '(no output)'
    return el('li', 'approval-check', undefined, [
      el('span', 'approval-check-title', step.title),
      step.target ? el('span', 'step-target', ` on ${step.target}`) : null,
      document.createTextNode(' '),
      el('span', `step-status status-${step.dryRun.status}`, statusText(step.dryRun.status)),
      el('span', 'approval-check-found', found),
    ])
  })
  return el('section', 'approval-checks', undefined, [
    el('h4', 'approval-checks-title', 'What the checks found'),
    el('ul', 'approval-check-list', undefined, items),
  ])
}

function lowerFirst(text) {
  return text ? text[0].toLowerCase() + text.slice(1) : ''
}

function joinAnd(parts) {
  if (parts.length <= 1) return parts.join('')
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`
}

/**
 * The second click's label when the steps about to be approved include a high or critical one,
 * naming the action and its target ("Yes, unlock the Active Directory account for jdoe");
 * undefined when one click is enough.
 */
export function secondClickLabel(approval, stepIds) {
  const chosen = (approval.steps ?? []).filter(
    (step) => step.approvalLevel > 0 && (!stepIds || stepIds.includes(step.stepId)),
  )
  if (!chosen.some((step) => HIGH_RISKS.has(step.risk))) return undefined
  const actions = joinAnd(chosen.map((step) => lowerFirst(step.title)))
  const targets = [...new Set(chosen.flatMap((step) => (step.target ? [step.target] : [])))]
  const account = approval.plan?.parameters?.username
  const where = targets.length ? ` on ${joinAnd(targets)}` : account ? ` for ${account}` : ''
  return `Yes, ${actions}${where}`
}

/**
 * Asks for the second click: hides the card's actions and shows "Yes, …" (focused) and Cancel.
 * Escape or Cancel puts the actions back and the focus on `returnTo`; `status` (a live region)
 * says what is asked. `onYes` runs once, after the row is gone.
 */
export function askSecondClick({ actions, returnTo, status, label, risk, onYes }) {
  const yes = el('button', 'button button-primary approval-yes', label)
  yes.type = 'button'
  const cancel = el('button', 'button button-secondary', 'Cancel')
  cancel.type = 'button'
  const row = el('div', 'approval-confirm', undefined, [
    el('p', 'approval-confirm-question', `This is a ${risk}-risk change. Are you sure?`),
    el('div', 'approval-confirm-buttons', undefined, [yes, cancel]),
  ])
  row.setAttribute('role', 'group')
  row.setAttribute('aria-label', 'Confirm the approval')
  const close = () => {
    row.remove()
    actions.hidden = false
  }
  cancel.addEventListener('click', () => {
    close()
    status.textContent = 'Not approved: nothing ran.'
    returnTo.focus()
  })
  row.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return
    event.preventDefault()
    cancel.click()
  })
  yes.addEventListener('click', () => {
    close()
    returnTo.focus()
    onYes()
  })
  actions.hidden = true
  actions.after(row)
  status.textContent = `Second click needed: press “${label}” to approve and run it, or Escape to cancel.`
  yes.focus()
  return row
}

/** The highest risk among the steps about to be approved, for the question's wording. */
export function riskOf(approval, stepIds) {
  const chosen = (approval.steps ?? []).filter(
    (step) => step.approvalLevel > 0 && (!stepIds || stepIds.includes(step.stepId)),
  )
  return chosen.some((step) => step.risk === 'critical') ? 'critical' : 'high'
}
