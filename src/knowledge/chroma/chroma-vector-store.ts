import { ChromaClient, type Collection, type Metadata } from 'chromadb'
import { HelpdeskError, isHelpdeskError } from '../../errors/index.ts'
import { chunkIdentity } from '../ingest/chunk-instructions.ts'
import type { ChunkKind, KnowledgeChunk, ScoredChunk } from '../knowledge-chunk.ts'
import type { QueryOptions, VectorStore } from '../vector-store.ts'

export interface ChromaVectorStoreOptions {
  /** e.g. http://127.0.0.1:8000 */
  url: string
  collectionName: string
  /** How long a read may take (writes: six times as long). Default 5000 ms. */
  timeoutMs?: number
}

const FINGERPRINT_KEY = 'embedding_fingerprint'
/** Chroma caps a request's size; batches keep large ingests under it. */
const WRITE_BATCH = 256
const WRITE_FACTOR = 6

/** The product's vector store: a real Chroma server (embedded or at CHROMA_URL). */
export class ChromaVectorStore implements VectorStore {
  readonly id = 'chroma'
  private readonly client: ChromaClient
  private readonly options: ChromaVectorStoreOptions
  private collection: Collection | undefined
  private fingerprint: string | undefined
  private readonly timeoutMs: number

  constructor(options: ChromaVectorStoreOptions) {
    this.options = options
    this.timeoutMs = options.timeoutMs ?? 5000
    const url = new URL(options.url)
    this.client = new ChromaClient({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      ssl: url.protocol === 'https:',
    })
  }

  async open(fingerprint: string): Promise<{ reset: boolean }> {
    return this.call('open the collection', this.timeoutMs * WRITE_FACTOR, async () => {
      this.fingerprint = fingerprint
      const existing = await this.getOrCreate()
      const stored = existing.metadata?.[FINGERPRINT_KEY]
      if (stored === fingerprint) return { reset: false }
      if (stored !== undefined || (await existing.count()) > 0) {
        // Vectors from another embedding function are meaningless next to ours: start over.
        await this.client.deleteCollection({ name: this.options.collectionName })
        this.collection = undefined
        await this.getOrCreate()
        return { reset: true }
      }
      await existing.modify({ metadata: { ...existing.metadata, [FINGERPRINT_KEY]: fingerprint } })
      return { reset: false }
    })
  }

  async listHashes(): Promise<Map<string, string>> {
    return this.call('list stored chunks', this.timeoutMs * WRITE_FACTOR, async () => {
      const result = await (await this.getOrCreate()).get({ include: ['metadatas'] })
      const hashes = new Map<string, string>()
      result.ids.forEach((id, index) => {
        const hash = result.metadatas[index]?.contentHash
        hashes.set(id, typeof hash === 'string' ? hash : '')
      })
      return hashes
    })
  }

  async upsert(chunks: readonly KnowledgeChunk[], embeddings: readonly number[][]): Promise<void> {
    const batches = Math.ceil(chunks.length / WRITE_BATCH)
    await this.call('write chunks', this.timeoutMs * WRITE_FACTOR * batches, async () => {
      const collection = await this.getOrCreate()
      for (let start = 0; start < chunks.length; start += WRITE_BATCH) {
        const batch = chunks.slice(start, start + WRITE_BATCH)
        await collection.upsert({
          ids: batch.map((chunk) => chunk.id),
          embeddings: embeddings.slice(start, start + WRITE_BATCH).map((vector) => [...vector]),
          documents: batch.map((chunk) => chunk.text),
          metadatas: batch.map(toMetadata),
        })
      }
    })
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return
    const batches = Math.ceil(ids.length / WRITE_BATCH)
    await this.call('delete chunks', this.timeoutMs * WRITE_FACTOR * batches, async () => {
      const collection = await this.getOrCreate()
      for (let start = 0; start < ids.length; start += WRITE_BATCH) {
        await collection.delete({ ids: ids.slice(start, start + WRITE_BATCH) })
      }
    })
  }

  async query(embeddings: readonly number[][], options: QueryOptions): Promise<ScoredChunk[][]> {
    if (embeddings.length === 0) return []
    return this.call('query', this.timeoutMs, async () => {
      const result = await (await this.getOrCreate()).query({
        queryEmbeddings: embeddings.map((vector) => [...vector]),
        nResults: options.limit,
        ...(options.kinds ? { where: { kind: { $in: [...options.kinds] } } } : {}),
        include: options.identityOnly ? ['distances'] : ['documents', 'metadatas', 'distances'],
      })
      return result.rows().map((rows) =>
        rows.map((row) => ({
          chunk: options.identityOnly
            ? fromIdentity(row.id)
            : fromMetadata(row.id, row.document ?? '', row.metadata ?? {}),
          // Cosine space: distance = 1 - cosine similarity.
          similarity: 1 - (row.distance ?? 1),
        })),
      )
    })
  }

  async count(): Promise<number> {
    return this.call('count chunks', this.timeoutMs, async () => (await this.getOrCreate()).count())
  }

  async ping(): Promise<void> {
    await this.call('reach the server', this.timeoutMs, async () => {
      await this.client.heartbeat()
    })
  }

  private async getOrCreate(): Promise<Collection> {
    if (this.collection) return this.collection
    this.collection = await this.client.getOrCreateCollection({
      name: this.options.collectionName,
      embeddingFunction: null,
      configuration: { hnsw: { space: 'cosine' } },
      metadata: this.fingerprint
        ? { [FINGERPRINT_KEY]: this.fingerprint }
        : { purpose: 'helpdesk' },
    })
    return this.collection
  }

  /**
   * One call to Chroma, bounded by `limitMs` (a frozen server must not hold a turn or `/readyz`;
   * the abandoned request ends when the connection does). A timeout is not retried.
   */
  private async call<T>(what: string, limitMs: number, work: () => Promise<T>): Promise<T> {
    try {
      return await this.bounded(what, limitMs, work)
    } catch (first) {
      if (isHelpdeskError(first)) throw first
      if (this.collection === undefined) throw this.unavailable(what, first)
      // A restarted or wiped server invalidates the cached handle: resolve it once more.
      this.collection = undefined
    }
    try {
      return await this.bounded(what, limitMs, work)
    } catch (error) {
      if (isHelpdeskError(error)) throw error
      this.collection = undefined
      throw this.unavailable(what, error)
    }
  }

  private async bounded<T>(what: string, limitMs: number, work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new HelpdeskError({
            code: 'KNOWLEDGE_STORE_UNAVAILABLE',
            category: 'THIRD_PARTY',
            message: `Chroma at ${this.options.url} did not answer within ${limitMs} ms (could not ${what})`,
            details: { url: this.options.url, timeoutMs: limitMs },
          }),
        )
      }, limitMs)
    })
    try {
      return await Promise.race([work(), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  private unavailable(what: string, error: unknown): HelpdeskError {
    return new HelpdeskError({
      code: 'KNOWLEDGE_STORE_UNAVAILABLE',
      category: 'THIRD_PARTY',
      message: `Chroma at ${this.options.url} could not ${what}: ${(error as Error).message}`,
      details: { url: this.options.url, collection: this.options.collectionName },
      cause: error,
    })
  }
}

function toMetadata(chunk: KnowledgeChunk): Metadata {
  return {
    taskType: chunk.taskType,
    kind: chunk.kind,
    contentHash: chunk.contentHash,
    source: chunk.source,
    ...(chunk.heading ? { heading: chunk.heading } : {}),
  }
}

/** A chunk known by its id alone (`taskType:kind:hash`, see chunk-instructions.ts). */
function fromIdentity(id: string): KnowledgeChunk {
  const identity = chunkIdentity(id)
  return {
    id,
    text: '',
    // An id of another scheme is a chunk no vote counts: a prose section of no task.
    taskType: identity?.taskType ?? '',
    kind: identity?.kind ?? 'section',
    contentHash: '',
    source: '',
  }
}

function fromMetadata(id: string, text: string, metadata: Metadata): KnowledgeChunk {
  const text_ = (key: string) =>
    typeof metadata[key] === 'string' ? (metadata[key] as string) : ''
  return {
    id,
    text,
    taskType: text_('taskType'),
    kind: text_('kind') as ChunkKind,
    contentHash: text_('contentHash'),
    source: text_('source'),
    ...(text_('heading') ? { heading: text_('heading') } : {}),
  }
}
