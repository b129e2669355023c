// Thumbs up or down on the helpdesk's replies, for the conversation's owner: what the buttons
// (chat/feedback-slot.js, a Preact component) need from the server: whether it keeps ratings, the
// ratings already given, a live reply's index, and saving one (POST /api/sessions/:id/feedback;
// a null rating withdraws it). Kept out of app.js, which only says which message is which reply.

import { api, SignInNeeded } from './sign-in.js'

export async function problem(response) {
  try {
    return (await response.json()).error?.message ?? `the server answered ${response.status}`
  } catch {
    return `the server answered ${response.status}`
  }
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

/**
 * Saves `rating` ('up', 'down', or null to withdraw) for the reply at `replyIndex()`.
 * @throws {Error} with the server's message when it refuses; SignInNeeded when the sign-in lapsed
 */
export async function saveRating(sessionId, replyIndex, rating) {
  const response = await api(`/api/sessions/${encodeURIComponent(sessionId)}/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reply: await replyIndex(), rating }),
  })
  if (!response.ok) throw new Error(await problem(response))
}
