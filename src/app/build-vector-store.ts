import { hostname } from 'node:os'
import path from 'node:path'
import type { HelpdeskConfig } from '../config/config-schema.ts'
import { ChromaVectorStore } from '../knowledge/chroma/chroma-vector-store.ts'
import { EmbeddedChromaServer } from '../knowledge/chroma/embedded-chroma-server.ts'
import { PostgresSharedIndex } from '../knowledge/shared/postgres-shared-index.ts'
import type { SharedIndex } from '../knowledge/shared/shared-index.ts'
import type { VectorStore } from '../knowledge/vector-store.ts'
import { meteredVectorStore } from '../observability/metrics.ts'
import type { PostgresDatabase } from '../store/postgres/postgres-database.ts'

/**
 * Where the runbook chunks live: Chroma at CHROMA_URL, or else an embedded Chroma server this
 * process starts (the single-machine default); and, for replicas, how they share it.
 * @module
 */

export interface VectorStoreChoice {
  store: VectorStore
  /** The embedded server this process started (stopped with the runtime). */
  chroma: EmbeddedChromaServer | undefined
  /** Where Chroma listens: CHROMA_URL, or the embedded server's address. */
  chromaUrl: string | undefined
}

/** @throws {HelpdeskError} CHROMA_RUNTIME_FAILED when the embedded server cannot start. */
export async function buildVectorStore(
  config: HelpdeskConfig,
  options: {
    log: (line: string) => void
    /** Tests and benchmarks may supply a store; otherwise Chroma is used. */
    store?: VectorStore
    sharedChroma?: 'use' | 'refuse'
  },
): Promise<VectorStoreChoice> {
  if (options.store) return { store: options.store, chroma: undefined, chromaUrl: undefined }
  let url = config.CHROMA_URL
  let chroma: EmbeddedChromaServer | undefined
  if (!url) {
    const dataDirectory = path.resolve(config.HELPDESK_DATA_DIR)
    chroma = new EmbeddedChromaServer({
      dataDirectory: path.join(dataDirectory, 'chroma'),
      runtimeCacheDirectory: path.resolve(
        config.CHROMA_RUNTIME_DIR ?? path.join(dataDirectory, 'runtime'),
      ),
      logFile: path.join(dataDirectory, 'chroma.log'),
      port: config.CHROMA_PORT,
      log: options.log,
      whenShared: options.sharedChroma ?? 'use',
    })
    options.log('starting the embedded Chroma server (CHROMA_URL is not set)')
    url = (await chroma.start()).url
    options.log(`embedded Chroma is listening on ${url}`)
  }
  const store = meteredVectorStore(
    new ChromaVectorStore({
      url,
      collectionName: config.CHROMA_COLLECTION,
      timeoutMs: config.CHROMA_TIMEOUT_MS,
    }),
  )
  return { store, chroma, chromaUrl: url }
}

/**
 * Replicas on one database (DATABASE_URL) sharing one Chroma (CHROMA_URL) index it in turn,
 * under a lock in that database, against the revision mark kept there. The embedded Chroma is
 * this process's own and needs none; neither does a server without a database.
 */
export function sharedIndexFor(
  config: Pick<HelpdeskConfig, 'CHROMA_URL' | 'CHROMA_COLLECTION'>,
  database: PostgresDatabase | undefined,
  log: (line: string) => void,
): SharedIndex | undefined {
  if (!config.CHROMA_URL || !database) return undefined
  const shared = new PostgresSharedIndex({
    database,
    collection: config.CHROMA_COLLECTION,
    holder: `${hostname()}:${process.pid}`,
    log,
  })
  log(
    `vector index: Chroma at ${new URL(config.CHROMA_URL).host} is shared by the replicas; ingest and re-indexing take turns under ${shared.description}`,
  )
  return shared
}
