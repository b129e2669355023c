import { AWAIT_APPROVAL_TOOL, type HelpdeskToolName } from '../helpdesk-tools.ts'

/** The part of an OpenAI chat-completions request the policy reads. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool'
  content?: string | null | Array<{ type: string; text?: string }>
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>
  tool_call_id?: string
}

export type PolicyDecision =
  | { type: 'tool'; name: string; arguments?: Record<string, string> }
  | { type: 'answer'; text: string }

/**
 * The offline model's whole mind: a deterministic policy over the conversation so far. After
 * the employee's message it routes; after routing it plans (or, out of scope, replies); after
 * planning it executes; after executing it writes the reply; after the reply it answers with
 * its text, unless the reply left approval requests waiting and it may wait for them
 * (`await_approval`, offered where the framework pauses a run for a human): then it waits for
 * each in turn, and answers when none is left. The judgement lives in the tools (retrieval and the rule planner), so the policy
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
      return (
        awaitNext(result, offered) ?? {
          type: 'answer',
          text: typeof result.reply === 'string' ? result.reply : '',
        }
      )
    case AWAIT_APPROVAL_TOOL.name:
      return (
        awaitNext(result, offered) ?? {
          type: 'answer',
          text: typeof result.summary === 'string' ? result.summary : 'Done.',
        }
      )
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

/** Waits for the first approval request a result says is still waiting, if this agent can. */
function awaitNext(
  result: Record<string, unknown>,
  offered: readonly string[],
): PolicyDecision | undefined {
  const waiting = Array.isArray(result.waiting) ? result.waiting : []
  const first = waiting.find((each): each is string => typeof each === 'string')
  if (!first || !offered.includes(AWAIT_APPROVAL_TOOL.name)) return undefined
  return { type: 'tool', name: AWAIT_APPROVAL_TOOL.name, arguments: { approvalId: first } }
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
        /^.*?(route_request|plan_tasks|execute_steps|write_reply|await_approval)$/,
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
