import { z } from 'zod'
import { HelpdeskError } from '../errors/index.ts'
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
  /** The in-process transport of the offline model; undefined for a real server. */
  fetch?: typeof fetch
  offline: boolean
  timeoutMs: number
  maxRetries: number
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
    return {
      baseURL: OFFLINE_BASE_URL,
      model: OFFLINE_MODEL_ID,
      apiKey: 'offline',
      fetch: offlineModelFetch,
      offline: true,
      timeoutMs: settings.LLM_TIMEOUT_MS,
      maxRetries: 0,
    }
  }
  if (!settings.LLM_MODEL) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: 'LLM_MODEL: required when LLM_BASE_URL is set (e.g. llama3.1)',
    })
  }
  return {
    baseURL: settings.LLM_BASE_URL,
    model: settings.LLM_MODEL,
    apiKey: settings.LLM_API_KEY ?? 'not-needed',
    offline: false,
    timeoutMs: settings.LLM_TIMEOUT_MS,
    maxRetries: settings.LLM_MAX_RETRIES,
  }
}
