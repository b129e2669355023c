/** What a stored chunk is: a way to ask for the task (example, keyword), or prose about it. */
export const CHUNK_KINDS = [
  'example',
  'keyword',
  'summary',
  'section',
  'step',
  'out_of_scope',
] as const
export type ChunkKind = (typeof CHUNK_KINDS)[number]

/** One unit of runbook knowledge, embedded and stored in the vector store. */
export interface KnowledgeChunk {
  /** Content-addressed: the same text of the same runbook keeps its id across re-ingests. */
  id: string
  /** Runbook id, or `out_of_scope:<topic>` for known out-of-scope requests. */
  taskType: string
  kind: ChunkKind
  text: string
  /** Hash of text and metadata; an unchanged hash means nothing to re-embed. */
  contentHash: string
  /** The runbook file the chunk came from (or the out-of-scope file). */
  source: string
  /** For sections: the heading; for steps: the action id. */
  heading?: string
}

export interface ScoredChunk {
  chunk: KnowledgeChunk
  /** Cosine similarity in [-1, 1]; 1 is identical. */
  similarity: number
}
