import { HelpdeskCore } from '../../src/agent/core/helpdesk-core.ts'
import { MemorySessionStore } from '../../src/agent/core/memory-session-store.ts'
import { HashingEmbeddingFunction } from '../../src/embeddings/hashing-embedding-function.ts'
import { DryRunExecutor } from '../../src/executors/dry-run/dry-run-executor.ts'
import { KnowledgeBase, loadKnowledgeSources } from '../../src/knowledge/knowledge-base.ts'
import { MemoryVectorStore } from '../../src/knowledge/memory-vector-store.ts'
import { LexicalScorer } from '../../src/retrieval/lexical-scorer.ts'
import { RetrievalRouter } from '../../src/retrieval/retrieval-router.ts'

/**
 * The real runbooks, router and core over the in-memory reference store: for unit tests that
 * need the whole conversation logic but not a Chroma server.
 */
export async function buildMemoryRuntime() {
  const sources = await loadKnowledgeSources({
    instructionsDirectory: 'data/instructions',
    outOfScopeFile: 'data/routing/out-of-scope.yaml',
  })
  const embedding = new HashingEmbeddingFunction()
  const store = new MemoryVectorStore()
  const knowledge = new KnowledgeBase({ ...sources, store, embedding })
  await knowledge.ingest()
  const router = new RetrievalRouter({
    store,
    embedding,
    lexical: new LexicalScorer(sources.instructions, sources.outOfScope),
  })
  const core = new HelpdeskCore({
    instructions: knowledge.instructions,
    router,
    sessions: new MemorySessionStore(),
    executor: new DryRunExecutor(),
    handoffs: knowledge.handoffs,
    maxMessageCharacters: 4000,
  })
  return { knowledge, router, core, store, embedding }
}
