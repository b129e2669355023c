// Measures routing: k-fold cross-validation over the runbooks' example requests and the
// out-of-scope examples (with synthetic compounds joined from two held-out examples), then the
// labelled files given, with the in-memory reference store (exact search, the same ranking
// Chroma's HNSW gives at this size). Never pass the blind set here: it is for `helpdesk eval`.
// Usage: node scripts/tune-routing.ts [files...] [--folds 5] [--errors] [--no-cv] (Node 24: node_modules/.bin)
//        GRID='[{"threshold":0.3},{"l2":1e-4}]' node scripts/tune-routing.ts tests/fixtures/routing-dev.jsonl
//        GRID='[{"vectors":false},{}]' ... compares without and with the installed word vectors.
import { readFile } from 'node:fs/promises'
import { HashingEmbeddingFunction } from '../src/embeddings/hashing-embedding-function.ts'
import { OUT_OF_SCOPE_PREFIX } from '../src/knowledge/ingest/chunk-instructions.ts'
import { KnowledgeBase, loadKnowledgeSources } from '../src/knowledge/knowledge-base.ts'
import { MemoryVectorStore } from '../src/knowledge/memory-vector-store.ts'
import { RetrievalRouter, type RoutingTuning } from '../src/retrieval/retrieval-router.ts'
import {
  type LabelledRequest,
  OUT_OF_SCOPE_LABEL,
  type RoutedRequest,
  type RoutingReport,
  summariseRouting,
} from '../src/retrieval/routing-evaluation.ts'
import {
  type LabelledText,
  RoutingModel,
  type RoutingModelOptions,
  trainingTexts,
} from '../src/retrieval/routing-model.ts'
import { loadWordVectors } from '../src/retrieval/word-vectors.ts'

const argumentsGiven = process.argv.slice(2)
const showErrors = argumentsGiven.includes('--errors')
const foldsAt = argumentsGiven.indexOf('--folds')
const folds = foldsAt >= 0 ? Number(argumentsGiven[foldsAt + 1]) : 5
const files = argumentsGiven.filter(
  (argument, index) => !argument.startsWith('--') && (foldsAt < 0 || index !== foldsAt + 1),
)
if (files.some((file) => file.includes('blind')))
  throw new Error('the blind set is measured with `helpdesk eval` only, never tuned on')

const sources = await loadKnowledgeSources({
  instructionsDirectory: 'data/instructions',
  outOfScopeFile: 'data/routing/out-of-scope.yaml',
})
const embedding = new HashingEmbeddingFunction()
const store = new MemoryVectorStore()
await new KnowledgeBase({ ...sources, store, embedding }).ingest()
type Setting = Partial<RoutingTuning> &
  Omit<RoutingModelOptions, 'wordVectors'> & {
    outOfScopeClasses?: 'topics' | 'one'
    outOfScopeWeight?: number
    /** false: without the installed word vectors (the fallback), to compare. */
    vectors?: boolean
  }
const grid: Setting[] = JSON.parse(process.env.GRID ?? '[{}]')
const installedVectors = loadWordVectors() ?? null
const modelOptions = (setting: Setting): RoutingModelOptions => ({
  ...setting,
  wordVectors: setting.vectors === false ? null : installedVectors,
})
let allTexts: LabelledText[] = []
for (const setting of grid) {
  allTexts = trainingTexts(
    sources.instructions,
    sources.outOfScope,
    setting.outOfScopeClasses,
    setting.outOfScopeWeight,
  )
  const figures: string[] = []
  if (!argumentsGiven.includes('--no-cv')) {
    const report = summariseRouting(await crossValidate(setting))
    figures.push(`cv${folds}: ${line(report)}`)
    printErrors(report)
  }
  const model = new RoutingModel(allTexts, { calibrationFolds: 5, ...modelOptions(setting) })
  figures.push(
    `train=${Math.round(model.trainingMilliseconds)}ms T=${model.classifier.temperature.toFixed(2)}`,
  )
  const router = new RetrievalRouter({ store, embedding, model, tuning: setting })
  for (const file of files) {
    const report = summariseRouting(await evaluate(router, await readLabelled(file)))
    figures.push(`${file.replace(/.*routing-|\.jsonl$/g, '')}: ${line(report)}`)
    printErrors(report)
  }
  console.log(JSON.stringify(setting), '\n  ', figures.join('\n   '))
}

async function crossValidate(setting: Setting): Promise<RoutedRequest[]> {
  const results: RoutedRequest[] = []
  const isExample = (each: LabelledText) =>
    each.weight >= 1 || each.label.startsWith(OUT_OF_SCOPE_PREFIX)
  const examples = allTexts.filter(isExample)
  for (let fold = 0; fold < folds; fold += 1) {
    const inFold = (index: number) => index % folds === fold
    const training = [
      ...allTexts.filter((each) => !isExample(each)),
      ...examples.filter((_, index) => !inFold(index)),
    ]
    const model = new RoutingModel(training, { calibrationFolds: 0, ...modelOptions(setting) })
    // Dense scores would leak (the store holds every example), so cross-validation measures the
    // classifier alone.
    const router = new RetrievalRouter({
      store,
      embedding,
      model,
      tuning: { ...setting, denseWeight: 0 },
    })
    const heldOut = examples.filter((_, index) => inFold(index))
    const requests: LabelledRequest[] = heldOut.map((each, index) => ({
      id: `cv${fold}-${index}`,
      text: each.text,
      labels: [labelOf(each.label)],
    }))
    // Synthetic compounds: two held-out requests of different task types, joined as people do.
    const tasks = heldOut.filter((each) => !each.label.startsWith(OUT_OF_SCOPE_PREFIX))
    const joiners = [
      ' and ',
      '. Also ',
      ', and while you are at it ',
      '; btw ',
      '. Another thing: ',
    ]
    for (let index = 0; index + 7 < tasks.length; index += 7) {
      const first = tasks[index]
      const second = tasks[index + 7]
      if (!first || !second || first.label === second.label) continue
      requests.push({
        id: `cv${fold}-compound-${index}`,
        text: `${first.text}${joiners[index % joiners.length]}${second.text}`,
        labels: [first.label, second.label],
      })
    }
    results.push(...(await evaluate(router, requests)))
  }
  return results
}

async function evaluate(
  router: RetrievalRouter,
  requests: readonly LabelledRequest[],
): Promise<RoutedRequest[]> {
  const results: RoutedRequest[] = []
  for (const request of requests) {
    const started = performance.now()
    const decision = await router.route(request.text)
    results.push({ request, decision, milliseconds: performance.now() - started })
  }
  return results
}

function labelOf(label: string): string {
  return label.startsWith(OUT_OF_SCOPE_PREFIX) ? OUT_OF_SCOPE_LABEL : label
}

async function readLabelled(file: string): Promise<LabelledRequest[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter((text) => text.trim())
    .map((text) => JSON.parse(text))
}

function line(report: RoutingReport): string {
  return `n=${report.count} top1=${report.top1} top3=${report.top3} oos P=${report.outOfScope.precision} R=${report.outOfScope.recall} F1=${report.outOfScope.f1} compound=${report.compoundExactMatch}/${report.compoundCount} p50=${report.latencyMs.p50}ms p99=${report.latencyMs.p99}ms`
}

function printErrors(report: RoutingReport): void {
  if (!showErrors) return
  for (const error of report.errors)
    console.log(
      `  ${error.id} want ${error.expected.join('+')} got ${error.got.join('+') || 'OOS'} :: ${error.text.slice(0, 140)}`,
    )
}
