import type { ModelEndpoint } from './model-endpoint.ts'

/**
 * One chat-completions call of the helpdesk's own model uses (understanding a request, wording
 * a reply, composing operations): temperature 0, one system and one user message, and optionally
 * one tool the model is made to call, over the endpoint's guarded fetch (time limit, retries,
 * tool-call checks). The frameworks' adapters keep their own clients.
 */
export interface ChatRequest {
  system: string
  user: string
  /** The one tool the model must call; its arguments are the answer (`forcedToolArguments`). */
  tool?: { name: string; description: string; parameters: unknown }
}

/** @throws {Error} naming the HTTP status and the start of the body when the server refuses. */
export async function chatCompletion(
  endpoint: ModelEndpoint,
  request: ChatRequest,
): Promise<unknown> {
  const { tool } = request
  const response = await endpoint.fetch(`${endpoint.baseURL}/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${endpoint.apiKey}`,
    },
    body: JSON.stringify({
      model: endpoint.model,
      temperature: 0,
      messages: [
        { role: 'system', content: request.system },
        { role: 'user', content: request.user },
      ],
      ...(tool
        ? {
            tools: [{ type: 'function', function: tool }],
            tool_choice: { type: 'function', function: { name: tool.name } },
          }
        : {}),
    }),
  })
  if (!response.ok) {
    throw new Error(`it answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`)
  }
  return response.json()
}

/** The text of the answer's first choice ('' when there is none). */
export function replyText(body: unknown): string {
  const content = (body as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0]
    ?.message?.content
  return typeof content === 'string' ? content : ''
}

/**
 * The arguments of the forced tool's call, or JSON content from a server that answered in text;
 * a string saying what came instead when neither is JSON, so the caller's schema check refuses it
 * with that reason.
 * @throws {Error} as `chatCompletion`.
 */
export async function forcedToolArguments(
  endpoint: ModelEndpoint,
  request: ChatRequest & { tool: NonNullable<ChatRequest['tool']> },
): Promise<unknown> {
  const body = await chatCompletion(endpoint, request)
  const message = (
    body as {
      choices?: Array<{
        message?: {
          content?: string | null
          tool_calls?: Array<{ function?: { name?: string; arguments?: string } }>
        }
      }>
    }
  ).choices?.[0]?.message
  const call = message?.tool_calls?.find((each) => each.function?.name === request.tool.name)
  const text = call?.function?.arguments ?? message?.content ?? ''
  try {
    return JSON.parse(text)
  } catch {
    return `not JSON: ${text.slice(0, 80)}`
  }
}
