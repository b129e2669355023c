import type { EmbeddingFunction } from '../embeddings/embedding-function.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { OutOfScopeTopic } from '../knowledge/out-of-scope.ts'
import type { VectorStore } from '../knowledge/vector-store.ts'
import { inSpan } from '../observability/tracing.ts'
import type { RequestRouter, RouteDecision } from '../retrieval/request-router.ts'
import { RetrievalRouter, type RoutingTuning } from '../retrieval/retrieval-router.ts'
import { RoutingModel } from '../retrieval/routing-model.ts'
import type { WordVectors } from '../retrieval/word-vectors.ts'

/**
 * The router the conversation core holds for the life of the process, whose trained model can be
 * rebuilt from another set of runbooks without a restart: `rebuild` trains a new
 * `RetrievalRouter` (through its public constructor and `RoutingModel.fromKnowledge`) and swaps
 * it in whole, so a turn routes either with the old set or with the new one, never a mix.
 * @module
 */
export class LiveRouter implements RequestRouter {
  private current: RetrievalRouter
  private readonly store: VectorStore
  private readonly embedding: EmbeddingFunction
  private readonly tuning: Partial<RoutingTuning> | undefined
  private readonly wordVectors: WordVectors | null

  constructor(options: {
    store: VectorStore
    embedding: EmbeddingFunction
    instructions: readonly Instruction[]
    outOfScope: readonly OutOfScopeTopic[]
    tuning?: Partial<RoutingTuning>
    /** Word vectors for words the examples never used; null: none (loaded once, reused by every rebuild). */
    wordVectors?: WordVectors | null
  }) {
    this.wordVectors = options.wordVectors ?? null
    this.store = options.store
    this.embedding = options.embedding
    this.tuning = options.tuning
    this.current = this.build(options.instructions, options.outOfScope, options.store)
  }

  route(text: string): Promise<RouteDecision> {
    const router = this.current
    return inSpan('routing', {}, async (span) => {
      const decision = await router.route(text)
      // The decided task types only: the text is what someone typed.
      span?.setAttributes({
        'helpdesk.tasks': decision.tasks,
        'helpdesk.out_of_scope': decision.tasks.length === 0,
        'helpdesk.routing.parts': decision.parts?.length ?? 1,
      })
      return decision
    })
  }

  /** The router in use now. */
  get retrieval(): RetrievalRouter {
    return this.current
  }

  /** Trains on this set of runbooks and topics and routes with it from the next call on. */
  rebuild(instructions: readonly Instruction[], outOfScope: readonly OutOfScopeTopic[]): void {
    this.current = this.build(instructions, outOfScope, this.store)
  }

  /**
   * A router for a draft set that is not put in use: the "which runbook would this hit?" check
   * of the instruction manager. `store` answers the nearest-neighbour part for the draft.
   */
  draft(
    instructions: readonly Instruction[],
    outOfScope: readonly OutOfScopeTopic[],
    store: VectorStore,
  ): RetrievalRouter {
    return this.build(instructions, outOfScope, store)
  }

  private build(
    instructions: readonly Instruction[],
    outOfScope: readonly OutOfScopeTopic[],
    store: VectorStore,
  ): RetrievalRouter {
    return new RetrievalRouter({
      store,
      embedding: this.embedding,
      model: RoutingModel.fromKnowledge(instructions, outOfScope, {
        wordVectors: this.wordVectors,
      }),
      ...(this.tuning ? { tuning: this.tuning } : {}),
    })
  }
}
