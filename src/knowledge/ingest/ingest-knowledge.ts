import type { EmbeddingFunction } from '../../embeddings/embedding-function.ts'
import type { KnowledgeChunk } from '../knowledge-chunk.ts'
import type { VectorStore } from '../vector-store.ts'

export interface IngestReport {
  /** True when the collection was rebuilt because its embedding function changed. */
  reset: boolean
  added: number
  updated: number
  unchanged: number
  deleted: number
  total: number
  fingerprint: string
  durationMs: number
  /**
   * A shared collection (replicas) was left alone: it already held this revision (`current`),
   * or a newer one another replica indexed (`newer-elsewhere`). Nothing was embedded.
   */
  skipped?: 'current' | 'newer-elsewhere'
  /** A shared collection: the runbook revision it holds now. */
  markedRevision?: number
}

/** Embedding a few hundred short texts at once keeps remote endpoints within request limits. */
const EMBED_BATCH = 128

/**
 * Brings the store in line with the chunks: embeds and writes only what is new or changed (by
 * content hash) and deletes what no longer exists. Running it twice changes nothing the second
 * time.
 */
export async function ingestKnowledge(
  store: VectorStore,
  embedding: EmbeddingFunction,
  chunks: readonly KnowledgeChunk[],
): Promise<IngestReport> {
  const started = performance.now()
  const { reset } = await store.open(embedding.fingerprint)
  const stored = await store.listHashes()
  const changed: KnowledgeChunk[] = []
  let added = 0
  let updated = 0
  for (const chunk of chunks) {
    const hash = stored.get(chunk.id)
    if (hash === chunk.contentHash) continue
    changed.push(chunk)
    if (hash === undefined) added += 1
    else updated += 1
  }
  for (let start = 0; start < changed.length; start += EMBED_BATCH) {
    const batch = changed.slice(start, start + EMBED_BATCH)
    await store.upsert(batch, await embedding.embed(batch.map((chunk) => chunk.text)))
  }
  const wanted = new Set(chunks.map((chunk) => chunk.id))
  const stale = [...stored.keys()].filter((id) => !wanted.has(id))
  await store.delete(stale)
  return {
    reset,
    added,
    updated,
    unchanged: chunks.length - changed.length,
    deleted: stale.length,
    total: chunks.length,
    fingerprint: embedding.fingerprint,
    durationMs: Math.round(performance.now() - started),
  }
}
