import type { ChunkKind, KnowledgeChunk, ScoredChunk } from './knowledge-chunk.ts'

/**
 * Where embedded runbook chunks live. Implementations: `ChromaVectorStore` (a real Chroma server,
 * the product default) and `MemoryVectorStore` (exact search in process, the reference for the
 * contract suite and for unit tests).
 *
 * Contract:
 * - `open(fingerprint)` must be called first. If the collection was built by another embedding
 *   fingerprint it is emptied and `{ reset: true }` is returned, so vectors of two embedding
 *   functions are never mixed.
 * - `upsert` is idempotent: writing the same chunk twice leaves one copy.
 * - `query` returns, for each query vector, up to `limit` chunks ordered by descending
 *   similarity, restricted to `kinds` when given; with `identityOnly` each chunk's id, task type
 *   and kind are still right.
 * - Every method fails with HelpdeskError `KNOWLEDGE_STORE_UNAVAILABLE` when the backend cannot
 *   be reached, never with a raw client error.
 */
export interface QueryOptions {
  limit: number
  kinds?: readonly ChunkKind[]
  /**
   * Only each hit's id, task type and kind are needed (the router's vote): a store may then skip
   * reading texts and metadata and leave `text`, `contentHash` and `source` empty. Sending the
   * metadata of 40 hits was about a third of a Chroma query's time.
   */
  identityOnly?: boolean
}

export interface VectorStore {
  readonly id: string
  /** @throws {HelpdeskError} KNOWLEDGE_STORE_UNAVAILABLE */
  open(fingerprint: string): Promise<{ reset: boolean }>
  /** Stored chunk ids with their content hashes. @throws {HelpdeskError} KNOWLEDGE_STORE_UNAVAILABLE */
  listHashes(): Promise<Map<string, string>>
  /** @throws {HelpdeskError} KNOWLEDGE_STORE_UNAVAILABLE */
  upsert(chunks: readonly KnowledgeChunk[], embeddings: readonly number[][]): Promise<void>
  /** @throws {HelpdeskError} KNOWLEDGE_STORE_UNAVAILABLE */
  delete(ids: readonly string[]): Promise<void>
  /** @throws {HelpdeskError} KNOWLEDGE_STORE_UNAVAILABLE */
  query(embeddings: readonly number[][], options: QueryOptions): Promise<ScoredChunk[][]>
  /** @throws {HelpdeskError} KNOWLEDGE_STORE_UNAVAILABLE */
  count(): Promise<number>
  /** Resolves when the backend answers. @throws {HelpdeskError} KNOWLEDGE_STORE_UNAVAILABLE */
  ping(): Promise<void>
}
