/**
 * @module chat/events
 * Reading the chat's answers: the server-sent events of POST /api/chat/stream, the message of an
 * error answer, and the approval requests a stored conversation still waits for.
 */

import { api } from '../sign-in.js'

/** Reads `event:` / `data:` frames from a server-sent-events response body. */
export async function* readEvents(body) {
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
export async function errorMessage(response) {
  const body = await response.json().catch(() => null)
  return body?.error?.message ?? `The server answered ${response.status} ${response.statusText}`
}

/** The pending approval requests of a conversation, as the chat's turn reported them. */
export async function openApprovals(id) {
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
