import path from 'node:path'
import type { EmbeddingFunction } from '../embeddings/embedding-function.ts'
import { isHelpdeskError } from '../errors/index.ts'
import { chunkKnowledge } from './ingest/chunk-instructions.ts'
import { type IngestReport, ingestKnowledge } from './ingest/ingest-knowledge.ts'
import type { Instruction } from './instructions/instruction.ts'
import { loadInstructions } from './instructions/instruction-loader.ts'
import { loadOutOfScopeTopics, type OutOfScopeTopic } from './out-of-scope.ts'
import type { IndexMark, SharedIndex } from './shared/shared-index.ts'
import type { VectorStore } from './vector-store.ts'

/** The files the knowledge base is built from, loaded and validated. */
export interface KnowledgeSources {
  instructions: readonly Instruction[]
  outOfScope: readonly OutOfScopeTopic[]
  outOfScopeFile: string
  /** The runbook store's revision these were read at (sources from the store only). */
  revision?: number
}

/**
 * Loads and validates every runbook and the out-of-scope file.
 * @throws {HelpdeskError} INVALID_INSTRUCTION naming each file, field and reason.
 */
export async function loadKnowledgeSources(options: {
  instructionsDirectory: string
  outOfScopeFile: string
}): Promise<KnowledgeSources> {
  const [instructions, outOfScope] = await Promise.all([
    loadInstructions(options.instructionsDirectory),
    loadOutOfScopeTopics(options.outOfScopeFile),
  ])
  return { instructions, outOfScope, outOfScopeFile: options.outOfScopeFile }
}

export interface Readiness {
  ready: boolean
  checks: { store: 'ok' | string; ingested: 'ok' | string }
}

/**
 * The runbooks, the out-of-scope topics and the store that indexes them, kept in step. The
 * instruction and hand-off maps are the same objects for the life of the process (the core, the
 * approvals and the answers hold them); `replaceSources` changes their contents in place, so an
 * edit is seen by all of them at once.
 */
export class KnowledgeBase {
  readonly instructions: ReadonlyMap<string, Instruction>
  readonly store: VectorStore
  readonly embedding: EmbeddingFunction
  private readonly instructionMap: Map<string, Instruction>
  private readonly handoffMap = new Map<string, string>()
  private topics: readonly OutOfScopeTopic[]
  private outOfScopeFile: string
  private ingestedCount = 0
  private lastReport: IngestReport | undefined
  private ingesting: Promise<IngestReport> | undefined
  private revision: number | undefined
  private readonly shared: SharedIndex | undefined

  /**
   * @param parts.shared the collection is shared with other replicas (CHROMA_URL and
   *   DATABASE_URL): every ingest then runs under its lock and against its mark (see `ingest`).
   */
  constructor(
    parts: KnowledgeSources & {
      store: VectorStore
      embedding: EmbeddingFunction
      shared?: SharedIndex
    },
  ) {
    this.revision = parts.revision
    this.shared = parts.shared
    this.instructionMap = new Map(parts.instructions.map((each) => [each.id, each]))
    this.instructions = this.instructionMap
    this.topics = parts.outOfScope
    for (const topic of this.topics) this.handoffMap.set(topic.topic, topic.handoff)
    this.outOfScopeFile = parts.outOfScopeFile
    this.store = parts.store
    this.embedding = parts.embedding
  }

  /** The report of the last ingest run, if any. */
  get lastIngest(): IngestReport | undefined {
    return this.lastReport
  }

  get outOfScope(): readonly OutOfScopeTopic[] {
    return this.topics
  }

  /** Where each out-of-scope topic is handed off to; the same map as the sources change. */
  get handoffs(): ReadonlyMap<string, string> {
    return this.handoffMap
  }

  /**
   * Puts another set of runbooks and topics in place (an edit in the instruction manager). The
   * vector store follows on the next `ingest`, which writes only the chunks that changed.
   */
  replaceSources(sources: Partial<KnowledgeSources>): void {
    if (sources.instructions) {
      this.instructionMap.clear()
      for (const each of sources.instructions) this.instructionMap.set(each.id, each)
    }
    if (sources.outOfScope) {
      this.topics = sources.outOfScope
      this.handoffMap.clear()
      for (const topic of this.topics) this.handoffMap.set(topic.topic, topic.handoff)
    }
    if (sources.outOfScopeFile) this.outOfScopeFile = sources.outOfScopeFile
    if (sources.revision !== undefined) this.revision = sources.revision
  }

  /**
   * Brings the store in line with the sources as they are now: a run already going (which may
   * have read the sources before a change) is waited for, then a new one starts.
   */
  async reingest(): Promise<IngestReport> {
    await this.ingesting?.catch(() => undefined)
    return this.ingest()
  }

  /**
   * Idempotent: writes only what changed. Concurrent calls share one run. With a shared
   * collection the run holds its lock, and the mark the last writer left decides: a collection
   * that already holds this revision (and all its chunks) is left alone, nothing embedded; one
   * that holds a newer revision than this process has read is left alone too (this process
   * catches up on its next refresh, and must not put its older set back); otherwise the changed
   * chunks are written and the mark moved to this revision.
   */
  async ingest(): Promise<IngestReport> {
    this.ingesting ??= (async () => {
      try {
        const report = this.shared
          ? await this.shared.exclusive((mark) => this.ingestShared(mark))
          : await ingestKnowledge(this.store, this.embedding, this.chunks())
        this.ingestedCount = report.total
        this.lastReport = report
        return report
      } finally {
        this.ingesting = undefined
      }
    })()
    return this.ingesting
  }

  private chunks() {
    return chunkKnowledge(
      [...this.instructions.values()],
      this.outOfScope,
      path.relative(process.cwd(), this.outOfScopeFile) || this.outOfScopeFile,
    )
  }

  private async ingestShared(
    mark: IndexMark | undefined,
  ): Promise<{ result: IngestReport; mark?: IndexMark }> {
    const started = performance.now()
    const chunks = this.chunks()
    const revision = this.revision
    const fingerprint = this.embedding.fingerprint
    if (mark && revision !== undefined && mark.fingerprint === fingerprint) {
      const left = (skipped: 'current' | 'newer-elsewhere', total: number): IngestReport => ({
        reset: false,
        added: 0,
        updated: 0,
        unchanged: total,
        deleted: 0,
        total,
        fingerprint,
        durationMs: Math.round(performance.now() - started),
        skipped,
        markedRevision: mark.revision,
      })
      await this.store.open(fingerprint)
      if (mark.revision > revision) return { result: left('newer-elsewhere', mark.chunks) }
      if (mark.revision === revision) {
        // A wiped or replaced Chroma holds fewer: then it is written again below.
        if ((await this.store.count()) === chunks.length)
          return { result: left('current', chunks.length) }
      }
    }
    const report = await ingestKnowledge(this.store, this.embedding, chunks)
    return {
      result: { ...report, ...(revision !== undefined ? { markedRevision: revision } : {}) },
      ...(revision !== undefined ? { mark: { revision, fingerprint, chunks: chunks.length } } : {}),
    }
  }

  /**
   * Ready when the store answers and holds every chunk. A store that lost its data (a wiped or
   * replaced Chroma) is re-ingested here, so readiness recovers by itself.
   */
  async readiness(): Promise<Readiness> {
    try {
      await this.store.ping()
    } catch (error) {
      const reason = isHelpdeskError(error) ? error.message : String(error)
      return { ready: false, checks: { store: reason, ingested: 'unknown: store unreachable' } }
    }
    try {
      const count = await this.store.count()
      if (this.ingestedCount === 0 || count < this.ingestedCount) await this.ingest()
      // Ready means a turn's query answers: after a restart Chroma loads the index on the first
      // query, which can outlast a turn's limit on a busy machine while ping and count are quick.
      await this.store.query(await this.embedding.embed(['readiness']), {
        limit: 1,
        identityOnly: true,
      })
      return { ready: true, checks: { store: 'ok', ingested: 'ok' } }
    } catch (error) {
      const reason = isHelpdeskError(error) ? error.message : String(error)
      return { ready: false, checks: { store: 'ok', ingested: reason } }
    }
  }
}
