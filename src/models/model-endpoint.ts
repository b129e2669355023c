import { z } from 'zod'
import { HelpdeskError } from '../errors/index.ts'
import { guardedModelFetch } from './guarded-model-fetch.ts'
import {
  OFFLINE_BASE_URL,
  OFFLINE_MODEL_ID,
  offlineModelFetch,
} from './offline/offline-chat-completions.ts'

/**
 * Which chat-completions endpoint the adapters' models talk to: any OpenAI-compatible server
 * (`LLM_BASE_URL`, `LLM_MODEL`, `LLM_API_KEY`: Ollama, vLLM, llama.cpp, OpenAI), or, with none
 * set, the offline model served in process. Chat completions only, never the Responses API.
 */
export interface ModelEndpoint {
  baseURL: string
  model: string
  /** Servers that ignore keys still need one in the OpenAI clients. */
  apiKey: string
  /**
   * The transport every client must use: time limit, retries on 429 and 5xx, and tool-call
   * checks (guarded-model-fetch.ts) over the network or over the in-process offline model.
   */
  fetch: typeof fetch
  offline: boolean
  /** One call's time limit, enforced by `fetch`. */
  timeoutMs: number
  /** Retries done by `fetch`; clients are told 0 so calls are not retried twice. */
  maxRetries: number
  /** A generous limit for the clients' own timers, past `fetch`'s retries. */
  clientTimeoutMs: number
}

const schema = z.object({
  LLM_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  LLM_MODEL: z.string().min(1).optional(),
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
})

/** @throws {HelpdeskError} INVALID_CONFIGURATION naming the variable. */
export function modelEndpointFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): ModelEndpoint {
  const parsed = schema.safeParse(environment)
  if (!parsed.success) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; '),
    })
  }
  const settings = parsed.data
  if (!settings.LLM_BASE_URL) {
    const guarded = {
      baseURL: OFFLINE_BASE_URL,
      model: OFFLINE_MODEL_ID,
      timeoutMs: settings.LLM_TIMEOUT_MS,
      maxRetries: 0,
    }
    return {
      ...guarded,
      apiKey: 'offline',
      fetch: guardedModelFetch({ ...guarded, fetch: offlineModelFetch }),
      offline: true,
      clientTimeoutMs: settings.LLM_TIMEOUT_MS + 5000,
    }
  }
  if (!settings.LLM_MODEL) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: 'LLM_MODEL: required when LLM_BASE_URL is set (e.g. llama3.1)',
    })
  }
  const guarded = {
    baseURL: settings.LLM_BASE_URL,
    model: settings.LLM_MODEL,
    timeoutMs: settings.LLM_TIMEOUT_MS,
    maxRetries: settings.LLM_MAX_RETRIES,
  }
  return {
    ...guarded,
    apiKey: settings.LLM_API_KEY ?? 'not-needed',
    fetch: guardedModelFetch(guarded),
    offline: false,
    // Retries may wait for Retry-After (up to 30 s each) on top of each call's limit.
    clientTimeoutMs: (settings.LLM_TIMEOUT_MS + 30_000) * (settings.LLM_MAX_RETRIES + 1),
  }
}
