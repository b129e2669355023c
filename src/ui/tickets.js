// The technicians' ticket queue (/tickets): the list from GET /api/tickets, one ticket with the
// conversation it came from, and Pick up, Answer and Close. Server text only reaches the page
// through textContent. The open ticket's id is in the address (#id), so a link opens it.

import { api, SignInNeeded, startSignIn } from './sign-in.js'

const $ = (id) => document.getElementById(id)
const STATUS_LABELS = {
  open: 'Open',
  picked_up: 'Picked up',
  answered: 'Answered',
  closed: 'Closed',
}

const workspace = $('workspace')
const notStaff = $('not-staff')
const statusFilter = $('queue-status')
const list = $('queue-list')
const empty = $('queue-empty')
const queueError = $('queue-error')
const panel = $('ticket')
const title = $('ticket-title')
const meta = $('ticket-meta')
const external = $('ticket-external')
const statusLine = $('ticket-status')
const transcript = $('ticket-transcript')
const messages = $('ticket-messages')
const noAnswers = $('ticket-no-answers')
const pickUp = $('ticket-pick-up')
const closeButton = $('ticket-close')
const answerForm = $('answer-form')
const answerText = $('answer-text')
const answerError = $('answer-error')
const answerSend = $('answer-send')

let current
let me

function el(tag, className, text, children = []) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined && text !== null) node.textContent = String(text)
  for (const child of children) if (child) node.append(child)
  return node
}

function when(iso) {
  const date = new Date(iso)
  return Number.isNaN(date.getTime())
    ? ''
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

async function problem(response) {
  try {
    const body = await response.json()
    return body.error?.message ?? `the server answered ${response.status}`
  } catch {
    return `the server answered ${response.status}`
  }
}

async function loadQueue() {
  queueError.hidden = true
  const chosen = statusFilter.value
  const query = chosen && chosen !== 'all' ? `?status=${encodeURIComponent(chosen)}` : ''
  try {
    const response = await api(`/api/tickets${query}`)
    if (!response.ok) throw new Error(await problem(response))
    const body = await response.json()
    const tickets = (body.tickets ?? []).filter(
      (ticket) => chosen !== '' || ticket.status !== 'closed',
    )
    renderQueue(tickets)
  } catch (error) {
    if (error instanceof SignInNeeded) return
    queueError.textContent = `Could not load the queue: ${error instanceof Error ? error.message : String(error)}`
    queueError.hidden = false
  }
}

function renderQueue(tickets) {
  list.replaceChildren(
    ...tickets.map((ticket) => {
      const button = el('button', 'queue-item', undefined, [
        el('span', 'queue-subject', `${ticket.number}. ${ticket.subject}`),
        el('span', `ticket-state ticket-state-${ticket.status}`, STATUS_LABELS[ticket.status]),
        el(
          'span',
          'queue-who',
          `${ticket.requester}${ticket.assignee ? ` · ${ticket.assignee}` : ''} · ${when(ticket.createdAt)}`,
        ),
      ])
      button.type = 'button'
      button.dataset.ticketId = ticket.id
      if (ticket.id === current?.id) button.setAttribute('aria-current', 'true')
      button.addEventListener('click', () => void openTicket(ticket.id, { focus: true }))
      return el('li', '', undefined, [button])
    }),
  )
  empty.hidden = tickets.length > 0
}

function entry(who, text, at, className) {
  return el('li', className, undefined, [
    el('span', 'transcript-who', `${who} · ${when(at)}`),
    document.createTextNode(text),
  ])
}

function renderTicket(ticket) {
  current = ticket
  panel.hidden = false
  title.textContent = `Ticket ${ticket.number}: ${ticket.subject}`
  const reason =
    ticket.reason === 'requested' ? 'asked for a person' : 'needs a value only a person can find'
  meta.textContent =
    `${STATUS_LABELS[ticket.status]} · for ${ticket.requester}` +
    `${ticket.owner && ticket.owner !== ticket.requester ? ` (asked by ${ticket.owner})` : ''}` +
    ` · ${reason} · opened ${when(ticket.createdAt)}` +
    `${ticket.assignee ? ` · picked up by ${ticket.assignee}` : ''}`
  const copy = ticket.external
  external.hidden = !copy
  if (copy?.status === 'delivered') {
    // Only an http(s) link becomes one; anything else stays text.
    const link = /^https?:\/\//.test(copy.link ?? '') ? el('a', '', copy.externalId) : undefined
    if (link) link.href = copy.link
    external.replaceChildren(`Copied to ${copy.connector}: `, link ?? copy.externalId)
  } else if (copy) {
    external.textContent = `Copy to ${copy.connector}: ${copy.status} after ${copy.attempts} attempt(s)${copy.lastError ? `: ${copy.lastError}` : ''}`
  }
  transcript.replaceChildren(
    ...ticket.transcript.map((line) =>
      entry(
        line.role === 'employee' ? ticket.requester : 'Helpdesk',
        line.text,
        line.at,
        line.role === 'employee' ? 'from-employee' : '',
      ),
    ),
  )
  messages.replaceChildren(
    ...ticket.messages.map((message) => entry(message.author, message.text, message.at, '')),
  )
  noAnswers.hidden = ticket.messages.length > 0
  const closed = ticket.status === 'closed'
  const mine = ticket.status === 'picked_up' && ticket.assignee === me?.username
  pickUp.disabled = closed || mine || ticket.status === 'picked_up'
  closeButton.disabled = closed
  answerForm.hidden = closed
  for (const button of list.querySelectorAll('.queue-item')) {
    if (button.dataset.ticketId === ticket.id) button.setAttribute('aria-current', 'true')
    else button.removeAttribute('aria-current')
  }
}

async function openTicket(id, { focus = false } = {}) {
  try {
    const response = await api(`/api/tickets/${encodeURIComponent(id)}`)
    if (!response.ok) throw new Error(await problem(response))
    statusLine.textContent = ''
    renderTicket(await response.json())
    if (window.location.hash !== `#${id}`) history.replaceState(null, '', `#${id}`)
    if (focus) title.focus()
  } catch (error) {
    if (error instanceof SignInNeeded) return
    queueError.textContent = `Could not open the ticket: ${error instanceof Error ? error.message : String(error)}`
    queueError.hidden = false
  }
}

async function act(path, body, done) {
  if (!current) return
  const response = await api(`/api/tickets/${encodeURIComponent(current.id)}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  })
  if (!response.ok) {
    statusLine.textContent = await problem(response)
    return false
  }
  renderTicket(await response.json())
  statusLine.textContent = done
  void loadQueue()
  return true
}

pickUp.addEventListener('click', () => void act('pick-up', {}, 'You picked it up.'))
closeButton.addEventListener('click', () => void act('close', {}, 'Closed.'))
answerForm.addEventListener('submit', async (event) => {
  event.preventDefault()
  const text = answerText.value.trim()
  if (text === '') {
    answerError.textContent = 'Write the answer first.'
    answerText.setAttribute('aria-invalid', 'true')
    answerText.focus()
    return
  }
  answerError.textContent = ''
  answerText.removeAttribute('aria-invalid')
  answerSend.disabled = true
  try {
    if (await act('answer', { text }, 'Answer sent: the employee reads it in their conversation.'))
      answerText.value = ''
  } finally {
    answerSend.disabled = false
  }
})
statusFilter.addEventListener('change', () => void loadQueue())
$('queue-refresh').addEventListener('click', () => void loadQueue())
window.addEventListener('hashchange', () => {
  const id = window.location.hash.slice(1)
  if (id && id !== current?.id) void openTicket(id)
})

void startSignIn((user) => {
  me = user
  const staff = user && (user.role === 'technician' || user.role === 'admin')
  workspace.hidden = !staff
  notStaff.hidden = !user || staff
  if (!staff) return
  void loadQueue()
  const id = window.location.hash.slice(1)
  if (id) void openTicket(id)
})
