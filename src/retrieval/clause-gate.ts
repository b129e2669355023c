/**
 * The clause gate: whether one clause of a message is a request of its own, as a calibrated
 * probability. A logistic regression over a handful of signals of the clause (how sure and how
 * telling its own words are, how the whole message ranks its task, the joiner before it, whether
 * it names a problem, asks for something, or only says what works or what happened), fitted by
 * `scripts/tune-routing.ts --fit-gate` on out-of-fold clauses of the runbooks' examples and of
 * compounds joined from them, never on the dev or blind sets.
 * @module
 */
import { HelpdeskError } from '../errors/index.ts'
import type { JoinerKind } from './clause-splitter.ts'

/** What the router knows about one clause and the task it would add. */
export interface ClauseSignals {
  /** The clause's own probability of its best task. */
  own: number
  /** The clause's best task logit above the mean of all classes (see `taskEvidence`). */
  evidence: number
  /** The whole message's probability of that task. */
  whole: number
  /** That task's position in the whole message's ranking (0 = best; absent: the list length). */
  rank: number
  /** The clause's summed out-of-scope probability. */
  outOfScope: number
  /** How many of the clause's words and word pairs the model knows. */
  knownWords: number
  /** The clause's probability of the task of the whole message's best (when that is not its own). */
  otherTask: number
  joiner: JoinerKind
  /** A joiner next to the clause announces a request ("also", "while you're at it", "2)"). */
  announced: boolean
  text: string
}

/**
 * A problem said in the clause: negation, failure words, error codes. A clause without one (and
 * without a request verb) tells what the writer did or what happened before: background.
 */
const PROBLEM =
  /\b(?:not|never|no|nothing|none|can'?t|cannot|won'?t|doesn'?t|don'?t|isn'?t|aren'?t|didn'?t|stopped|stops|fail(?:s|ed|ing|ure)?|error|errors|broken|broke|crash(?:es|ed|ing)?|freez(?:es|ing)|froze|frozen|stuck|slow|laggy|lag|hangs?|locked|lost|missing|vanished|gone|disconnected|offline|drops?|dropping|keeps?|refuses?|black|blank|dead|hot|overheat\w*|bounced?|rejected|denied|forbidden|403|404|50\d|0x[0-9a-f]+|blue\s*screen\w*|bsod|red\s+x)\b|n['\u2019]t\b|\b[a-z]*\d{3,}[a-z]*\b/i
/** The writer asks for something. */
const ASKS =
  /\b(?:can|could|would|will)\s+(?:you|u|someone|i\s+get|i\s+have)\b|\b(?:please|pls|plz|need|needs|want|wanna|i'?d\s+like|give\s+me|get\s+me|add\s+me|grant|install|reset|unlock|set\s+up|setup|request|access\s+to)\b/i
/** Only what works, or is fine. */
const FINE =
  /\b(?:works?|working|worked|fine|ok|okay|normal(?:ly)?|correct|right|good|unaffected|connected)\b/i
/** A past action of the writer's ("restarted twice", "my manager approved it"). */
const DID =
  /\b(?:i(?:'ve|\s+have)?\s+)?(?:already\s+)?(?:tried|restarted|rebooted|approved|checked|cleared|reinstalled|updated|changed|signed\s+out|logged\s+out)\b/i

/**
 * The clause points back at what was said ("reinstalled it, same thing", "what does that even
 * mean") and names nothing of its own.
 */
const POINTS_BACK = /\b(?:it|itself|that|this|them|same\s+thing|the\s+two)\b/i

const JOINERS: readonly JoinerKind[] = ['announce', 'cause', 'then', 'and', 'sentence', 'comma']

/** The names of the features, in vector order (printed by the fitting script). */
export const GATE_FEATURES: readonly string[] = [
  'bias',
  'own logit',
  'evidence',
  'whole log',
  'rank',
  'out of scope',
  'known words',
  'other task',
  ...JOINERS.map((kind) => `joiner ${kind}`),
  'announced',
  'problem',
  'asks',
  'fine only',
  'did only',
  'points back',
]

/** The feature vector of one clause (scaled to about [-1, 1]). */
export function gateFeatures(signals: ClauseSignals): number[] {
  const clip = (value: number, bound: number) => Math.max(-bound, Math.min(bound, value))
  const logit = (probability: number) => {
    const bounded = Math.min(1 - 1e-6, Math.max(1e-6, probability))
    return Math.log(bounded / (1 - bounded))
  }
  const problem = PROBLEM.test(signals.text)
  const asks = ASKS.test(signals.text)
  return [
    1,
    clip(logit(signals.own), 8) / 8,
    clip(signals.evidence, 20) / 10,
    Math.log(Math.max(1e-6, signals.whole)) / 14,
    Math.min(signals.rank, 5) / 5,
    signals.outOfScope,
    Math.min(signals.knownWords, 8) / 8,
    signals.otherTask,
    ...JOINERS.map((kind) => (signals.joiner === kind ? 1 : 0)),
    signals.announced ? 1 : 0,
    problem ? 1 : 0,
    asks ? 1 : 0,
    FINE.test(signals.text) && !problem && !asks ? 1 : 0,
    DID.test(signals.text) && !problem && !asks ? 1 : 0,
    POINTS_BACK.test(signals.text) ? 1 : 0,
  ]
}

export interface ClauseGate {
  weights: readonly number[]
  /** A clause at or above this probability is a request of its own. */
  threshold: number
}

/**
 * Fitted by `node scripts/tune-routing.ts --fit-gate` (5-fold, out-of-fold clauses of the
 * runbooks' examples and of compounds joined from them); the threshold maximises the exact
 * decisions of those requests.
 */
export const DEFAULT_CLAUSE_GATE: ClauseGate = {
  weights: [
    1.438, 2.58, -0.513, 3.209, -1.858, -0.475, -0.335, -2.215, -1.014, -0.193, -0.315, -0.441,
    0.012, -1.236, 2.006, 0.816, 1.057, -0.189, 0.255, -0.037,
  ],
  threshold: 0.575,
}

/**
 * The gate unchanged when it has one finite weight per feature and a threshold in [0, 1] (above 1:
 * never compound); otherwise INVALID_CONFIGURATION naming `gate.weights` or `gate.threshold`.
 */
export function checkedGate(gate: ClauseGate): ClauseGate {
  if (
    gate.weights.length !== GATE_FEATURES.length ||
    !gate.weights.every((weight) => Number.isFinite(weight))
  )
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: `gate.weights: expected ${GATE_FEATURES.length} finite numbers (one per feature: ${GATE_FEATURES.join(', ')}), got ${gate.weights.length}`,
      details: { field: 'gate.weights', expected: GATE_FEATURES.length, got: gate.weights.length },
    })
  if (!Number.isFinite(gate.threshold) || gate.threshold < 0)
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: `gate.threshold: expected a probability (a number from 0; above 1 takes no clause), got ${gate.threshold}`,
      details: { field: 'gate.threshold' },
    })
  return gate
}

export function gateProbability(gate: ClauseGate, signals: ClauseSignals): number {
  const features = gateFeatures(signals)
  let sum = 0
  features.forEach((value, index) => {
    sum += value * (gate.weights[index] ?? 0)
  })
  return 1 / (1 + Math.exp(-sum))
}

/**
 * A logistic regression by full-batch gradient descent with an L2 penalty (not on the bias):
 * a few hundred samples and twenty features, deterministic, well under a second.
 */
export function fitGateWeights(
  samples: ReadonlyArray<{ features: readonly number[]; target: number; weight?: number }>,
  options: { iterations?: number; rate?: number; l2?: number } = {},
): number[] {
  const size = samples[0]?.features.length ?? 0
  const weights = new Array<number>(size).fill(0)
  const iterations = options.iterations ?? 3000
  const rate = options.rate ?? 0.5
  const l2 = options.l2 ?? 1e-3
  for (let iteration = 0; iteration < iterations; iteration += 1) {
    const gradient = new Array<number>(size).fill(0)
    let total = 0
    for (const { features, target, weight = 1 } of samples) {
      total += weight
      let sum = 0
      features.forEach((value, index) => {
        sum += value * (weights[index] ?? 0)
      })
      const error = weight * (1 / (1 + Math.exp(-sum)) - target)
      features.forEach((value, index) => {
        gradient[index] = (gradient[index] ?? 0) + error * value
      })
    }
    for (let index = 0; index < size; index += 1) {
      const penalty = index === 0 ? 0 : l2 * (weights[index] ?? 0)
      weights[index] =
        (weights[index] ?? 0) - rate * ((gradient[index] ?? 0) / Math.max(total, 1e-9) + penalty)
    }
  }
  return weights
}
