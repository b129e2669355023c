// Thumbs up or down on the helpdesk's replies, for the conversation's owner: two toggle buttons
// (aria-pressed) under each reply, saved by POST /api/sessions/:id/feedback; pressing the pressed
// one again withdraws the rating. Kept out of app.js, which only says which message is which
// reply; the conversation's Preact list mounts the buttons (chat/feedback-slot.js).
// The icons are Feather's thumbs-up and thumbs-down (MIT licence), drawn inline.

import { api, SignInNeeded } from './sign-in.js'

const SVG = 'http://www.w3.org/2000/svg'
const CHOICES = {
  up: {
    label: 'Helpful',
    path: 'M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3',
  },
  down: {
    label: 'Not helpful',
    path: 'M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17',
  },
}

function icon(path) {
  const svg = document.createElementNS(SVG, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('width', '18')
  svg.setAttribute('height', '18')
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('focusable', 'false')
  const line = document.createElementNS(SVG, 'path')
  line.setAttribute('d', path)
  svg.append(line)
  return svg
}

async function problem(response) {
  try {
    return (await response.json()).error?.message ?? `the server answered ${response.status}`
  } catch {
    return `the server answered ${response.status}`
  }
}

/**
 * The two buttons for one reply.
 * @param sessionId the conversation
 * @param replyIndex `() => Promise<number>`: the reply's index in the conversation's history
 * @param rating the rating already given, if any
 */
export function feedbackControls(sessionId, replyIndex, rating) {
  const group = document.createElement('div')
  group.className = 'reply-feedback'
  group.setAttribute('role', 'group')
  group.setAttribute('aria-label', 'Was this reply helpful?')
  const note = document.createElement('span')
  note.className = 'reply-feedback-note'
  note.setAttribute('role', 'status')
  const buttons = {}
  const show = (chosen) => {
    for (const [name, button] of Object.entries(buttons))
      button.setAttribute('aria-pressed', String(name === chosen))
  }
  for (const [name, choice] of Object.entries(CHOICES)) {
    const button = document.createElement('button')
    button.type = 'button'
    button.className = `reply-feedback-button reply-feedback-${name}`
    button.setAttribute('aria-label', choice.label)
    button.title = choice.label
    button.append(icon(choice.path))
    button.addEventListener('click', async () => {
      const next = button.getAttribute('aria-pressed') === 'true' ? null : name
      for (const each of Object.values(buttons)) each.disabled = true
      try {
        const response = await api(`/api/sessions/${encodeURIComponent(sessionId)}/feedback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ reply: await replyIndex(), rating: next }),
        })
        if (!response.ok) throw new Error(await problem(response))
        show(next)
        note.textContent = next ? 'Thanks for your feedback.' : 'Rating removed.'
      } catch (error) {
        if (error instanceof SignInNeeded) return
        note.textContent = `Could not save your rating: ${error instanceof Error ? error.message : String(error)}`
      } finally {
        for (const each of Object.values(buttons)) each.disabled = false
      }
    })
    buttons[name] = button
    group.append(button)
  }
  show(rating)
  group.append(note)
  return group
}

/**
 * The index of a reply that just arrived, asked of the server on the first click: the last reply
 * in the stored conversation with this text.
 * @returns `() => Promise<number>`
 */
export function liveReplyIndex(sessionId, replyText) {
  let index
  return async () => {
    if (index !== undefined) return index
    const response = await api(`/api/sessions/${encodeURIComponent(sessionId)}`)
    if (!response.ok) throw new Error(await problem(response))
    const history = (await response.json()).history ?? []
    const replies = history
      .map((entry, at) => ({ entry, at }))
      .filter(({ entry }) => entry.role === 'assistant' && !entry.approvalId && !entry.jobId)
    index = (replies.findLast(({ entry }) => entry.text === replyText) ?? replies.at(-1))?.at
    if (index === undefined) throw new Error('the reply is not in the conversation')
    return index
  }
}

/** Whether this server keeps ratings: asked once per page, with the first conversation's ratings. */
let available

async function ratingsOf(sessionId) {
  const response = await api(`/api/sessions/${encodeURIComponent(sessionId)}/feedback`)
  if (!response.ok) return undefined
  const body = await response.json()
  available = body.available !== false
  return available
    ? new Map((body.ratings ?? []).map((each) => [each.reply, each.rating]))
    : undefined
}

/** True when replies of this conversation may be rated (the server keeps ratings). */
export async function ratingsAvailable(sessionId) {
  if (available !== undefined) return available
  try {
    await ratingsOf(sessionId)
  } catch (error) {
    if (!(error instanceof SignInNeeded)) available = false
  }
  return available === true
}

/**
 * The ratings already given in a conversation shown again, by reply index; undefined when the
 * viewer is not its owner (only the owner rates) or the server keeps no ratings.
 */
export async function restoredRatings(session, username) {
  if (!username || session.owner !== username) return undefined
  try {
    return await ratingsOf(session.id)
  } catch {
    return undefined
  }
}
