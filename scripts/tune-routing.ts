// Measures routing: k-fold cross-validation over the runbooks' example requests and the
// out-of-scope examples (with synthetic compounds joined from two held-out examples), then the
// labelled files given, with the in-memory reference store (exact search, the same ranking
// Chroma's HNSW gives at this size). Never pass the blind set here: it is for `helpdesk eval`.
// Usage: node scripts/tune-routing.ts [files...] [--folds 5] [--errors] [--no-cv] (Node 24: node_modules/.bin)
//        --fit-gate: fits the clause gate (clause-gate.ts) on the out-of-fold clauses, prints it
//        and measures the files with it (paste the printed gate into DEFAULT_CLAUSE_GATE).
//        GRID='[{"threshold":0.3},{"l2":1e-4}]' node scripts/tune-routing.ts tests/fixtures/routing-dev.jsonl
//        GRID='[{"vectors":false},{}]' ... compares without and with the installed word vectors.
//        FIT_DROP=3,4 with --fit-gate: fits the gate with those features (GATE_FEATURES order) at 0.
//        FIT_ON=a.jsonl,b.jsonl with --fit-gate: those labelled requests join the fit (never blind).
//        CV_DENSE=1: cross-validation with the vector store's votes (whole and clauses), each
//        fold's held-out examples hidden from the store, as the product routes.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { HashingEmbeddingFunction } from '../src/embeddings/hashing-embedding-function.ts'
import { OUT_OF_SCOPE_PREFIX } from '../src/knowledge/ingest/chunk-instructions.ts'
import { KnowledgeBase, loadKnowledgeSources } from '../src/knowledge/knowledge-base.ts'
import { MemoryVectorStore } from '../src/knowledge/memory-vector-store.ts'
import {
  type ClauseGate,
  DEFAULT_CLAUSE_GATE,
  fitGateWeights,
  gateFeatures,
} from '../src/retrieval/clause-gate.ts'
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

/**
 * The share of compound requests in what employees write: 12.5-13% in each of the four dev sets
 * (only their label counts are used), 7% among the cross-validation requests.
 */
const COMPOUND_SHARE = 0.13

const argumentsGiven = process.argv.slice(2)
const showErrors = argumentsGiven.includes('--errors')
const denseCrossValidation = process.env.CV_DENSE === '1'
const fitGate = argumentsGiven.includes('--fit-gate')
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
  if (fitGate) {
    const gate = await fittedGate(setting)
    console.log('fitted gate:', JSON.stringify(gate))
    setting.gate = gate
  }
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

/** One cross-validation request as the gate sees it: its clauses and the one-task decision. */
interface GateRequest {
  labels: string[]
  single: string[]
  clauses: Array<{ taskType: string; features: number[] }>
}

/**
 * The gate fitted on the out-of-fold clauses (target: the clause's task is among the request's
 * labels), with the threshold that decides the most cross-validation requests exactly.
 */
async function fittedGate(setting: Setting): Promise<ClauseGate> {
  const gathered: GateRequest[] = []
  // Above 1 the gate takes no clause: the router's one-task decision, for comparison.
  const never: ClauseGate = { ...DEFAULT_CLAUSE_GATE, threshold: 2 }
  const gather = async (router: RetrievalRouter, request: LabelledRequest) => {
    const whole = router.classify(request.text, [])
    const single = (await router.route(request.text)).tasks
    const clauses = router
      .clauses(request.text, whole)
      .flatMap((each) =>
        each.taskType
          ? [{ taskType: each.taskType, features: dropped(gateFeatures(each.signals)) }]
          : [],
      )
    gathered.push({ labels: request.labels, single, clauses })
  }
  await crossValidate({ ...setting, gate: never }, gather)
  // FIT_ON=a.jsonl,b.jsonl: labelled requests people wrote (dev sets, never the blind ones) join
  // the fit, read by the router trained on every example (they are not among its examples).
  const fitOn = (process.env.FIT_ON ?? '').split(',').filter(Boolean)
  if (fitOn.some((file) => file.includes('blind')))
    throw new Error('the blind set is measured with `helpdesk eval` only, never fitted on')
  if (fitOn.length > 0) {
    const model = new RoutingModel(allTexts, { calibrationFolds: 5, ...modelOptions(setting) })
    const router = new RetrievalRouter({
      store,
      embedding,
      model,
      tuning: { ...setting, gate: never },
    })
    for (const file of fitOn)
      for (const request of await readLabelled(file)) await gather(router, request)
  }
  // Compounds joined from examples are fewer here than in what people write: each kind (one
  // request or out of scope; several) is weighed to its share there, in the fit and in the
  // threshold, so the gate maximises the exact decisions of such a stream.
  const compound = (request: GateRequest) => request.labels.length >= 2
  const compounds = gathered.filter(compound).length
  const kindWeight = (request: GateRequest) =>
    compound(request)
      ? (COMPOUND_SHARE * gathered.length) / compounds
      : ((1 - COMPOUND_SHARE) * gathered.length) / (gathered.length - compounds)
  const samples = gathered.flatMap((request) =>
    request.clauses.map((clause) => ({
      features: clause.features,
      target: request.labels.includes(clause.taskType) ? 1 : 0,
      weight: kindWeight(request),
    })),
  )
  const reachable = gathered.filter(
    (request) =>
      compound(request) &&
      request.labels.every((label) => request.clauses.some((clause) => clause.taskType === label)),
  ).length
  console.log(`  compounds whose every task is some clause's best: ${reachable}/${compounds}`)
  const weights = fitGateWeights(samples)
  const decide = (request: GateRequest, threshold: number) => {
    const tasks: string[] = []
    for (const clause of request.clauses) {
      let sum = 0
      clause.features.forEach((value, index) => {
        sum += value * (weights[index] ?? 0)
      })
      if (1 / (1 + Math.exp(-sum)) >= threshold && !tasks.includes(clause.taskType))
        tasks.push(clause.taskType)
    }
    return tasks.length >= 2 ? tasks : request.single
  }
  let best = { threshold: 0.5, score: -1 }
  for (let threshold = 0.2; threshold <= 0.951; threshold += 0.025) {
    const exact = { one: 0, several: 0 }
    for (const request of gathered) {
      const tasks = decide(request, threshold)
      const labels = request.labels.filter((label) => label !== OUT_OF_SCOPE_LABEL)
      if (tasks.length === labels.length && tasks.every((task) => labels.includes(task)))
        exact[compound(request) ? 'several' : 'one'] += 1
    }
    const one = exact.one / (gathered.length - compounds)
    const several = exact.several / compounds
    console.log(
      `  gate threshold ${threshold.toFixed(3)}: one request ${one.toFixed(3)}, compound ${several.toFixed(3)}`,
    )
    const score = (1 - COMPOUND_SHARE) * one + COMPOUND_SHARE * several
    if (score > best.score) best = { threshold, score }
  }
  // How much the fit flatters itself: fitted on half the requests, measured on the other half.
  const half = (parity: number) =>
    gathered.flatMap((request, index) =>
      index % 2 === parity
        ? request.clauses.map((clause) => ({
            features: clause.features,
            target: request.labels.includes(clause.taskType) ? 1 : 0,
            weight: kindWeight(request),
          }))
        : [],
    )
  const fullWeights = weights.slice()
  weights.splice(0, weights.length, ...fitGateWeights(half(0)))
  const split = { one: [0, 0], several: [0, 0] }
  gathered.forEach((request, index) => {
    if (index % 2 === 0) return
    const tasks = decide(request, best.threshold)
    const labels = request.labels.filter((label) => label !== OUT_OF_SCOPE_LABEL)
    const counts = split[compound(request) ? 'several' : 'one']
    counts[1] = (counts[1] ?? 0) + 1
    if (tasks.length === labels.length && tasks.every((task) => labels.includes(task)))
      counts[0] = (counts[0] ?? 0) + 1
  })
  console.log(
    `  gate fitted on even requests, measured on odd: one request ${split.one.join('/')}, compound ${split.several.join('/')}`,
  )
  weights.splice(0, weights.length, ...fullWeights)
  const positives = samples.filter((sample) => sample.target === 1).length
  console.log(`  gate samples ${samples.length} (${positives} requests of their own)`)
  return {
    weights: weights.map((weight) => Math.round(weight * 1000) / 1000),
    threshold: Math.round(best.threshold * 1000) / 1000,
  }
}

/** FIT_DROP=3,4: fit the gate without those features (their weights stay 0), to compare. */
function dropped(features: number[]): number[] {
  const drop = (process.env.FIT_DROP ?? '').split(',').filter(Boolean).map(Number)
  return features.map((value, index) => (drop.includes(index) ? 0 : value))
}

async function crossValidate(
  setting: Setting,
  visit?: (router: RetrievalRouter, request: LabelledRequest) => Promise<void>,
): Promise<RoutedRequest[]> {
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
    const heldOut = examples.filter((_, index) => inFold(index))
    // Dense scores would leak (the store holds every example), so cross-validation measures the
    // classifier alone; CV_DENSE=1 keeps the votes and hides the held-out examples' own chunks
    // from them instead (each example chunk's id is its task, kind and text hash).
    const router = new RetrievalRouter({
      store: withoutChunks(store, new Set(heldOut.map(chunkIdOf))),
      embedding,
      model,
      tuning: denseCrossValidation ? setting : { ...setting, denseWeight: 0, clauseDenseWeight: 0 },
    })
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
      ', ',
      '. ',
      ' plus ',
      ', then ',
      ' and also ',
      ' since ',
      ', so ',
      ' which means ',
      ', and ',
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
    // Requests with a tail that asks for nothing ("..., so I can't work"): a clause the gate must
    // not take for a request of its own, as people add them as often as a second request.
    const tails = [
      ', so I can not work',
      ', which is really annoying',
      ' and I have a deadline today',
      ', so I am stuck',
      '. It started after the weekend',
      ' and my manager is not happy about it',
      ', so nothing gets done',
      '. Thanks in advance',
    ]
    heldOut.forEach((each, index) => {
      if (index % 4 !== 1) return
      requests.push({
        id: `cv${fold}-tail-${index}`,
        text: `${each.text}${tails[index % tails.length]}`,
        labels: [labelOf(each.label)],
      })
    })
    if (visit) for (const request of requests) await visit(router, request)
    else results.push(...(await evaluate(router, requests)))
  }
  return results
}

/** The store's id of the chunk an example became (see chunk-instructions.ts). */
function chunkIdOf(example: LabelledText): string {
  const kind = example.label.startsWith(OUT_OF_SCOPE_PREFIX) ? 'out_of_scope' : 'example'
  const hash = createHash('sha256').update(example.text).digest('hex').slice(0, 16)
  return `${example.label}:${kind}:${hash}`
}

/** The store with those chunks never in a query's results. */
function withoutChunks(inner: MemoryVectorStore, hidden: ReadonlySet<string>): MemoryVectorStore {
  return Object.assign(Object.create(inner) as MemoryVectorStore, {
    query: async (
      vectors: readonly number[][],
      options: Parameters<MemoryVectorStore['query']>[1],
    ) =>
      (await inner.query(vectors, { ...options, limit: options.limit + hidden.size })).map((hits) =>
        hits.filter((hit) => !hidden.has(hit.chunk.id)).slice(0, options.limit),
      ),
  })
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
  return (
    (await readFile(file, 'utf8'))
      .split('\n')
      .filter((text) => text.trim())
      .map((text) => JSON.parse(text) as LabelledRequest)
      // `[]` means out of scope, as `helpdesk eval` reads it.
      .map((request) =>
        request.labels.length === 0 ? { ...request, labels: [OUT_OF_SCOPE_LABEL] } : request,
      )
  )
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
