import type { TurnState } from '../core/turn.ts'

export interface ConversationEntry {
  role: 'user' | 'assistant'
  content: string
}

/**
 * The conversation so far for a model's context, this message last: the newest turns that fit,
 * each cut to a length, older ones dropped. The session keeps everything; a model needs only
 * enough to read a follow-up ("same for maria.garcia") in context. Only chat text is in it:
 * secrets are held by reference and never enter a conversation.
 */
export function recentConversation(
  turn: Pick<TurnState, 'session' | 'message'>,
  options: { turns?: number; characters?: number } = {},
): ConversationEntry[] {
  const earlier = turn.session.history.slice(0, -1).slice(-(options.turns ?? 6))
  const budget = options.characters ?? 4000
  const messages: ConversationEntry[] = []
  let used = turn.message.length
  for (const entry of earlier.reverse()) {
    const content = entry.text.length > 600 ? `${entry.text.slice(0, 597)}...` : entry.text
    if (used + content.length > budget) break
    used += content.length
    messages.unshift({ role: entry.role, content })
  }
  return [...messages, { role: 'user', content: turn.message }]
}
