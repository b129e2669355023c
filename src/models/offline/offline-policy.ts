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
  // A fresh conversation starts with the earliest phase this agent has a tool for (a crew
  // member may hold only some of them).
  if (last?.role !== 'tool')
    return firstOffered(offered) ?? { type: 'answer', text: 'Nothing for me to do.' }
  const called = toolNameOf(messages, last.tool_call_id)
  const result = parseResult(last.content)
  let next: string | undefined
  switch (called) {
    case 'route_request': {
      if (result.route === 'out_of_scope') {
        next = 'write_reply'
        break
      }
      // A triage agent hands the work to the specialist of the task's category when it has one.
      const handoff = offered.find(
        (name) => name === `transfer_to_${String(result.category)}_specialist`,
      )
      if (handoff) return { type: 'tool', name: handoff as HelpdeskToolName }
      next = 'plan_tasks'
      break
    }
    case 'handoff':
      next = 'plan_tasks'
      break
    case 'plan_tasks':
      next = 'execute_steps'
      break
    case 'execute_steps':
      next = 'write_reply'
      break
    case 'write_reply':
      return { type: 'answer', text: typeof result.reply === 'string' ? result.reply : '' }
    default:
      next = 'route_request'
  }
  const offeredName = offered.find((name) => name === next || name.endsWith(next ?? ''))
  // Not this agent's tool: its part is done; it says what it did, and the next member goes on.
  return offeredName
    ? { type: 'tool', name: offeredName as HelpdeskToolName }
    : { type: 'answer', text: `Done: ${called}. Next: ${next}.` }
}

const PHASES: readonly HelpdeskToolName[] = [
  'route_request',
  'plan_tasks',
  'execute_steps',
  'write_reply',
]

function firstOffered(offered: readonly string[]): PolicyDecision | undefined {
  for (const phase of PHASES) {
    const name = offered.find((each) => each === phase || each.endsWith(phase))
    if (name) return { type: 'tool', name: name as HelpdeskToolName }
  }
  return undefined
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
