import type { FeatureVector } from './routing-features.ts'

export interface TrainingExample {
  features: FeatureVector
  label: string
  /** How much this example counts (keywords and summaries count less than example requests). */
  weight: number
}

export interface ClassifierSettings {
  /** Passes over the training set. */
  epochs: number
  /** AdaGrad's base step. */
  learningRate: number
  /** L2 penalty per example and step: keeps rare features from memorising one sentence. */
  l2: number
  /** Softmax temperature: logits are divided by it (1 = uncalibrated). */
  temperature: number
}

const SKIP_GRADIENT = 1e-3

export const DEFAULT_CLASSIFIER_SETTINGS: ClassifierSettings = {
  epochs: 5,
  learningRate: 0.5,
  l2: 1e-5,
  // Fitted by 5-fold cross-validation over the runbooks (scripts/tune-routing.ts prints it);
  // refitting at every start would cost five more trainings for a value that barely moves.
  temperature: 0.93,
}

/**
 * A multinomial logistic regression over sparse features, trained with AdaGrad in a fixed
 * (deterministic) order. Small enough to train at start from the runbooks in a few hundred
 * milliseconds, so a changed runbook needs no offline step.
 */
export class IntentClassifier {
  readonly labels: readonly string[]
  readonly temperature: number
  private readonly featureIndex = new Map<string, number>()
  private readonly weights: Float64Array
  private readonly bias: Float64Array

  constructor(examples: readonly TrainingExample[], settings: Partial<ClassifierSettings> = {}) {
    const options = { ...DEFAULT_CLASSIFIER_SETTINGS, ...settings }
    this.temperature = options.temperature
    this.labels = [...new Set(examples.map((example) => example.label))].sort()
    const labelIndex = new Map(this.labels.map((label, index) => [label, index]))
    for (const example of examples)
      for (const feature of example.features.keys())
        if (!this.featureIndex.has(feature)) this.featureIndex.set(feature, this.featureIndex.size)
    const classes = this.labels.length
    this.weights = new Float64Array(this.featureIndex.size * classes)
    this.bias = new Float64Array(classes)
    const squared = new Float64Array(this.weights.length)
    const biasSquared = new Float64Array(classes)
    const encoded = examples.map((example) => ({
      indices: [...example.features.keys()].map((feature) => this.featureIndex.get(feature) ?? 0),
      values: [...example.features.values()],
      label: labelIndex.get(example.label) ?? 0,
      weight: example.weight,
    }))
    const order = encoded.map((_, index) => index)
    const random = seededRandom(7)
    const logits = new Float64Array(classes)
    // The average of the weights after each epoch: one late, lucky-ordered step then cannot tip
    // a near tie, and a change to one runbook changes the model a little, not at random.
    const averageWeights = new Float64Array(this.weights.length)
    const averageBias = new Float64Array(classes)
    for (let epoch = 0; epoch < options.epochs; epoch += 1) {
      shuffle(order, random)
      for (const position of order) {
        const example = encoded[position]
        if (!example) continue
        this.logitsInto(example.indices, example.values, logits)
        softmaxInPlace(logits)
        for (let label = 0; label < classes; label += 1) {
          const gradient =
            example.weight * ((logits[label] ?? 0) - (label === example.label ? 1 : 0))
          // Most classes are already near 0 for most examples: skipping them is most of the speed.
          if (Math.abs(gradient) < SKIP_GRADIENT) continue
          biasSquared[label] = (biasSquared[label] ?? 0) + gradient * gradient
          this.bias[label] =
            (this.bias[label] ?? 0) -
            (options.learningRate * gradient) / Math.sqrt((biasSquared[label] ?? 0) + 1e-8)
          for (let slot = 0; slot < example.indices.length; slot += 1) {
            const at = (example.indices[slot] ?? 0) * classes + label
            const current = this.weights[at] ?? 0
            const step = gradient * (example.values[slot] ?? 0) + options.l2 * current
            squared[at] = (squared[at] ?? 0) + step * step
            this.weights[at] =
              current - (options.learningRate * step) / Math.sqrt((squared[at] ?? 0) + 1e-8)
          }
        }
      }
      for (let index = 0; index < averageWeights.length; index += 1)
        averageWeights[index] =
          (averageWeights[index] ?? 0) + (this.weights[index] ?? 0) / options.epochs
      for (let index = 0; index < classes; index += 1)
        averageBias[index] = (averageBias[index] ?? 0) + (this.bias[index] ?? 0) / options.epochs
    }
    this.weights.set(averageWeights)
    this.bias.set(averageBias)
  }

  /** Whether training saw this feature. */
  knows(feature: string): boolean {
    return this.featureIndex.has(feature)
  }

  /** Raw scores per label (in `labels` order), before the temperature. */
  logits(features: FeatureVector): Float64Array {
    const indices: number[] = []
    const values: number[] = []
    for (const [feature, value] of features) {
      const index = this.featureIndex.get(feature)
      if (index === undefined) continue
      indices.push(index)
      values.push(value)
    }
    const logits = new Float64Array(this.labels.length)
    this.logitsInto(indices, values, logits)
    return logits
  }

  /** Calibrated probabilities per label (in `labels` order). */
  probabilities(features: FeatureVector): Float64Array {
    const logits = this.logits(features)
    for (let index = 0; index < logits.length; index += 1)
      logits[index] = (logits[index] ?? 0) / this.temperature
    return softmaxInPlace(logits)
  }

  private logitsInto(indices: readonly number[], values: readonly number[], into: Float64Array) {
    const classes = this.labels.length
    into.set(this.bias)
    for (let slot = 0; slot < indices.length; slot += 1) {
      const base = (indices[slot] ?? 0) * classes
      const value = values[slot] ?? 0
      for (let label = 0; label < classes; label += 1)
        into[label] = (into[label] ?? 0) + value * (this.weights[base + label] ?? 0)
    }
  }
}

export function softmaxInPlace(values: Float64Array): Float64Array {
  let maximum = Number.NEGATIVE_INFINITY
  for (const value of values) if (value > maximum) maximum = value
  let sum = 0
  for (let index = 0; index < values.length; index += 1) {
    const exponent = Math.exp((values[index] ?? 0) - maximum)
    values[index] = exponent
    sum += exponent
  }
  for (let index = 0; index < values.length; index += 1) values[index] = (values[index] ?? 0) / sum
  return values
}

/**
 * The temperature that minimises the negative log-likelihood of held-out logits (a 1-D search;
 * the likelihood is unimodal in the temperature): temperature scaling, the calibration that keeps
 * the ranking and only makes "how sure" mean what it says.
 */
export function fitTemperature(
  heldOut: ReadonlyArray<{ logits: Float64Array; label: number }>,
): number {
  const loss = (temperature: number) => {
    let total = 0
    for (const { logits, label } of heldOut) {
      const scaled = logits.map((value) => value / temperature)
      total -= Math.log((softmaxInPlace(scaled)[label] ?? 0) + 1e-12)
    }
    return total
  }
  let low = 0.05
  let high = 20
  for (let iteration = 0; iteration < 60; iteration += 1) {
    const left = low + (high - low) / 3
    const right = high - (high - low) / 3
    if (loss(left) < loss(right)) high = right
    else low = left
  }
  return (low + high) / 2
}

/** Mulberry32: a small seeded generator, so training is the same on every start. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
}

function shuffle(order: number[], random: () => number): void {
  for (let index = order.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1))
    const held = order[index] ?? 0
    order[index] = order[other] ?? 0
    order[other] = held
  }
}
