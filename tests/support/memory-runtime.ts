import { assembleHelpdesk } from '../../src/app/assemble-helpdesk.ts'
import { HashingEmbeddingFunction } from '../../src/embeddings/hashing-embedding-function.ts'
import { KnowledgeBase, loadKnowledgeSources } from '../../src/knowledge/knowledge-base.ts'
import { MemoryVectorStore } from '../../src/knowledge/memory-vector-store.ts'

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
  const { router, core, sessions } = assembleHelpdesk(knowledge, { maxMessageCharacters: 4000 })
  return { knowledge, router, core, sessions, store, embedding }
}
