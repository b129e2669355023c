// Sweeps routing parameters over a labelled set with the in-memory reference store (exact search,
// the same ranking Chroma's HNSW gives at this size) and prints the metrics of each setting.
// Usage: node scripts/tune-routing.ts [tests/fixtures/routing-dev.jsonl] [--errors]
import { readFile } from 'node:fs/promises'
import { HashingEmbeddingFunction } from '../src/embeddings/hashing-embedding-function.ts'
import { KnowledgeBase, loadKnowledgeSources } from '../src/knowledge/knowledge-base.ts'
import { MemoryVectorStore } from '../src/knowledge/memory-vector-store.ts'
import { LexicalScorer } from '../src/retrieval/lexical-scorer.ts'
import {
  DEFAULT_ROUTING_TUNING,
  RetrievalRouter,
  type RoutingTuning,
} from '../src/retrieval/retrieval-router.ts'
import { type LabelledRequest, summariseRouting } from '../src/retrieval/routing-evaluation.ts'

const file =
  process.argv.slice(2).find((argument) => !argument.startsWith('--')) ??
  'tests/fixtures/routing-dev.jsonl'
const showErrors = process.argv.includes('--errors')
const requests: LabelledRequest[] = (await readFile(file, 'utf8'))
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line))

const sources = await loadKnowledgeSources({
  instructionsDirectory: 'data/instructions',
  outOfScopeFile: 'data/routing/out-of-scope.yaml',
})
const embedding = new HashingEmbeddingFunction()
const store = new MemoryVectorStore()
await new KnowledgeBase({ ...sources, store, embedding }).ingest()

const lexical = new LexicalScorer(sources.instructions, sources.outOfScope)
const grid: Array<Partial<RoutingTuning>> = JSON.parse(process.env.GRID ?? '[{}]')
for (const overrides of grid) {
  const tuning = { ...DEFAULT_ROUTING_TUNING, ...overrides }
  const router = new RetrievalRouter({
    store,
    embedding,
    tuning,
    lexical: process.env.NO_LEXICAL ? undefined : lexical,
  })
  const results = []
  for (const request of requests) {
    const started = performance.now()
    const decision = await router.route(request.text)
    results.push({ request, decision, milliseconds: performance.now() - started })
  }
  const report = summariseRouting(results)
  console.log(
    JSON.stringify(overrides),
    `top1=${report.top1} top3=${report.top3} oos P=${report.outOfScope.precision} R=${report.outOfScope.recall} F1=${report.outOfScope.f1} compound=${report.compoundExactMatch} p50=${report.latencyMs.p50}ms`,
  )
  if (showErrors) {
    for (const error of report.errors) {
      console.log(
        `  ${error.id} want ${error.expected.join('+')} got ${error.got.join('+') || 'OOS'} :: ${error.text.slice(0, 140)}`,
      )
    }
  }
}
