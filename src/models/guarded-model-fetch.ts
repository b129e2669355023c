import { HelpdeskError, isHelpdeskError } from '../errors/index.ts'

export interface ModelFetchOptions {
  baseURL: string
  model: string
  timeoutMs: number
  /** Retries after 429 and 5xx answers (and dropped connections), with backoff. */
  maxRetries: number
  /** The transport underneath: the offline model's in-process fetch, or the real one. */
  fetch?: typeof fetch
  sleep?: (milliseconds: number) => Promise<void>
}

const RETRIABLE = new Set([429, 500, 502, 503, 504])

/**
 * Every framework's model calls go through this `fetch` (the OpenAI client, LangChain's
 * ChatOpenAI and the AI SDK all take one), so they all get the same behaviour from an
 * OpenAI-compatible server: a time limit per call, retries on 429 and 5xx honouring
 * Retry-After, and a clear error when an answer's tool call names a tool that was not offered
 * or carries arguments that are not a JSON object, instead of whatever each framework makes of it.
 */
export function guardedModelFetch(options: ModelFetchOptions): typeof fetch {
  const transport = options.fetch ?? fetch
  const sleep =
    options.sleep ?? ((milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)))
  return async (input, init) => {
    const offered = offeredTools(init?.body)
    for (let attempt = 0; ; attempt++) {
      let response: Response
      try {
        const timeout = AbortSignal.timeout(options.timeoutMs)
        response = await transport(input, {
          ...init,
          signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
        })
      } catch (error) {
        if (init?.signal?.aborted) throw error
        if (error instanceof DOMException && error.name === 'TimeoutError') {
          // Worded without "time out": the OpenAI client rewrites errors that match it into
          // its own, dropping this one.
          throw failure(
            options,
            `did not answer within ${options.timeoutMs} ms, the per-call limit`,
          )
        }
        if (attempt < options.maxRetries) {
          await sleep(backoff(attempt))
          continue
        }
        throw failure(options, `cannot be reached: ${(error as Error).message}`)
      }
      if (RETRIABLE.has(response.status) && attempt < options.maxRetries) {
        await response.body?.cancel()
        await sleep(retryAfter(response) ?? backoff(attempt))
        continue
      }
      if (response.status !== 200 || !(response.headers.get('content-type') ?? '').includes('json'))
        return response
      const text = await response.text()
      checkToolCalls(text, offered, options)
      return new Response(text, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      })
    }
  }
}

/** The HelpdeskError a framework wrapped on its way out of a model call, if there is one. */
export function modelFailureIn(error: unknown): HelpdeskError | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 8; depth++) {
    if (isHelpdeskError(current)) return current
    current =
      (current as { cause?: unknown; error?: unknown }).cause ??
      (current as { error?: unknown }).error
  }
  return undefined
}

function checkToolCalls(
  text: string,
  offered: Set<string> | undefined,
  options: ModelFetchOptions,
): void {
  let body: {
    choices?: Array<{
      message?: { tool_calls?: Array<{ function?: { name?: string; arguments?: string } }> }
    }>
  }
  try {
    body = JSON.parse(text)
  } catch {
    throw failure(options, 'answered with a body that is not JSON')
  }
  for (const choice of body.choices ?? []) {
    for (const call of choice.message?.tool_calls ?? []) {
      const name = call.function?.name ?? ''
      if (offered && !offered.has(name)) {
        throw failure(
          options,
          `called a tool that was not offered: "${name.slice(0, 60)}" (offered: ${[...offered].join(', ')})`,
        )
      }
      let parsed: unknown
      try {
        parsed = JSON.parse(call.function?.arguments || '{}')
      } catch {
        throw failure(
          options,
          `sent arguments for "${name}" that are not JSON: ${String(call.function?.arguments).slice(0, 80)}`,
        )
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw failure(options, `sent arguments for "${name}" that are not a JSON object`)
      }
    }
  }
}

function offeredTools(body: unknown): Set<string> | undefined {
  if (typeof body !== 'string') return undefined
  try {
    const parsed = JSON.parse(body) as { tools?: Array<{ function?: { name?: string } }> }
    return parsed.tools ? new Set(parsed.tools.map((tool) => tool.function?.name ?? '')) : undefined
  } catch {
    return undefined
  }
}

function retryAfter(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'))
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, 30_000) : undefined
}

function backoff(attempt: number): number {
  return Math.round(250 * 2 ** attempt * (0.75 + Math.random() * 0.5))
}

function failure(options: ModelFetchOptions, problem: string): HelpdeskError {
  return new HelpdeskError({
    code: 'MODEL_FAILED',
    category: 'THIRD_PARTY',
    message: `the model ${options.model} at ${options.baseURL} ${problem}`,
    details: { model: options.model, baseURL: options.baseURL },
  })
}
