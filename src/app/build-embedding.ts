import type { HelpdeskConfig } from '../config/config-schema.ts'
import type { EmbeddingFunction } from '../embeddings/embedding-function.ts'
import { HashingEmbeddingFunction } from '../embeddings/hashing-embedding-function.ts'
import { OpenAiEmbeddingFunction } from '../embeddings/openai-embedding-function.ts'

/** Chooses the embedding function from configuration; the only place that knows them all. */
export function buildEmbedding(config: HelpdeskConfig): EmbeddingFunction {
  if (config.EMBEDDING_PROVIDER === 'openai') {
    return new OpenAiEmbeddingFunction({
      baseUrl: config.EMBEDDING_BASE_URL ?? '',
      model: config.EMBEDDING_MODEL ?? '',
      apiKey: config.EMBEDDING_API_KEY ?? '',
      apiKeyVariable: 'EMBEDDING_API_KEY',
    })
  }
  return new HashingEmbeddingFunction()
}
