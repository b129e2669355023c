import type { KnowledgeChunk, ScoredChunk } from './knowledge-chunk.ts'
import type { QueryOptions, VectorStore } from './vector-store.ts'

/** Exact cosine search over an in-process map. The reference implementation of `VectorStore`. */
export class MemoryVectorStore implements VectorStore {
  readonly id = 'memory'
  private fingerprint: string | undefined
  private readonly entries = new Map<string, { chunk: KnowledgeChunk; vector: number[] }>()

  async open(fingerprint: string): Promise<{ reset: boolean }> {
    const reset = this.fingerprint !== undefined && this.fingerprint !== fingerprint
    if (reset) this.entries.clear()
    this.fingerprint = fingerprint
    return { reset }
  }

  async listHashes(): Promise<Map<string, string>> {
    return new Map([...this.entries].map(([id, entry]) => [id, entry.chunk.contentHash]))
  }

  async upsert(chunks: readonly KnowledgeChunk[], embeddings: readonly number[][]): Promise<void> {
    chunks.forEach((chunk, index) => {
      this.entries.set(chunk.id, { chunk, vector: normalise(embeddings[index] ?? []) })
    })
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.entries.delete(id)
  }

  async query(embeddings: readonly number[][], options: QueryOptions): Promise<ScoredChunk[][]> {
    const kinds = options.kinds ? new Set(options.kinds) : undefined
    return embeddings.map((embedding) => {
      const query = normalise(embedding)
      const scored: ScoredChunk[] = []
      for (const { chunk, vector } of this.entries.values()) {
        if (kinds && !kinds.has(chunk.kind)) continue
        scored.push({ chunk, similarity: dot(query, vector) })
      }
      return scored
        .sort((left, right) => right.similarity - left.similarity)
        .slice(0, options.limit)
    })
  }

  async count(): Promise<number> {
    return this.entries.size
  }

  async ping(): Promise<void> {}
}

function dot(left: readonly number[], right: readonly number[]): number {
  let sum = 0
  for (let index = 0; index < left.length; index += 1)
    sum += (left[index] ?? 0) * (right[index] ?? 0)
  return sum
}

function normalise(vector: readonly number[]): number[] {
  const norm = Math.sqrt(dot(vector, vector))
  return norm === 0 ? [...vector] : vector.map((value) => value / norm)
}
