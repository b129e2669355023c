import type { EmbeddingFunction } from '../embeddings/embedding-function.ts'
import { analyze } from '../embeddings/text-analysis.ts'
import { OUT_OF_SCOPE_PREFIX } from '../knowledge/ingest/chunk-instructions.ts'
import type { ChunkKind, ScoredChunk } from '../knowledge/knowledge-chunk.ts'
import type { VectorStore } from '../knowledge/vector-store.ts'
import {
  type ClauseGate,
  type ClauseSignals,
  checkedGate,
  DEFAULT_CLAUSE_GATE,
  gateProbability,
} from './clause-gate.ts'
import {
  type Clause as MarkedClause,
  splitMarkedClauses,
  withoutNoProblem,
} from './clause-splitter.ts'
import { softmaxInPlace } from './intent-classifier.ts'
import type { RankedTask, RequestRouter, RouteDecision, RoutedPart } from './request-router.ts'
import type { ClassProbabilities, RoutingModel } from './routing-model.ts'

export interface RoutingTuning {
  /** Chunks fetched from the store per query. */
  candidates: number
  /** Chunks fetched per clause of a compound message. */
  clauseCandidates: number
  /** Below this probability for its best task type a request is out of scope. */
  threshold: number
  /** A clause must reach this probability for its best task to be considered at all. */
  partThreshold: number
  /** Whether a clause is a request of its own (see clause-gate.ts). */
  gate: ClauseGate
  /**
   * How much the nearest Chroma neighbour of each class (a similarity in [0, 1]) adds to the
   * classifier's calibrated logit: retrieval votes for the class whose wording is closest.
   */
  denseWeight: number
  /**
   * The same vote for each clause of a compound message (its nearest chunks come in the whole
   * message's one query): a short clause's own words are few, its closest examples say more.
   */
  clauseDenseWeight: number
  /** How much each kind of chunk counts in that vote; prose sections and steps do not. */
  kindWeights: Readonly<Record<ChunkKind, number>>
  /** A part of a compound request needs at least this many content words. */
  minimumPartTerms: number
  /** Clauses are also cut at every comma (not only before a request). */
  splitAtCommas: boolean
}

export const DEFAULT_ROUTING_TUNING: RoutingTuning = {
  candidates: 40,
  clauseCandidates: 40,
  threshold: 0.25,
  partThreshold: 0.4,
  gate: DEFAULT_CLAUSE_GATE,
  denseWeight: 2,
  clauseDenseWeight: 1,
  kindWeights: { example: 1, keyword: 0.9, summary: 0.85, section: 0, step: 0, out_of_scope: 1 },
  minimumPartTerms: 1,
  splitAtCommas: false,
}

/** One clause of a message, the task it would add and the gate's view of it. */
export interface ClauseCandidate {
  text: string
  /** The clause's best task, undefined when the clause points at none (or out of scope). */
  taskType: string | undefined
  signals: ClauseSignals
  /** The gate's probability that the clause is a request of its own. */
  probability: number
}

const RANKED_LIMIT = 5
/** Fewer known words and word pairs than this are thin evidence, flattened by the factor. */
const THIN_EVIDENCE = 3
const THIN_EVIDENCE_FACTOR = 2
/**
 * A clause whose best other task is less sure than this (by its words alone) does not ask the
 * store: half the least probability a clause's task needs (`partThreshold`), as the vote may lift it.
 */
const CLAUSE_QUERY_FLOOR = 0.2
/** The least probability of the nearest out-of-scope topic for a recognised hand-off. */
const TOPIC_SCORE = 0.3

/**
 * Routes with a calibrated intent classifier (trained at construction from the runbooks and the
 * out-of-scope topics, in well under a second) whose logits the nearest neighbours in the vector store
 * (Chroma) nudge; out of scope is a class of its own, not the absence of a match. Compound
 * requests are split into clauses that are routed the same way.
 */
export class RetrievalRouter implements RequestRouter {
  private readonly store: VectorStore
  private readonly embedding: EmbeddingFunction
  readonly model: RoutingModel
  readonly tuning: RoutingTuning

  constructor(options: {
    store: VectorStore
    embedding: EmbeddingFunction
    model: RoutingModel
    tuning?: Partial<RoutingTuning>
  }) {
    this.store = options.store
    this.embedding = options.embedding
    this.model = options.model
    this.tuning = { ...DEFAULT_ROUTING_TUNING, ...options.tuning }
    checkedGate(this.tuning.gate)
  }

  async route(text: string): Promise<RouteDecision> {
    const { parts, plain } = this.otherTaskClauses(text)
    const hits = await this.neighbours([text, ...parts])
    const whole = this.classify(text, hits[0] ?? [])
    const ranked = rank(whole)
    const single = this.decide(whole, this.tuning.threshold)
    const hitsOf = new Map(parts.map((part, index) => [part, hits[index + 1] ?? []]))
    const clauses = this.clauses(text, whole, hitsOf, plain)
    if (clauses.length >= 2) {
      const tasks: string[] = []
      const parts: RoutedPart[] = clauses.map(({ text: part, taskType, signals, probability }) => {
        const request = taskType !== undefined && probability >= this.tuning.gate.threshold
        if (request && !tasks.includes(taskType)) tasks.push(taskType)
        return { text: part, taskType: request ? taskType : undefined, score: round(signals.own) }
      })
      if (tasks.length >= 2) return { tasks, ranked: includingDecided(ranked, tasks, whole), parts }
    }
    return {
      tasks: single.taskType ? [single.taskType] : [],
      ranked,
      ...(single.taskType || !recognisedOutOfScope(whole) ? {} : { outOfScopeTopic: whole.topic }),
    }
  }

  /**
   * The clauses of a message (cut finely: at every joiner, comma and "then"), each with the task
   * its own words point at, the signals the clause gate reads and the gate's probability that the
   * clause is a request of its own. Empty for a message of one clause.
   */
  clauses(
    text: string,
    whole: ClassProbabilities,
    hitsOf: ReadonlyMap<string, readonly ScoredChunk[]> = new Map(),
    /** Clause texts already classified without votes (not asked again when they had none). */
    plain: ReadonlyMap<string, ClassProbabilities> = new Map(),
  ): ClauseCandidate[] {
    const clauses = this.markedClauses(text)
    if (clauses.length < 2) return []
    const order = [...whole.tasks].sort((left, right) => right[1] - left[1])
    const wholeBest = order[0]?.[0]
    return clauses.map((clause) => {
      const problem = withoutNoProblem(clause.text)
      const read = problemText(clause)
      const hits = hitsOf.get(read)
      const scores =
        (hits === undefined ? plain.get(read) : undefined) ??
        this.classify(read, hits ?? [], this.tuning.clauseDenseWeight)
      let taskType: string | undefined
      let own = 0
      for (const [task, probability] of scores.tasks)
        if (probability > own) {
          taskType = task
          own = probability
        }
      if (
        analyze(problem).terms.length < this.tuning.minimumPartTerms ||
        scores.outOfScope >= own ||
        own < this.tuning.partThreshold
      )
        taskType = undefined
      const position = order.findIndex(([task]) => task === taskType)
      const signals: ClauseSignals = {
        own,
        evidence: scores.evidence,
        whole: taskType ? (whole.tasks.get(taskType) ?? 0) : 0,
        rank: position < 0 ? order.length : position,
        outOfScope: scores.outOfScope,
        knownWords: scores.knownWords,
        otherTask: wholeBest && wholeBest !== taskType ? (scores.tasks.get(wholeBest) ?? 0) : 0,
        joiner: clause.joiner,
        announced: clause.announced,
        text: problem || clause.text,
      }
      return {
        text: clause.text,
        taskType,
        signals,
        probability: taskType ? gateProbability(this.tuning.gate, signals) : 0,
      }
    })
  }

  /**
   * The whole message's nearest chunks in the vector store. Always asked, even at weight 0, so a
   * store that is down is reported (KNOWLEDGE_STORE_UNAVAILABLE) rather than routed around. The
   * first list is the whole message's (the first text), then one per clause text given.
   */
  private async neighbours(texts: string[]): Promise<ScoredChunk[][]> {
    const vectors = await this.embedding.embed(texts)
    // No kind filter on the server: local Chroma pre-filters metadata by brute force, which
    // cost ~6 ms a query; prose sections weigh 0 below and are dropped here instead. The vote
    // needs each hit's task type and kind only, which its id names: no texts or metadata sent.
    const [whole, ...parts] = vectors
    if (!whole) return []
    // The clauses' vote needs only each nearby class's closest chunk: fewer results each, asked
    // alongside the whole message's query rather than after it.
    const [wholeHits, partHits] = await Promise.all([
      this.store.query([whole], { limit: this.tuning.candidates, identityOnly: true }),
      parts.length > 0
        ? this.store.query(parts, { limit: this.tuning.clauseCandidates, identityOnly: true })
        : Promise.resolve([]),
    ])
    return [...wholeHits, ...partHits]
  }

  /**
   * The clause texts that ask the store for their nearest chunks: those whose own words point at
   * another task than the whole message's (by the classifier alone, at least `CLAUSE_QUERY_FLOOR`
   * sure). A clause about the same task, or about nothing, cannot add a request; leaving it out
   * keeps a one-request message at one query.
   */
  private otherTaskClauses(text: string): {
    parts: string[]
    /** Each clause text's classification without votes, kept for the clauses not asked. */
    plain: Map<string, ClassProbabilities>
  } {
    const plain = new Map<string, ClassProbabilities>()
    if (this.tuning.clauseDenseWeight <= 0) return { parts: [], plain }
    const clauses = this.markedClauses(text)
    if (clauses.length < 2) return { parts: [], plain }
    const wholeBest = bestTask(this.classify(text, []))
    const parts = clauses.map(problemText).filter((part) => {
      const scores = this.classify(part, [])
      plain.set(part, scores)
      const own = bestTask(scores)
      return own.taskType !== wholeBest.taskType && own.probability >= CLAUSE_QUERY_FLOOR
    })
    return { parts, plain }
  }

  /** The clauses of a message, cut finely, each with enough content words. */
  private markedClauses(text: string): MarkedClause[] {
    return splitMarkedClauses(text, { fine: true, commas: this.tuning.splitAtCommas }).filter(
      (clause) => analyze(clause.text).terms.length >= this.tuning.minimumPartTerms,
    )
  }

  /** Class probabilities: the classifier's calibrated logits plus the weighted dense vote. */
  classify(
    text: string,
    hits: readonly ScoredChunk[],
    denseWeight = this.tuning.denseWeight,
  ): ClassProbabilities {
    const classifier = this.model.classifier
    const features = this.model.features(text)
    const logits = classifier.logits(features)
    const knownWords = this.model.knownWords(features)
    const evidence = taskEvidence(logits, classifier.labels)
    // One known word and its pair with the start ("reboot") is thin evidence: its probabilities are flattened, so a lone word
    // is not a confident request (and an answer such as "$(reboot)" stays an answer).
    const temperature =
      classifier.temperature * (knownWords >= THIN_EVIDENCE ? 1 : THIN_EVIDENCE_FACTOR)
    for (let index = 0; index < logits.length; index += 1)
      logits[index] = (logits[index] ?? 0) / temperature
    if (denseWeight > 0 && hits.length > 0) {
      const nearest = new Map<string, number>()
      for (const { chunk, similarity } of hits) {
        const score = similarity * this.tuning.kindWeights[chunk.kind]
        if (score > (nearest.get(chunk.taskType) ?? 0)) nearest.set(chunk.taskType, score)
      }
      classifier.labels.forEach((label, index) => {
        logits[index] = (logits[index] ?? 0) + denseWeight * (nearest.get(label) ?? 0)
      })
    }
    return { ...this.model.group(softmaxInPlace(logits), knownWords), evidence }
  }

  /** The best task type unless out of scope is likelier or the best is not sure enough. */
  private decide(
    scores: ClassProbabilities,
    threshold: number,
  ): { taskType: string | undefined; score: number } {
    let best: string | undefined
    let bestScore = 0
    for (const [taskType, score] of scores.tasks) {
      if (score > bestScore) {
        best = taskType
        bestScore = score
      }
    }
    if (!best || bestScore < threshold || scores.outOfScope >= bestScore)
      return { taskType: undefined, score: bestScore }
    return { taskType: best, score: bestScore }
  }
}

/**
 * Out of scope as a class of its own: the out-of-scope topics together are likelier than any task,
 * one topic stands out and the text has words the model knows. A text that spreads thinly over
 * everything (an answer such as "jdoe;rm -rf /") is merely unmatched, so the conversation can
 * still read it as an answer.
 */
function recognisedOutOfScope(scores: ClassProbabilities): boolean {
  if (!scores.topic || scores.knownWords === 0 || scores.topicProbability < TOPIC_SCORE)
    return false
  for (const probability of scores.tasks.values()) if (probability > scores.outOfScope) return false
  return true
}

/** The most probable task and its probability. */
function bestTask(scores: ClassProbabilities): {
  taskType: string | undefined
  probability: number
} {
  let best: { taskType: string | undefined; probability: number } = {
    taskType: undefined,
    probability: 0,
  }
  for (const [taskType, probability] of scores.tasks)
    if (probability > best.probability) best = { taskType, probability }
  return best
}

/** What a clause is classified by: its words without a "no problem" aside, or all of them. */
function problemText(clause: MarkedClause): string {
  return withoutNoProblem(clause.text) || clause.text
}

/** The best task's raw logit above the mean logit of all classes (tasks and topics). */
export function taskEvidence(logits: Float64Array, labels: readonly string[]): number {
  let best = Number.NEGATIVE_INFINITY
  let sum = 0
  labels.forEach((label, index) => {
    const logit = logits[index] ?? 0
    sum += logit
    if (!label.startsWith(OUT_OF_SCOPE_PREFIX) && logit > best) best = logit
  })
  return labels.length > 0 ? best - sum / labels.length : 0
}

function rank(scores: ClassProbabilities): RankedTask[] {
  return [...scores.tasks]
    .sort((left, right) => right[1] - left[1])
    .slice(0, RANKED_LIMIT)
    .map(([taskType, score]) => ({ taskType, score: round(score) }))
}

/**
 * The ranking with every decided task in it (callers offer `ranked` as the candidates, so a task
 * decided from a sure part must be among them): a missing one replaces the lowest undecided
 * entries, with its whole-text score, and the list stays best first and at most five long.
 */
export function includingDecided(
  ranked: RankedTask[],
  tasks: readonly string[],
  scores: ClassProbabilities,
): RankedTask[] {
  const missing = tasks.filter((task) => !ranked.some((each) => each.taskType === task))
  if (missing.length === 0) return ranked
  const kept = ranked.filter((each) => tasks.includes(each.taskType))
  const others = ranked.filter((each) => !tasks.includes(each.taskType))
  const room = Math.max(0, RANKED_LIMIT - kept.length - missing.length)
  return [
    ...kept,
    ...others.slice(0, room),
    ...missing.map((taskType) => ({ taskType, score: round(scores.tasks.get(taskType) ?? 0) })),
  ].sort((left, right) => right.score - left.score)
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}
