import OpenAI from 'openai'
import { HelpdeskError } from '../errors/index.ts'
import type { EmbeddingFunction } from './embedding-function.ts'

export interface OpenAiEmbeddingOptions {
  /** Base URL of any OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1 for Ollama. */
  baseUrl: string
  model: string
  /** The key itself, resolved from its environment variable by the caller; never logged. */
  apiKey: string
  /** Name of the variable the key came from, recorded instead of the key. */
  apiKeyVariable: string
  timeoutMs?: number
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch
}

/** Embeddings from any OpenAI-compatible `/embeddings` endpoint (OpenAI, Ollama, vLLM). */
export class OpenAiEmbeddingFunction implements EmbeddingFunction {
  readonly id = 'openai'
  readonly fingerprint: string
  private readonly client: OpenAI
  private readonly model: string

  constructor(options: OpenAiEmbeddingOptions) {
    this.model = options.model
    this.fingerprint = `openai:${options.baseUrl.replace(/\/+$/, '')}:${options.model}`
    this.client = new OpenAI({
      baseURL: options.baseUrl,
      apiKey: options.apiKey,
      timeout: options.timeoutMs ?? 30_000,
      maxRetries: 2,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    })
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    if (texts.length === 0) return []
    let response: OpenAI.Embeddings.CreateEmbeddingResponse
    try {
      response = await this.client.embeddings.create({
        model: this.model,
        input: [...texts],
        encoding_format: 'float',
      })
    } catch (error) {
      throw new HelpdeskError({
        code: 'EMBEDDING_FAILED',
        category: 'THIRD_PARTY',
        message: `the embeddings endpoint failed (${this.fingerprint}): ${(error as Error).message}`,
        details: { fingerprint: this.fingerprint },
        cause: error,
      })
    }
    const vectors = [...response.data].sort((left, right) => left.index - right.index)
    if (vectors.length !== texts.length || vectors.some((each) => !Array.isArray(each.embedding))) {
      throw new HelpdeskError({
        code: 'EMBEDDING_FAILED',
        category: 'THIRD_PARTY',
        message: `the embeddings endpoint returned ${vectors.length} vectors for ${texts.length} texts`,
        details: { fingerprint: this.fingerprint },
      })
    }
    return vectors.map((each) => each.embedding)
  }
}
