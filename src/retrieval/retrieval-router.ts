import type { EmbeddingFunction } from '../embeddings/embedding-function.ts'
import { OUT_OF_SCOPE_PREFIX } from '../knowledge/ingest/chunk-instructions.ts'
import {
  type ChunkKind,
  ROUTING_CHUNK_KINDS,
  type ScoredChunk,
} from '../knowledge/knowledge-chunk.ts'
import type { VectorStore } from '../knowledge/vector-store.ts'
import { splitClauses } from './clause-splitter.ts'
import type { RankedTask, RequestRouter, RouteDecision, RoutedPart } from './request-router.ts'

export interface RoutingTuning {
  /** Chunks fetched from the store per query. */
  candidates: number
  /** Below this score a request is out of scope. */
  threshold: number
  /** Out of scope when the nearest out-of-scope example beats the best runbook by this much. */
  outOfScopeMargin: number
  /** A part of a compound request must reach this score to count as a request of its own. */
  partThreshold: number
  /** Weight of the best chunk against the mean of the best three, per task type. */
  bestWeight: number
  /** How much each kind of chunk counts; examples are the reference. */
  kindWeights: Readonly<Record<ChunkKind, number>>
}

export const DEFAULT_ROUTING_TUNING: RoutingTuning = {
  candidates: 48,
  threshold: 0.3,
  outOfScopeMargin: 0,
  partThreshold: 0.38,
  bestWeight: 0.6,
  kindWeights: { example: 1, keyword: 0.9, summary: 0.85, section: 0, out_of_scope: 1 },
}

const OUT_OF_SCOPE = 'out_of_scope'
const RANKED_LIMIT = 5

interface ClassScores {
  ranked: RankedTask[]
  outOfScope: { score: number; topic: string | undefined }
}

/** Routes by nearest neighbours in the vector store, then splits compound requests into parts. */
export class RetrievalRouter implements RequestRouter {
  private readonly store: VectorStore
  private readonly embedding: EmbeddingFunction
  readonly tuning: RoutingTuning

  constructor(options: {
    store: VectorStore
    embedding: EmbeddingFunction
    tuning?: Partial<RoutingTuning>
  }) {
    this.store = options.store
    this.embedding = options.embedding
    this.tuning = { ...DEFAULT_ROUTING_TUNING, ...options.tuning }
  }

  async route(text: string): Promise<RouteDecision> {
    const clauses = splitClauses(text)
    const texts = clauses.length >= 2 ? [text, ...clauses] : [text]
    const vectors = await this.embedding.embed(texts)
    const hits = await this.store.query(vectors, {
      limit: this.tuning.candidates,
      kinds: ROUTING_CHUNK_KINDS,
    })
    const whole = this.scoreClasses(hits[0] ?? [])
    const single = this.decide(whole)
    if (clauses.length >= 2) {
      const parts = clauses.map((clause, index) => this.routePart(clause, hits[index + 1] ?? []))
      const tasks = distinctTasks(parts)
      if (tasks.length >= 2) return { tasks, ranked: whole.ranked, parts }
    }
    return {
      tasks: single.taskType ? [single.taskType] : [],
      ranked: whole.ranked,
      ...(single.taskType ? {} : { outOfScopeTopic: whole.outOfScope.topic }),
    }
  }

  private routePart(text: string, hits: readonly ScoredChunk[]): RoutedPart {
    const scores = this.scoreClasses(hits)
    const decision = this.decide(scores)
    const confident = decision.taskType !== undefined && decision.score >= this.tuning.partThreshold
    return { text, taskType: confident ? decision.taskType : undefined, score: decision.score }
  }

  private decide(scores: ClassScores): { taskType: string | undefined; score: number } {
    const best = scores.ranked[0]
    if (!best || best.score < this.tuning.threshold) {
      return { taskType: undefined, score: best?.score ?? 0 }
    }
    if (scores.outOfScope.score > best.score + this.tuning.outOfScopeMargin) {
      return { taskType: undefined, score: best.score }
    }
    return { taskType: best.taskType, score: best.score }
  }

  private scoreClasses(hits: readonly ScoredChunk[]): ClassScores {
    const byClass = new Map<string, number[]>()
    let topic: string | undefined
    let topicScore = -1
    for (const { chunk, similarity } of hits) {
      const weight = this.tuning.kindWeights[chunk.kind]
      if (weight <= 0) continue
      const outOfScope = chunk.taskType.startsWith(OUT_OF_SCOPE_PREFIX)
      const key = outOfScope ? OUT_OF_SCOPE : chunk.taskType
      const weighted = similarity * weight
      if (outOfScope && weighted > topicScore) {
        topicScore = weighted
        topic = chunk.taskType.slice(OUT_OF_SCOPE_PREFIX.length)
      }
      const list = byClass.get(key) ?? []
      list.push(weighted)
      byClass.set(key, list)
    }
    const scored: RankedTask[] = []
    let outOfScopeScore = 0
    for (const [key, similarities] of byClass) {
      const score = this.combine(similarities)
      if (key === OUT_OF_SCOPE) outOfScopeScore = score
      else scored.push({ taskType: key, score })
    }
    scored.sort((left, right) => right.score - left.score)
    return {
      ranked: scored.slice(0, RANKED_LIMIT).map((each) => ({ ...each, score: round(each.score) })),
      outOfScope: { score: outOfScopeScore, topic },
    }
  }

  private combine(similarities: number[]): number {
    const sorted = similarities.sort((left, right) => right - left)
    const best = sorted[0] ?? 0
    const mean = ((sorted[0] ?? 0) + (sorted[1] ?? 0) + (sorted[2] ?? 0)) / 3
    const score = this.tuning.bestWeight * best + (1 - this.tuning.bestWeight) * mean
    return Math.max(0, Math.min(1, score))
  }
}

function distinctTasks(parts: readonly RoutedPart[]): string[] {
  const tasks: string[] = []
  for (const part of parts) {
    if (part.taskType && !tasks.includes(part.taskType)) tasks.push(part.taskType)
  }
  return tasks
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}
