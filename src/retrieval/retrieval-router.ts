import type { EmbeddingFunction } from '../embeddings/embedding-function.ts'
import { analyze } from '../embeddings/text-analysis.ts'
import { OUT_OF_SCOPE_PREFIX } from '../knowledge/ingest/chunk-instructions.ts'
import type { ChunkKind, ScoredChunk } from '../knowledge/knowledge-chunk.ts'
import type { VectorStore } from '../knowledge/vector-store.ts'
import { splitClauses } from './clause-splitter.ts'
import type { LexicalScorer } from './lexical-scorer.ts'
import type { RankedTask, RequestRouter, RouteDecision, RoutedPart } from './request-router.ts'

export interface RoutingTuning {
  /** Chunks fetched from the store per query. */
  candidates: number
  /** Below this score a request is out of scope. */
  threshold: number
  /**
   * Below this score a request must also stand clear of the runner-up by `ambiguityMargin`:
   * "what is the lunch menu" brushes two runbooks equally weakly, and that is not a match.
   */
  confidentScore: number
  ambiguityMargin: number
  /** Out of scope when the nearest out-of-scope example beats the best runbook by this much. */
  outOfScopeMargin: number
  /** A part of a compound request must reach this score to count as a request of its own. */
  partThreshold: number
  /** Weight of the best chunk against the mean of the best three, per task type. */
  bestWeight: number
  /** How much each kind of chunk counts; examples are the reference. */
  kindWeights: Readonly<Record<ChunkKind, number>>
  /** Share of the dense (Chroma) score in the final score; the rest is the lexical score. */
  denseWeight: number
  /** How many of the best dense task types the lexical stage re-scores. */
  rerankDepth: number
  /** A part of a compound request needs at least this many content words. */
  minimumPartTerms: number
  /**
   * A part's task joins a compound decision only if the whole message scores it at least this
   * fraction of its best task: fragments such as "tried 3 times" then cannot add a task alone.
   */
  compoundSupport: number
  /**
   * Within a part, its task must beat each task already taken from earlier parts by this much:
   * "I do know the password" inside a lockout message is about the lockout, not a second request.
   */
  partMargin: number
}

export const DEFAULT_ROUTING_TUNING: RoutingTuning = {
  candidates: 40,
  threshold: 0.13,
  outOfScopeMargin: 0,
  confidentScore: 0.25,
  ambiguityMargin: 0.015,
  partThreshold: 0.2,
  bestWeight: 0.6,
  kindWeights: { example: 1, keyword: 0.9, summary: 0.85, section: 0, step: 0, out_of_scope: 1 },
  denseWeight: 0.3,
  rerankDepth: 8,
  minimumPartTerms: 1,
  compoundSupport: 0.55,
  partMargin: 0.25,
}

const RANKED_LIMIT = 5

interface ClassScores {
  ranked: RankedTask[]
  /** Every candidate task type's score, unrounded. */
  all: ReadonlyMap<string, number>
  outOfScope: { score: number; topic: string | undefined }
}

/**
 * Routes in two stages: nearest neighbours in the vector store (Chroma) pick the candidate task
 * types, then an in-process TF-IDF scorer re-scores them; compound requests are split into parts
 * that are routed the same way.
 */
export class RetrievalRouter implements RequestRouter {
  private readonly store: VectorStore
  private readonly embedding: EmbeddingFunction
  private readonly lexical: LexicalScorer | undefined
  readonly tuning: RoutingTuning

  constructor(options: {
    store: VectorStore
    embedding: EmbeddingFunction
    /** Without it, routing uses the dense scores alone. */
    lexical?: LexicalScorer
    tuning?: Partial<RoutingTuning>
  }) {
    this.store = options.store
    this.embedding = options.embedding
    this.lexical = options.lexical
    this.tuning = { ...DEFAULT_ROUTING_TUNING, ...options.tuning }
  }

  async route(text: string): Promise<RouteDecision> {
    const clauses = splitClauses(text).filter(
      (clause) => analyze(clause).terms.length >= this.tuning.minimumPartTerms,
    )
    const texts = clauses.length >= 2 ? [text, ...clauses] : [text]
    const vectors = await this.embedding.embed(texts)
    // No kind filter on the server: local Chroma pre-filters metadata by brute force, which
    // cost ~6 ms a query; prose sections weigh 0 below and are dropped here instead.
    const hits = await this.store.query(vectors, { limit: this.tuning.candidates })
    const whole = this.scoreClasses(text, hits[0] ?? [])
    const single = this.decide(whole)
    if (clauses.length >= 2) {
      const routed = clauses.map((clause, index) => this.routePart(clause, hits[index + 1] ?? []))
      const tasks = this.compoundTasks(whole, routed)
      const parts = routed.map((each) => each.part)
      if (tasks.length >= 2) return { tasks, ranked: whole.ranked, parts }
    }
    return {
      tasks: single.taskType ? [single.taskType] : [],
      ranked: whole.ranked,
      ...(single.taskType ? {} : { outOfScopeTopic: whole.outOfScope.topic }),
    }
  }

  private routePart(
    text: string,
    hits: readonly ScoredChunk[],
  ): { part: RoutedPart; scores: ClassScores } {
    const scores = this.scoreClasses(text, hits)
    const decision = this.decide(scores)
    const confident = decision.taskType !== undefined && decision.score >= this.tuning.partThreshold
    return {
      part: { text, taskType: confident ? decision.taskType : undefined, score: decision.score },
      scores,
    }
  }

  /** The distinct requests of a compound message, in the order they were made. */
  private compoundTasks(
    whole: ClassScores,
    routed: ReadonlyArray<{ part: RoutedPart; scores: ClassScores }>,
  ): string[] {
    const best = whole.ranked[0]?.score ?? 0
    const tasks: string[] = []
    for (const { part, scores } of routed) {
      const taskType = part.taskType
      if (!taskType || tasks.includes(taskType)) continue
      if ((whole.all.get(taskType) ?? 0) < this.tuning.compoundSupport * best) continue
      const own = scores.all.get(taskType) ?? 0
      if (tasks.every((taken) => own - (scores.all.get(taken) ?? 0) >= this.tuning.partMargin))
        tasks.push(taskType)
    }
    return tasks
  }

  private decide(scores: ClassScores): { taskType: string | undefined; score: number } {
    const best = scores.ranked[0]
    if (!best || best.score < this.tuning.threshold) {
      return { taskType: undefined, score: best?.score ?? 0 }
    }
    const runnerUp = scores.ranked[1]?.score ?? 0
    if (
      best.score < this.tuning.confidentScore &&
      best.score - runnerUp < this.tuning.ambiguityMargin
    ) {
      return { taskType: undefined, score: best.score }
    }
    if (scores.outOfScope.score > best.score + this.tuning.outOfScopeMargin) {
      return { taskType: undefined, score: best.score }
    }
    return { taskType: best.taskType, score: best.score }
  }

  private scoreClasses(text: string, hits: readonly ScoredChunk[]): ClassScores {
    const dense = new Map<string, number[]>()
    for (const { chunk, similarity } of hits) {
      const weight = this.tuning.kindWeights[chunk.kind]
      if (weight <= 0) continue
      const list = dense.get(chunk.taskType) ?? []
      list.push(similarity * weight)
      dense.set(chunk.taskType, list)
    }
    let scored = [...dense].map(([taskType, similarities]) => ({
      taskType,
      score: this.combine(similarities),
    }))
    scored.sort((left, right) => right.score - left.score)
    if (this.lexical) {
      const candidates = scored.slice(0, this.tuning.rerankDepth)
      // Every out-of-scope topic near the request is a candidate too, however deep it ranks.
      for (const each of scored.slice(this.tuning.rerankDepth)) {
        if (each.taskType.startsWith(OUT_OF_SCOPE_PREFIX)) candidates.push(each)
      }
      const lexical = this.lexical.similarities(
        text,
        candidates.map((each) => each.taskType),
      )
      const weight = this.tuning.denseWeight
      scored = candidates.map(({ taskType, score }) => ({
        taskType,
        score: weight * score + (1 - weight) * this.combine(lexical.get(taskType) ?? []),
      }))
      scored.sort((left, right) => right.score - left.score)
    }
    const inScope = scored.filter((each) => !each.taskType.startsWith(OUT_OF_SCOPE_PREFIX))
    const outOfScope = scored.find((each) => each.taskType.startsWith(OUT_OF_SCOPE_PREFIX))
    return {
      all: new Map(inScope.map((each) => [each.taskType, each.score])),
      ranked: inScope
        .slice(0, RANKED_LIMIT)
        .map((each) => ({ taskType: each.taskType, score: round(each.score) })),
      outOfScope: {
        score: outOfScope?.score ?? 0,
        topic: outOfScope?.taskType.slice(OUT_OF_SCOPE_PREFIX.length),
      },
    }
  }

  /** Best match blended with the mean of the best three: one lucky example is not enough. */
  private combine(similarities: number[]): number {
    const sorted = [...similarities].sort((left, right) => right - left)
    const mean = ((sorted[0] ?? 0) + (sorted[1] ?? 0) + (sorted[2] ?? 0)) / 3
    const score = this.tuning.bestWeight * (sorted[0] ?? 0) + (1 - this.tuning.bestWeight) * mean
    return Math.max(0, Math.min(1, score))
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}
