import { randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import { type ChatMessage, decideNext } from './offline-policy.ts'

export const OFFLINE_MODEL_ID = 'helpdesk-offline-1'
export const OFFLINE_BASE_URL = 'http://offline-model.invalid/v1'

interface ChatRequest {
  model?: string
  messages?: ChatMessage[]
  tools?: Array<{ type: string; function?: { name: string } }>
  stream?: boolean
}

/**
 * The offline model as an OpenAI-compatible `POST /v1/chat/completions`, served in process: an
 * OpenAI client gets `fetch: offlineModelFetch`, so every framework talks to it exactly as it
 * would to Ollama, vLLM or OpenAI, with no socket and no network. Answers JSON, or server-sent
 * events when `stream: true`.
 */
export function offlineChatCompletionsApp(): Hono {
  const app = new Hono()
  app.post('/v1/chat/completions', async (context) => {
    const request = (await context.req.json()) as ChatRequest
    const offered = (request.tools ?? []).flatMap((each) =>
      each.function ? [each.function.name] : [],
    )
    const decision = decideNext(request.messages ?? [], offered)
    const id = `chatcmpl-${randomUUID()}`
    const created = Math.floor(Date.now() / 1000)
    const model = request.model ?? OFFLINE_MODEL_ID
    const message =
      decision.type === 'tool'
        ? {
            role: 'assistant' as const,
            content: null,
            tool_calls: [
              {
                id: `call_${randomUUID().slice(0, 12)}`,
                type: 'function' as const,
                function: {
                  name: decision.name,
                  arguments: JSON.stringify(decision.arguments ?? {}),
                },
              },
            ],
          }
        : { role: 'assistant' as const, content: decision.text }
    const finishReason = decision.type === 'tool' ? 'tool_calls' : 'stop'
    const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }
    if (!request.stream) {
      return context.json({
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }],
        usage,
      })
    }
    const delta =
      decision.type === 'tool'
        ? {
            role: 'assistant',
            content: null,
            tool_calls: message.tool_calls?.map((call, index) => ({ index, ...call })),
          }
        : { role: 'assistant', content: decision.text }
    const chunks = [
      {
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, finish_reason: null }],
      },
      {
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta: {}, finish_reason: finishReason }],
        usage,
      },
    ]
    const body = `${chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('')}data: [DONE]\n\n`
    return context.body(body, 200, { 'content-type': 'text/event-stream' })
  })
  app.notFound((context) =>
    context.json(
      {
        error: {
          message: `the offline model serves only POST /v1/chat/completions, not ${context.req.path}`,
        },
      },
      404,
    ),
  )
  return app
}

const app = offlineChatCompletionsApp()

/** A `fetch` for OpenAI-compatible clients that answers from the offline model in process. */
export const offlineModelFetch: typeof fetch = async (input, init) => {
  const request = input instanceof Request ? input : new Request(input, init)
  const url = new URL(request.url)
  return app.fetch(
    new Request(
      `http://offline${url.pathname.replace(/^.*?(\/v1\/)/, '$1')}${url.search}`,
      request,
    ),
  )
}
