import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One recorded answer, or a fault to play instead of one. */
export interface RecordedAnswer {
  status: number
  body?: unknown
  headers?: Record<string, string>
  /** Hold the answer this long (to trip a client's time limit). */
  delayMs?: number
}

export interface RecordedRequest {
  path: string
  authorization: string | undefined
  body: {
    model?: string
    messages?: unknown[]
    tools?: Array<{ function: { name: string } }>
    stream?: boolean
  }
}

export interface RecordedServerOptions {
  /**
   * Answers for the understanding requests (those offering the `understand_request` tool), in
   * order, apart from the orchestration answers: the two interleave differently per framework.
   */
  understanding?: RecordedAnswer[]
  /** Answers for the reply-writing requests (those offering no tools at all), in order. */
  replies?: RecordedAnswer[]
  /**
   * Answers the other requests once `answers` is used up: the offline model's policy, say, to
   * drive a framework's tool calls while the understanding answers are the recorded ones.
   */
  otherwise?: typeof fetch
}

/**
 * An OpenAI-compatible server on loopback that replays recorded chat-completions answers in
 * order and records what it was sent; answers anything but POST /v1/chat/completions with 404
 * (so a client drifting to the Responses API fails loudly).
 */
export async function startRecordedLlmServer(
  answers: RecordedAnswer[],
  options: RecordedServerOptions = {},
): Promise<{
  baseURL: string
  requests: RecordedRequest[]
  close(): Promise<void>
}> {
  const queue = [...answers]
  const understandingQueue = [...(options.understanding ?? [])]
  const replyQueue = [...(options.replies ?? [])]
  const requests: RecordedRequest[] = []
  const server: Server = createServer((request, response) => {
    let text = ''
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString()
    })
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: `no route ${request.url}` } }))
        return
      }
      const body = JSON.parse(text || '{}') as RecordedRequest['body']
      requests.push({ path: request.url, authorization: request.headers.authorization, body })
      const understanding =
        options.understanding !== undefined &&
        (body.tools ?? []).some((tool) => tool.function.name === 'understand_request')
      const reply = options.replies !== undefined && (body.tools ?? []).length === 0
      const recorded = understanding
        ? understandingQueue.shift()
        : reply
          ? replyQueue.shift()
          : queue.shift()
      if (!recorded && !understanding && !reply && options.otherwise) {
        void forward(options.otherwise, text, response)
        return
      }
      const answer = recorded ?? {
        status: 500,
        body: { error: { message: 'no more recorded answers' } },
      }
      setTimeout(() => {
        if (response.destroyed) return
        response.writeHead(answer.status, {
          'content-type': 'application/json',
          ...(answer.headers ?? {}),
        })
        response.end(JSON.stringify(answer.body ?? {}))
      }, answer.delayMs ?? 0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function forward(
  transport: typeof fetch,
  text: string,
  response: ServerResponse,
): Promise<void> {
  const answer = await transport('http://127.0.0.1/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: text,
  })
  response.writeHead(answer.status, {
    'content-type': answer.headers.get('content-type') ?? 'application/json',
  })
  response.end(await answer.text())
}

/** A chat-completions answer that calls `tool` with these arguments (JSON text), as a model does. */
export function toolCallResponse(tool: string, argumentsText: string): Response {
  return Response.json({
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: tool, arguments: argumentsText } },
          ],
        },
        finish_reason: 'tool_calls',
      },
    ],
  })
}
