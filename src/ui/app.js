// The helpdesk chat page. Every part of it is drawn with Preact + htm (served with no build step):
// the conversation (chat/message-list.js), the message box, "For user", the welcome and the top
// bar's links (chat/page-parts.js), "My requests" (my-requests.js) and the approvals panel
// (approvals.js). This module holds the conversation's flow: it sends the turns, reads the
// answers as they stream, restores a conversation on reload and follows who is signed in. Text
// from the server or the user only ever reaches the page as text, never parsed as HTML.
// Every API call goes through `api` (sign-in.js), which carries the user's bearer token.

import { refreshApprovals, setApprovalsUser } from './approvals.js'
import { errorMessage, openApprovals, readEvents } from './chat/events.js'
import {
  addMessage,
  clearMessages,
  configureMessages,
  drawMessages,
  lastAssistantMessage,
  messageCount,
  removeMessage,
} from './chat/message-list.js'
import { outcomeWatch } from './chat/outcome-watch.js'
import { pageParts } from './chat/page-parts.js'
import { finishReply, newReply, noteApproval } from './chat/reply.js'
import { openJob, openJobFromAddress } from './job-view.js'
import { myRequests } from './my-requests.js'
import { liveReplyIndex, restoredRatings } from './reply-feedback.js'
import { api, remember, remembered, SignInNeeded, startSignIn } from './sign-in.js'
import { announce } from './status-line.js'
import { ticketWatch } from './ticket-watch.js'

/** The open conversation of each user on this device, so a reload brings it back. */
const sessionKey = (username) => `helpdesk.session.${username}`

const motion = matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth'
let sessionId
/** The signed-in user from GET /api/me: { username, role, authentication }, or undefined. */
let me
/** Whose conversation is on screen: signing in again as the same user keeps it. */
let conversationOwner

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

/** The welcome shows while the conversation is empty. */
function updateWelcome() {
  pageParts.setConversationEmpty(messageCount() === 0)
}

/** Adds a message to the conversation (chat/message-list.js) and scrolls to it. */
function show(message, block = 'end') {
  const shown = addMessage(message)
  updateWelcome()
  scrollIntoView(shown.element, block)
  return shown
}

/** How this conversation's approval requests end, shown as they arrive. */
const outcomes = outcomeWatch((entry) => {
  show({ role: 'assistant', kind: 'text', className: 'message-outcome', text: entry.text })
  announce('An approval request of this conversation was decided.')
  // An approved operation runs as a background job: its live view opens for the asker too.
  if (typeof entry.jobId === 'string') openJob(entry.jobId)
})

/** A technician's answer on the conversation's ticket, shown as it arrives. */
const ticketAnswers = ticketWatch((entry) => {
  show({ role: 'assistant', kind: 'paragraphs', className: 'message-outcome', text: entry.text })
  announce('A technician answered in this conversation.')
})

function addError(text) {
  show({ role: 'assistant', kind: 'error', text })
}

/** The assistant's answer to one turn, filled in as the server-sent events arrive. */
function startReply(forWhom) {
  const message = show(newReply({ forWhom, employee: isEmployee(), working: 'Working on it…' }))
  let approvalsSeen = false
  return {
    event(name, data) {
      if (name === 'route-end') {
        message.working = data.tasks?.length ? 'Preparing a plan…' : 'Checking…'
      } else if (name === 'plan-end') {
        message.plans = [...message.plans, data.plan]
      } else if (name === 'step-end') {
        message.results = [...message.results, data.result]
      } else if (name === 'approval-request' && data.approval) {
        noteApproval(message, data.approval)
        approvalsSeen = true
        // A technician's own list picks the new request up at once.
        void refreshApprovals()
      } else if (name === 'question') {
        message.working = 'I need one more detail…'
      } else {
        return
      }
      drawMessages()
    },
    finish(result) {
      finishReply(message, result)
      drawMessages()
      if (result.approvals?.length && !approvalsSeen) void refreshApprovals()
      scrollIntoView(message.element, 'start')
    },
    fail() {
      removeMessage(message)
      updateWelcome()
    },
    /** Thumbs up and down under the finished reply, for the signed-in owner. */
    /** Called before `finish`, so the reply is drawn once with its slot for the thumbs. */
    rateable(sessionId, replyText) {
      message.feedback = { sessionId, replyIndex: liveReplyIndex(sessionId, replyText) }
    },
  }
}

function setBusy(value) {
  pageParts.setBusy(value)
  announce(value ? 'Waiting for the helpdesk…' : '')
}

async function send(message) {
  const text = message.trim()
  if (pageParts.isBusy() || text === '') return
  const mine = show({ role: 'user', text })
  pageParts.setText('')
  setBusy(true)
  const requester = pageParts.requester()
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
        if (me) reply.rateable(sessionId, payload.result.reply)
        reply.finish(payload.result)
        // A long or many-machine operation runs as a background job: its view opens at once.
        if (typeof payload.result.jobId === 'string') openJob(payload.result.jobId)
        void requests.refresh()
        outcomes.start(sessionId, payload.result.approvals?.length ?? 0)
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
      removeMessage(mine)
      updateWelcome()
      pageParts.setText(text)
      return
    }
    const detail = error instanceof Error ? error.message : String(error)
    addError(`Could not get an answer from the helpdesk: ${detail}`)
  } finally {
    setBusy(false)
    if (me) pageParts.focusMessage()
  }
}

configureMessages({
  viewer: () => me,
  send,
  onDecided: (approval) => outcomes.shown(approval.id),
})

/** The conversation list; choosing one opens it. */
const requests = myRequests({
  onOpen: (id) => void openConversation(id, { focus: true }),
  currentId: () => sessionId,
})

/**
 * Shows a stored conversation (a reload, or one chosen under "My requests"). The box waits while
 * it loads: a message sent meanwhile would be wiped when the history is drawn.
 */
async function openConversation(id, { focus = false } = {}) {
  if (pageParts.isBusy()) {
    announce('Wait for the answer before opening another conversation.')
    return
  }
  pageParts.setBusy(true)
  try {
    await showConversation(id)
  } finally {
    pageParts.setBusy(false)
  }
  if (focus) pageParts.focusMessage()
}

/**
 * Draws a stored conversation: its history, the Confirm of a level-1 change still waiting, and
 * from then on how its approval requests end.
 */
async function showConversation(id) {
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
  // Only the conversation's owner rates its replies (approval outcomes and jobs are not replies).
  const ratings = await restoredRatings(session, me?.username)
  const feedbackOf = (entry, index) =>
    ratings && !entry.approvalId && !entry.jobId
      ? { sessionId: session.id, replyIndex: async () => index, rating: ratings.get(index) }
      : undefined
  /** The replies that opened approval requests, by request id. */
  const byApproval = new Map()
  history.forEach((entry, index) => {
    if (entry.role === 'user') {
      addMessage({ role: 'user', text: entry.text })
      return
    }
    if (!entry.view) {
      addMessage({
        role: 'assistant',
        kind: 'paragraphs',
        className: entry.approvalId ? 'message-outcome' : undefined,
        text: entry.text,
        // The open question is the last paragraph of the last reply.
        promptLast: Boolean(session.pending) && index === lastReply,
        replyIndex: entry.approvalId || entry.jobId ? undefined : index,
        feedback: feedbackOf(entry, index),
      })
      return
    }
    // As it was shown: plan cards, step results, the question and its quick replies (which
    // answer only while the question is still the open one).
    // A technician's conversation for an employee names them on the steps they confirm.
    const forWhom = session.requester !== me?.username ? session.requester : undefined
    const message = newReply({ forWhom, employee: isEmployee() })
    finishReply(
      message,
      { reply: entry.text, ...entry.view },
      { restored: true, answerable: Boolean(session.pending) && index === lastReply },
    )
    message.replyIndex = index
    message.feedback = feedbackOf(entry, index)
    addMessage(message)
    for (const approval of entry.view.approvals ?? []) byApproval.set(approval.id, message)
  })
  updateWelcome()
  const decided = history.filter((entry) => entry.approvalId).map((entry) => entry.approvalId)
  const open = await openApprovals(session.id)
  if (open.length > 0) {
    for (const approval of open) {
      const message = byApproval.get(approval.id)
      if (message) {
        noteApproval(message, approval)
        continue
      }
      const last = lastAssistantMessage() ?? addMessage({ role: 'assistant', kind: 'empty' })
      last.trailing = [...(last.trailing ?? []), approval]
    }
    drawMessages()
    outcomes.start(session.id, open.length + decided.length)
    for (const approvalId of decided) outcomes.shown(approvalId)
  }
  updateWelcome()
  if (session.status === 'handed_off') ticketAnswers.start(session.id, history.length)
  requests.mark(session.id)
  announce('Your conversation was restored.')
  scrollIntoView(document.getElementById('log').lastElementChild)
}

function clearConversation() {
  outcomes.stop()
  ticketAnswers.stop()
  sessionId = undefined
  clearMessages()
  updateWelcome()
  pageParts.setText('')
}

function newConversation() {
  clearConversation()
  if (me) remember(sessionKey(me.username), undefined)
  requests.mark(undefined)
  announce('Started a new conversation.')
  pageParts.focusMessage()
}

pageParts.configure({ send, newConversation })

/** The chat follows who is signed in: hidden while nobody is, cleared for another user. */
function onAccountChange(user, { signedOut = false } = {}) {
  me = user
  setApprovalsUser(user)
  // The message box, "For user", the links and the welcome follow who it is (chat/page-parts.js).
  pageParts.setUser(user)
  if (!user) {
    if (signedOut) {
      clearConversation()
      conversationOwner = undefined
    }
    requests.hide()
    updateWelcome()
    return
  }
  if (conversationOwner !== user.username) clearConversation()
  conversationOwner = user.username
  void requests.refresh()
  // A reload brings back the conversation that was open.
  const stored = remembered(sessionKey(user.username))
  if (stored && messageCount() === 0) void openConversation(stored)
  updateWelcome()
  pageParts.focusMessage()
  openJobFromAddress()
}

void startSignIn(onAccountChange)
