/**
 * @module chat/message-list
 * The conversation on the chat page (#log): the user's messages and the helpdesk's replies,
 * drawn with Preact from a list of message objects. The page adds and changes messages through
 * the functions here, then the list is drawn again (Preact changes only what differs, so focus,
 * open details and typed text stay).
 */

import { html, render } from '/ui/vendor/preact-htm.js'
import { ApprovalNote } from './approval-note.js'
import { FeedbackSlot } from './feedback-slot.js'
import { Reply } from './reply.js'
import { Paragraphs, RichText } from './rich-text.js'

const log = document.getElementById('log')
/** The messages on screen, oldest first. */
let messages = []
let nextKey = 0
/** Set by the page: who is signed in, sending a quick reply, a request decided on the page. */
let context = { viewer: () => undefined, send: () => undefined, onDecided: () => undefined }

/** Wires the list to the page. */
export function configureMessages(wiring) {
  context = { ...context, ...wiring }
}

/** How many messages are on screen. */
export function messageCount() {
  return messages.length
}

/** The last reply of the helpdesk on screen, if any. */
export function lastAssistantMessage() {
  return messages.findLast((message) => message.role === 'assistant')
}

/**
 * Adds a message and draws it: `{ role: 'user', text }`, or an assistant message of a kind:
 * 'error' (role alert), 'empty', 'text' (one block), 'paragraphs' (`promptLast`: the last paragraph is
 * the open question) or 'reply' (chat/reply.js `newReply`). `className` is added to the bubble.
 * @returns the message; its `element` is the bubble once drawn.
 */
export function addMessage(message) {
  message.key = ++nextKey
  message.confirmed ??= new Map()
  // Who read it when it came: its approval notes keep their words if the sign-in lapses.
  message.viewer ??= context.viewer()
  messages.push(message)
  drawMessages()
  return message
}

/** Takes a message off the screen. */
export function removeMessage(message) {
  messages = messages.filter((each) => each !== message)
  drawMessages()
}

/** Empties the conversation. */
export function clearMessages() {
  messages = []
  drawMessages()
}

/** Draws the list again after its messages changed. */
export function drawMessages() {
  render(html`<${MessageList} messages=${messages} viewer=${context.viewer()} />`, log)
}

function MessageList({ messages, viewer }) {
  return messages.map(
    (message) => html`<${Message} key=${message.key} message=${message} viewer=${viewer} />`,
  )
}

function Body({ message, viewer, onDecided }) {
  if (message.role === 'user') return html`<${RichText} text=${message.text} plain=${true} />`
  if (message.kind === 'error') {
    return [
      html`<p class="error-title">Something went wrong</p>`,
      html`<${RichText} text=${message.text} plain=${true} />`,
    ]
  }
  if (message.kind === 'empty') return null
  if (message.kind === 'text') return html`<${RichText} text=${message.text} />`
  if (message.kind === 'paragraphs') {
    return html`<div class="reply"><${Paragraphs} text=${message.text} promptLast=${message.promptLast} /></div>`
  }
  return html`<${Reply} message=${message} viewer=${viewer} send=${context.send} onDecided=${onDecided} />`
}

function Message({ message, viewer: current }) {
  const viewer = message.viewer ?? current
  const kind = message.kind === 'error' ? 'message-error' : (message.className ?? '')
  const onDecided = (approval, results) => {
    message.confirmed.set(approval.id, results)
    context.onDecided(approval)
    drawMessages()
  }
  return html`<article
    class=${`message message-${message.role} ${kind}`.trim()}
    role=${message.kind === 'error' ? 'alert' : undefined}
    aria-busy=${message.working ? 'true' : undefined}
    data-reply=${message.replyIndex}
    ref=${(node) => {
      message.element = node ?? undefined
    }}
  >
    <h3 class="message-author">${message.role === 'user' ? 'You' : 'Helpdesk'}</h3>
    <${Body} message=${message} viewer=${viewer} onDecided=${onDecided} />
    ${message.feedback ? html`<${FeedbackSlot} feedback=${message.feedback} />` : null}
    ${
      // Approval requests still open that no reply of this conversation showed: noted here.
      message.trailing?.length
        ? html`<div class="reply-actions">
            ${message.trailing.map(
              (approval) =>
                html`<${ApprovalNote} key=${approval.id} approval=${approval} viewer=${viewer} onDecided=${onDecided} />`,
            )}
          </div>`
        : null
    }
  </article>`
}
