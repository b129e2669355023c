// The helpdesk chat page: plain ES module, no framework. Server text only ever reaches the page
// through textContent / text nodes, so nothing the server or the user sends is parsed as HTML.
// Every API call goes through `api` (sign-in.js), which carries the user's bearer token.

import { APPROVAL_LEVELS, refreshApprovals, setApprovalsUser, shortId } from './approvals.js'
import { approvalNoteText, confirmControls, mayConfirm } from './chat-approval.js'
import { openJob, openJobFromAddress } from './job-view.js'
import { myRequests } from './my-requests.js'
import { rateLiveReply, rateRestoredReplies } from './reply-feedback.js'
import { guidanceList, quickReplies, richText } from './reply-view.js'
import { api, remember, remembered, SignInNeeded, startSignIn } from './sign-in.js'
import { ticketWatch } from './ticket-watch.js'

const MAX_CHARACTERS = 4000
const REQUESTER_KEY = 'helpdesk.requester'
/** The open conversation of each user on this device, so a reload brings it back. */
const sessionKey = (username) => `helpdesk.session.${username}`
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

const $ = (id) => document.getElementById(id)
const log = $('log')
const welcome = $('welcome')
const form = $('composer')
const input = $('message')
const sendButton = $('send')
const counter = $('counter')
const requesterInput = $('requester')
const requesterField = $('requester-field')
const statusLine = $('status')
const composerWrap = $('composer-wrap')
const newConversationButton = $('new-conversation')

const motion = matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth'
let sessionId
/** The signed-in user from GET /api/me: { username, role, authentication }, or undefined. */
let me
/** Whose conversation is on screen: signing in again as the same user keeps it. */
let conversationOwner

/** Creates an element; `text` is set with textContent, children are appended in order. */
function el(tag, className, text, children = []) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined && text !== null) node.textContent = String(text)
  for (const child of children) if (child) node.append(child)
  return node
}

function scrollIntoView(node, block = 'end') {
  node?.scrollIntoView({ block, behavior: motion })
}

/**
 * An employee (a signed-in requester) reads the short reply with the plan's details collapsed;
 * technicians and admins, and the local demo without sign-in, read everything open.
 */
function isEmployee() {
  return me?.role === 'requester' && me.authentication !== 'none'
}

/** A reply's paragraphs as DOM; `promptText`: the question, styled as the prompt. */
function replyParagraphs(reply, promptText) {
  return String(reply ?? '')
    .split(/\n\s*\n/)
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) =>
      richText(paragraph, promptText && paragraph.includes(promptText) ? 'text prompt' : 'text'),
    )
}

function updateWelcome() {
  welcome.hidden = !me || log.childElementCount > 0
}

function addMessage(role, className = '') {
  const who = role === 'user' ? 'You' : 'Helpdesk'
  const bubble = el('article', `message message-${role} ${className}`.trim())
  bubble.append(el('h3', 'message-author', who))
  log.append(bubble)
  updateWelcome()
  return bubble
}

/**
 * How this conversation's approval requests end (approved and run, denied, expired) arrives
 * later, as assistant notes the server adds to the session: while any is awaited the page looks
 * for them every few seconds and shows each once.
 */
const OUTCOME_POLL_MS = 4000
let watch

function watchOutcomes(id, opened) {
  if (!id || opened === 0) return
  if (watch?.sessionId !== id) {
    stopWatching()
    watch = { sessionId: id, awaiting: 0, shown: new Set(), timer: undefined }
  }
  watch.awaiting += opened
  watch.timer ??= setInterval(() => void checkOutcomes(), OUTCOME_POLL_MS)
}

function stopWatching() {
  if (watch?.timer) clearInterval(watch.timer)
  watch = undefined
}

async function checkOutcomes() {
  const current = watch
  if (!current) return
  let session
  try {
    const response = await api(`/api/sessions/${encodeURIComponent(current.sessionId)}`)
    if (!response.ok) return
    session = await response.json()
  } catch {
    return // signed out, or the server is away for a moment: the next look will tell
  }
  if (watch !== current) return
  for (const entry of session.history ?? []) {
    if (!entry.approvalId || current.shown.has(entry.approvalId)) continue
    current.shown.add(entry.approvalId)
    const bubble = addMessage('assistant', 'message-outcome')
    bubble.append(richText(entry.text))
    scrollIntoView(bubble)
    statusLine.textContent = 'An approval request of this conversation was decided.'
    // An approved operation runs as a background job: its live view opens for the asker too.
    if (typeof entry.jobId === 'string') openJob(entry.jobId)
  }
  if (current.shown.size >= current.awaiting) stopWatching()
}

/** A technician's answer on the conversation's ticket, shown as it arrives. */
const ticketAnswers = ticketWatch((entry) => {
  const bubble = addMessage('assistant', 'message-outcome')
  bubble.append(el('div', 'reply', undefined, replyParagraphs(entry.text)))
  scrollIntoView(bubble)
  statusLine.textContent = 'A technician answered in this conversation.'
})

function addError(text) {
  const bubble = addMessage('assistant', 'message-error')
  bubble.setAttribute('role', 'alert')
  bubble.append(el('p', 'error-title', 'Something went wrong'), richText(text, 'text', true))
  scrollIntoView(bubble)
}

function invocationText(invocation) {
  if (!invocation) return ''
  if (invocation.type === 'script') return `${invocation.commandLine}\n${invocation.script}`
  if (invocation.type === 'operation') {
    const args = Object.entries(invocation.arguments ?? {})
      .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
      .join(', ')
    return `${invocation.executor}.${invocation.operation}(${args})`
  }
  return invocation.text ?? ''
}

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text)
    button.textContent = 'Copied'
    statusLine.textContent = 'Copied to the clipboard.'
  } catch {
    const code = button.closest('.code')?.querySelector('code')
    if (code) window.getSelection()?.selectAllChildren(code)
    button.textContent = 'Press Ctrl+C'
    statusLine.textContent = 'Copy failed; the text is selected, press Ctrl+C.'
  }
  setTimeout(() => {
    button.textContent = 'Copy'
  }, 2000)
}

function kindOf(invocation) {
  if (invocation?.type === 'script') return invocation.language === 'bash' ? 'Bash' : 'PowerShell'
  return invocation?.type === 'operation' ? 'API operation' : 'Guidance'
}

function codeBlock(invocation, label) {
  const text = invocationText(invocation)
  const copy = el('button', 'button button-small copy', 'Copy')
  copy.type = 'button'
  copy.setAttribute('aria-label', `Copy ${label}`)
  copy.addEventListener('click', () => copyText(text, copy))
  const pre = el('pre', '', undefined, [el('code', '', text)])
  pre.tabIndex = 0
  pre.setAttribute('aria-label', label)
  const bar = el('div', 'code-bar', undefined, [el('span', 'code-kind', kindOf(invocation)), copy])
  return el('div', 'code', undefined, [bar, pre])
}

function badge(risk) {
  return el('span', `badge risk-${risk}`, `risk ${risk}`)
}

function probe(name, value, stepTitle) {
  if (!value) return null
  return el('details', `probe probe-${name.toLowerCase()}`, undefined, [
    el('summary', '', name),
    el('p', '', value.description),
    value.expect ? el('p', 'expect', `Expect: ${value.expect}`) : null,
    value.invocation ? codeBlock(value.invocation, `${name} for ${stepTitle}`) : null,
  ])
}

/** Who acts on a step, as the person on this page reads it; `forWhom`: the employee a technician asks for. */
function levelText(level, forWhom) {
  if (level === 1 && forWhom) return `${forWhom} or a technician confirms`
  return APPROVAL_LEVELS[level] ?? ''
}

function stepRow(step, index, forWhom) {
  const status = el('span', 'step-status', 'pending')
  status.dataset.stepId = step.id
  const meta = el('p', 'step-meta', undefined, [
    badge(step.risk),
    el('span', `approval approval-${step.approvalLevel}`, levelText(step.approvalLevel, forWhom)),
    status,
  ])
  const heading = el('div', 'step-heading', undefined, [
    el('span', 'step-number', index + 1),
    el('div', 'step-title-wrap', undefined, [
      el('h5', 'step-title', step.title),
      step.target ? el('p', 'step-target', `on ${step.target}`) : null,
    ]),
  ])
  return el('li', 'step', undefined, [
    heading,
    meta,
    // Guidance is prose for a person: wrapped numbered steps, not a code block.
    step.invocation?.type === 'guidance'
      ? guidanceList(step.invocation.text, `What step ${index + 1} says`)
      : codeBlock(step.invocation, `What step ${index + 1} runs`),
    probe('Verification', step.verification, step.title),
    probe('Rollback', step.rollback, step.title),
  ])
}

function planCard(plan, forWhom) {
  const parameters = Object.entries(plan.parameters ?? {})
  const list = el('dl', 'parameters')
  for (const [name, value] of parameters) list.append(el('dt', '', name), el('dd', '', value))
  const header = el('header', 'plan-header', undefined, [
    el('h4', 'plan-title', plan.title),
    el('span', 'plan-risk', 'Overall ', [badge(plan.risk)]),
  ])
  const steps = el(
    'ol',
    'steps',
    undefined,
    plan.steps.map((step, index) => stepRow(step, index, forWhom)),
  )
  const card = el('section', 'plan-card', undefined, [
    header,
    parameters.length ? list : null,
    steps,
  ])
  card.dataset.taskType = plan.taskType
  // A group request has a card per machine, all with the same step ids: the machine tells them apart.
  card.dataset.target = plan.steps.find((step) => step.target)?.target ?? ''
  return card
}

/** The key of a held step: its id on its card's machine. */
function heldKey(stepId, target) {
  return `${stepId}@${target ?? ''}`
}

/** "awaiting approval (request 7d4e7432)" once the approval request for the step is known. */
function awaitingText(approval) {
  return approval ? `awaiting approval (request ${shortId(approval.id)})` : 'awaiting approval'
}

/**
 * Shows a step's result on the first card still waiting for it (results come in plan order,
 * and a group's cards share step ids). `held`: step key -> the approval request opened for it.
 */
function markStep(container, result, held = new Map()) {
  for (const node of container.querySelectorAll('.step-status')) {
    if (node.dataset.stepId !== result.stepId || node.dataset.marked) continue
    node.dataset.marked = 'true'
    const status = result.status.replaceAll('_', ' ')
    const approval = held.get(heldKey(result.stepId, node.closest('.plan-card')?.dataset.target))
    node.textContent =
      result.status === 'dry_run'
        ? 'dry run: nothing changed'
        : result.status === 'awaiting_approval'
          ? awaitingText(approval)
          : status
    node.className = `step-status status-${result.status}`
    if (result.errorMessage) node.title = result.errorMessage
    if (result.errorCode) node.dataset.errorCode = result.errorCode
    if (approval && result.status === 'awaiting_approval') node.dataset.approvalId = approval.id
    const row = node.closest('.step')
    const ran = result.status === 'succeeded' || result.status === 'failed'
    if (row && ran && !row.querySelector('.step-output')) {
      const text = [result.stdout, result.stderr, result.errorMessage].filter(Boolean).join('\n')
      row.append(
        el('details', 'step-output', undefined, [
          el(
            'summary',
            '',
            result.status === 'failed' ? 'What went wrong' : 'What the check found',
          ),
          el('pre', 'output', text.trimEnd() || '(no output)'),
        ]),
      )
      if (result.status === 'failed') row.querySelector('.step-output').open = true
    }
    return
  }
}

/**
 * Marks a plan card's held steps with the approval request opened for them and notes the
 * request under the card's title; once per request, however often it is reported.
 */
function noteApproval(plans, approval, held, actions) {
  for (const stepId of approval.stepIds ?? []) held.set(heldKey(stepId, approval.target), approval)
  for (const node of plans.querySelectorAll('.step-status.status-awaiting_approval')) {
    const known = held.get(heldKey(node.dataset.stepId, node.closest('.plan-card')?.dataset.target))
    if (!known) continue
    node.textContent = awaitingText(known)
    node.dataset.approvalId = known.id
  }
  for (const card of plans.querySelectorAll('.plan-card')) {
    if (card.dataset.taskType !== approval.taskType) continue
    if (approval.target && card.dataset.target !== approval.target) continue
    if (
      [...card.querySelectorAll('.plan-approval')].some((n) => n.dataset.approvalId === approval.id)
    )
      continue
    // An employee's details are collapsed: who acts, and their Confirm, stay in sight above them.
    if (
      actions &&
      [...actions.querySelectorAll('.plan-approval')].some(
        (n) => n.dataset.approvalId === approval.id,
      )
    )
      continue
    addApprovalNote(approval, card, (note) =>
      actions ? actions.append(note) : card.querySelector('.plan-header')?.after(note),
    )
  }
}

/**
 * Who must act on an approval request, and Confirm / Cancel when the viewer confirms it;
 * `place(note)` puts the note on the page, the buttons follow it. `card`: where its steps show.
 */
function addApprovalNote(approval, card, place) {
  const note = el('p', 'plan-approval', approvalNoteText(approval, me))
  note.dataset.approvalId = approval.id
  note.dataset.level = String(approval.level)
  place(note)
  if (mayConfirm(approval, me)) {
    note.after(
      confirmControls(approval, {
        viewer: me,
        card,
        note,
        onDecided: (decided) => watch?.shown.add(decided.id),
      }),
    )
  }
}

/** Transport failures that mean the machine could not be reached (approval-preconditions.ts). */
const NOT_CONNECTED = new Set(['CONNECT_FAILED', 'HOST_KEY_MISMATCH', 'AUTHENTICATION_FAILED'])

/**
 * A held step for which no request was opened because a check could not connect to its machine:
 * it says so instead of "awaiting approval".
 */
function noteUnreachable(plans) {
  for (const card of plans.querySelectorAll('.plan-card')) {
    const failed = [...card.querySelectorAll('.step-status.status-failed')].some((node) =>
      NOT_CONNECTED.has(node.dataset.errorCode),
    )
    if (!failed) continue
    for (const node of card.querySelectorAll('.step-status.status-awaiting_approval')) {
      if (node.dataset.approvalId) continue
      node.textContent = 'not asked for: the machine could not be reached'
      node.className = 'step-status status-skipped'
    }
  }
}

/**
 * An assistant bubble with the parts a reply fills: its text, an employee's actions (outside
 * the collapsed details) and the plan cards. `forWhom`: the employee a technician asks for.
 */
function replyBubble(forWhom, className = '') {
  const bubble = addMessage('assistant', className)
  const text = el('div', 'reply')
  const plans = el('div', 'plans')
  const employee = isEmployee()
  // Confirm buttons and who acts, for an employee, outside the collapsed details.
  const actions = employee ? el('div', 'reply-actions') : undefined
  const details = el('details', 'reply-details', undefined, [
    el('summary', '', 'Details: plan, scripts and risk'),
    plans,
  ])
  details.open = !employee
  details.hidden = true
  // append() would write a missing `actions` (technicians, admins) as the text "undefined".
  bubble.append(...[text, actions, details].filter(Boolean))
  /** Step key -> the approval request opened for it in this turn. */
  const held = new Map()
  return { bubble, text, plans, actions, details, held, forWhom }
}

/**
 * Shows a turn's result in its bubble: the reply's paragraphs, the question with its quick
 * replies, the plan cards with their step results and approval notes. Used when a turn ends
 * and again when a stored conversation is shown (`restored`: its quick replies are spent unless
 * `answerable`, and its approval notes come from the server's open requests, not from here).
 */
function showResult(parts, result, { restored = false, answerable = true } = {}) {
  const { bubble, text, plans, actions, details, held, forWhom } = parts
  if (result.outOfScope) bubble.classList.add('message-handoff')
  const question = result.missing?.[0]
  text.append(...replyParagraphs(result.reply, question?.question))
  if (question && !text.querySelector('.prompt')) {
    text.append(richText(question.question, 'text prompt'))
  }
  if (question?.options?.length) {
    const buttons = quickReplies(question.options, question.question, send)
    if (!answerable) for (const button of buttons.querySelectorAll('button')) button.disabled = true
    text.append(buttons)
  }
  if (plans.childElementCount !== (result.plan ?? []).length) {
    plans.replaceChildren(...(result.plan ?? []).map((plan) => planCard(plan, forWhom)))
  }
  if (restored) {
    // Which request holds each step, for its status; who acts is added for open requests only.
    for (const approval of result.approvals ?? [])
      for (const stepId of approval.stepIds ?? [])
        held.set(heldKey(stepId, approval.target), approval)
  }
  for (const each of result.results ?? []) markStep(plans, each, held)
  if (!restored)
    for (const approval of result.approvals ?? []) noteApproval(plans, approval, held, actions)
  noteUnreachable(plans)
  details.hidden = plans.childElementCount === 0
}

/** The assistant's answer to one turn, filled in as the server-sent events arrive. */
function startReply(forWhom) {
  const parts = replyBubble(forWhom)
  const { bubble, plans, actions, details, held } = parts
  bubble.setAttribute('aria-busy', 'true')
  const working = el('p', 'working', 'Working on it…')
  bubble.querySelector('.message-author')?.after(working)
  scrollIntoView(bubble)
  let approvalsSeen = false
  return {
    event(name, data) {
      if (name === 'route-end') {
        working.textContent = data.tasks?.length ? 'Preparing a plan…' : 'Checking…'
      } else if (name === 'plan-end') {
        plans.append(planCard(data.plan, forWhom))
        details.hidden = false
      } else if (name === 'step-end') {
        markStep(plans, data.result, held)
      } else if (name === 'approval-request' && data.approval) {
        noteApproval(plans, data.approval, held, actions)
        approvalsSeen = true
        // A technician's own list picks the new request up at once.
        void refreshApprovals()
      } else if (name === 'question') {
        working.textContent = 'I need one more detail…'
      }
    },
    finish(result) {
      working.remove()
      bubble.removeAttribute('aria-busy')
      showResult(parts, result)
      if (result.approvals?.length && !approvalsSeen) void refreshApprovals()
      scrollIntoView(bubble, 'start')
    },
    fail() {
      bubble.remove()
      updateWelcome()
    },
    bubble,
  }
}

/** Reads `event:` / `data:` frames from a server-sent-events response body. */
async function* readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  while (true) {
    const { value, done } = await reader.read()
    // Normalised after joining, so a \r\n split across two chunks is still caught.
    if (value) buffer = (buffer + value).replaceAll('\r\n', '\n')
    let end = buffer.indexOf('\n\n')
    while (end !== -1) {
      const frame = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      let name = 'message'
      const data = []
      for (const line of frame.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim()
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
      }
      if (data.length > 0) yield { name, data: data.join('\n') }
      end = buffer.indexOf('\n\n')
    }
    if (done) return
  }
}

/** The message of a `{ error: { code, message } }` body, or the HTTP status when there is none. */
async function errorMessage(response) {
  const body = await response.json().catch(() => null)
  return body?.error?.message ?? `The server answered ${response.status} ${response.statusText}`
}

function setBusy(value) {
  input.disabled = value
  sendButton.disabled = value
  form.setAttribute('aria-busy', String(value))
  statusLine.textContent = value ? 'Waiting for the helpdesk…' : ''
}

async function send(message) {
  const text = message.trim()
  if (input.disabled || text === '') return
  const mine = addMessage('user')
  mine.append(richText(text, 'text', true))
  scrollIntoView(mine)
  input.value = ''
  updateCounter()
  setBusy(true)
  const requester = requesterField.hidden ? '' : requesterInput.value.trim()
  const body = { message: text }
  if (sessionId) body.sessionId = sessionId
  if (requester) body.requester = requester
  let reply
  try {
    const response = await api('/api/chat/stream', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(body),
    })
    if (!response.ok || !response.body) {
      addError(await errorMessage(response))
      return
    }
    reply = startReply(requester && requester !== me?.username ? requester : undefined)
    let finished = false
    for await (const { name, data } of readEvents(response.body)) {
      const payload = JSON.parse(data)
      if (name === 'reply-end') {
        sessionId = payload.result.sessionId
        if (me) remember(sessionKey(me.username), sessionId)
        reply.finish(payload.result)
        if (me) rateLiveReply(reply.bubble, sessionId, payload.result.reply)
        // A long or many-machine operation runs as a background job: its view opens at once.
        if (typeof payload.result.jobId === 'string') openJob(payload.result.jobId)
        void requests.refresh()
        watchOutcomes(sessionId, payload.result.approvals?.length ?? 0)
        if (payload.result.ticket) ticketAnswers.start(sessionId)
        else ticketAnswers.turnEnded(sessionId)
        finished = true
      } else if (name === 'error') {
        reply.fail()
        const error = payload.error ?? {}
        if (error.code === 'SESSION_NOT_FOUND') sessionId = undefined
        addError(error.message ?? 'The helpdesk could not answer.')
        finished = true
      } else {
        reply.event(name, payload)
      }
    }
    if (!finished) {
      reply.fail()
      addError('The connection closed before the answer was complete. Please try again.')
    }
  } catch (error) {
    reply?.fail()
    if (error instanceof SignInNeeded) {
      // Nothing was sent: the message waits in the box for after signing in.
      mine.remove()
      input.value = text
      updateCounter()
      return
    }
    const detail = error instanceof Error ? error.message : String(error)
    addError(`Could not get an answer from the helpdesk: ${detail}`)
  } finally {
    setBusy(false)
    if (me) input.focus()
  }
}

/** The conversation list; choosing one opens it. */
const requests = myRequests({
  onOpen: (id) => void openConversation(id, { focus: true }),
  currentId: () => sessionId,
})

/**
 * Shows a stored conversation (a reload, or one chosen under "My requests"): its history, the
 * Confirm of a level-1 change still waiting, and from then on how its approval requests end.
 */
async function openConversation(id, { focus = false } = {}) {
  let session
  try {
    const response = await api(`/api/sessions/${encodeURIComponent(id)}`)
    if (response.status === 404) {
      // Gone, or another user's: not ours to show; forget it.
      if (me && remembered(sessionKey(me.username)) === id)
        remember(sessionKey(me.username), undefined)
      return
    }
    if (!response.ok) {
      addError(await errorMessage(response))
      return
    }
    session = await response.json()
  } catch (error) {
    if (!(error instanceof SignInNeeded)) {
      addError(
        `Could not load the conversation: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
    return
  }
  clearConversation()
  sessionId = session.id
  if (me) remember(sessionKey(me.username), session.id)
  const history = session.history ?? []
  const lastReply = history.findLastIndex((entry) => entry.role === 'assistant')
  /** The bubbles of replies that opened approval requests, by request id. */
  const byApproval = new Map()
  history.forEach((entry, index) => {
    if (entry.role === 'user') {
      addMessage('user').append(richText(entry.text, 'text', true))
      return
    }
    if (!entry.view) {
      const bubble = addMessage('assistant', entry.approvalId ? 'message-outcome' : '')
      if (!entry.approvalId && !entry.jobId) bubble.dataset.reply = String(index)
      // The open question is the last paragraph of the last reply.
      const waiting = session.pending && index === lastReply
      const paragraphs = replyParagraphs(entry.text)
      if (waiting) paragraphs.at(-1)?.classList.add('prompt')
      bubble.append(el('div', 'reply', undefined, paragraphs))
      return
    }
    // As it was shown: plan cards, step results, the question and its quick replies (which
    // answer only while the question is still the open one).
    // A technician's conversation for an employee names them on the steps they confirm.
    const parts = replyBubble(session.requester !== me?.username ? session.requester : undefined)
    showResult(
      parts,
      { reply: entry.text, ...entry.view },
      { restored: true, answerable: Boolean(session.pending) && index === lastReply },
    )
    parts.bubble.dataset.reply = String(index)
    for (const approval of entry.view.approvals ?? []) byApproval.set(approval.id, parts)
  })
  const decided = history.filter((entry) => entry.approvalId).map((entry) => entry.approvalId)
  const open = await openApprovals(session.id)
  if (open.length > 0) {
    for (const approval of open) {
      const parts = byApproval.get(approval.id)
      if (parts) {
        noteApproval(parts.plans, approval, parts.held, parts.actions)
        continue
      }
      const bubble =
        [...log.querySelectorAll('.message-assistant')].at(-1) ?? addMessage('assistant')
      const actions = el('div', 'reply-actions')
      bubble.append(actions)
      addApprovalNote(approval, bubble, (note) => actions.append(note))
    }
    watchOutcomes(session.id, open.length + decided.length)
    for (const approvalId of decided) watch?.shown.add(approvalId)
  }
  void rateRestoredReplies(log, session, me?.username)
  if (session.status === 'handed_off') ticketAnswers.start(session.id, history.length)
  requests.mark(session.id)
  statusLine.textContent = 'Your conversation was restored.'
  scrollIntoView(log.lastElementChild)
  if (focus) input.focus()
}

/** The pending approval requests of a conversation, as the chat's turn reported them. */
async function openApprovals(id) {
  try {
    const response = await api('/api/approvals?status=pending')
    // 503: this server has no approvals (no executors); nothing can be waiting.
    if (!response.ok) return []
    const body = await response.json()
    return (body.approvals ?? [])
      .filter((request) => request.sessionId === id)
      .map((request) => ({
        id: request.id,
        taskType: request.taskType,
        level: request.level,
        requester: request.requester,
        stepIds: (request.steps ?? [])
          .filter((step) => step.approvalLevel > 0)
          .map((step) => step.stepId),
        expiresAt: request.expiresAt,
      }))
  } catch {
    return []
  }
}

function updateCounter() {
  const length = input.value.length
  counter.textContent = `${length} / ${MAX_CHARACTERS}`
  counter.classList.toggle('counter-over', length > MAX_CHARACTERS)
}

function clearConversation() {
  stopWatching()
  ticketAnswers.stop()
  sessionId = undefined
  log.replaceChildren()
  updateWelcome()
  input.value = ''
  updateCounter()
}

function newConversation() {
  clearConversation()
  if (me) remember(sessionKey(me.username), undefined)
  requests.mark(undefined)
  statusLine.textContent = 'Started a new conversation.'
  input.focus()
}

form.addEventListener('submit', (event) => {
  event.preventDefault()
  void send(input.value)
})
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault()
    void send(input.value)
  } else if (event.key === 'Escape') {
    event.preventDefault()
    input.value = ''
    updateCounter()
  }
})
input.addEventListener('input', updateCounter)
newConversationButton.addEventListener('click', newConversation)
for (const chip of welcome.querySelectorAll('.chip')) {
  chip.addEventListener('click', () => send(chip.textContent ?? ''))
}

requesterInput.value = remembered(REQUESTER_KEY) ?? ''
requesterInput.addEventListener('input', () => {
  const value = requesterInput.value.trim()
  requesterInput.setAttribute('aria-invalid', String(value !== '' && !USERNAME.test(value)))
  remember(REQUESTER_KEY, value)
})

/** The chat follows who is signed in: hidden while nobody is, cleared for another user. */
function onAccountChange(user, { signedOut = false } = {}) {
  me = user
  setApprovalsUser(user)
  if (!user) {
    if (signedOut) {
      clearConversation()
      conversationOwner = undefined
    }
    for (const node of [composerWrap, newConversationButton, requesterField, $('runbooks-link')])
      node.hidden = true
    requests.hide()
    updateWelcome()
    return
  }
  if (conversationOwner !== user.username) clearConversation()
  conversationOwner = user.username
  void requests.refresh()
  // A reload brings back the conversation that was open.
  const stored = remembered(sessionKey(user.username))
  if (stored && log.childElementCount === 0) void openConversation(stored)
  // A requester asks for themselves; technicians and admins may name the employee they help.
  const anonymous = user.authentication === 'none'
  $('requester-label').textContent = anonymous ? 'Your username' : 'For user'
  requesterField.hidden = !anonymous && user.role === 'requester'
  // The runbook manager is for technicians and admins.
  $('runbooks-link').hidden = user.role !== 'technician' && user.role !== 'admin'
  composerWrap.hidden = false
  newConversationButton.hidden = false
  updateWelcome()
  input.focus()
  openJobFromAddress()
}

updateCounter()
void startSignIn(onAccountChange)
