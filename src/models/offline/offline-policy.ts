import type { HelpdeskToolName } from '../helpdesk-tools.ts'

/** The part of an OpenAI chat-completions request the policy reads. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool'
  content?: string | null | Array<{ type: string; text?: string }>
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>
  tool_call_id?: string
}

export type PolicyDecision =
  | { type: 'tool'; name: HelpdeskToolName }
  | { type: 'answer'; text: string }

/**
 * The offline model's whole mind: a deterministic policy over the conversation so far. After
 * the employee's message it routes; after routing it plans (or, out of scope, replies); after
 * planning it executes; after executing it writes the reply; after the reply it answers with
 * its text. The judgement lives in the tools (retrieval and the rule planner), so the policy
 * stays this small, and a real LLM given the same tools and prompt can take its place.
 */
export function decideNext(
  messages: readonly ChatMessage[],
  offered: readonly string[],
): PolicyDecision {
  const last = messages.at(-1)
  if (!last || last.role !== 'tool') return tool('route_request', offered)
  const called = toolNameOf(messages, last.tool_call_id)
  const result = parseResult(last.content)
  switch (called) {
    case 'route_request': {
      if (result.route === 'out_of_scope') return tool('write_reply', offered)
      // A triage agent hands the work to the specialist of the task's category when it has one.
      const handoff = offered.find(
        (name) => name === `transfer_to_${String(result.category)}_specialist`,
      )
      return handoff
        ? { type: 'tool', name: handoff as HelpdeskToolName }
        : tool('plan_tasks', offered)
    }
    case 'handoff':
      return tool('plan_tasks', offered)
    case 'plan_tasks':
      return tool('execute_steps', offered)
    case 'execute_steps':
      return tool('write_reply', offered)
    case 'write_reply':
      return { type: 'answer', text: typeof result.reply === 'string' ? result.reply : '' }
    default:
      return tool('route_request', offered)
  }
}

function tool(name: HelpdeskToolName, offered: readonly string[]): PolicyDecision {
  // Offered under another name (a framework prefix, say)? Use the one that ends with ours.
  return {
    type: 'tool',
    name: (offered.find((each) => each === name || each.endsWith(name)) ??
      name) as HelpdeskToolName,
  }
}

function toolNameOf(
  messages: readonly ChatMessage[],
  callId: string | undefined,
): string | undefined {
  for (const message of messages) {
    for (const call of message.tool_calls ?? []) {
      if (call.id !== callId) continue
      if (call.function.name.startsWith('transfer_to_')) return 'handoff'
      return call.function.name.replace(
        /^.*?(route_request|plan_tasks|execute_steps|write_reply)$/,
        '$1',
      )
    }
  }
  return undefined
}

function parseResult(content: ChatMessage['content']): Record<string, unknown> {
  const text =
    typeof content === 'string' ? content : (content ?? []).map((part) => part.text ?? '').join('')
  try {
    const parsed: unknown = JSON.parse(text)
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
