import { createHash } from 'node:crypto'
import { OUT_OF_SCOPE_PREFIX } from '../knowledge/ingest/chunk-instructions.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { OutOfScopeTopic } from '../knowledge/out-of-scope.ts'
import {
  type ClassifierSettings,
  fitTemperature,
  IntentClassifier,
  type TrainingExample,
} from './intent-classifier.ts'
import { type FeatureVector, routingFeatures, vocabularyOf } from './routing-features.ts'
import { SpellingCorrector } from './spelling-corrector.ts'
import { WordExpansion, type WordExpansionSettings } from './word-expansion.ts'
import { loadWordVectors, type WordVectors } from './word-vectors.ts'

const trained = new Map<string, RoutingModel>()
const TRAINED_LIMIT = 4

/** One text the model learns from, with its class: a task type or `out_of_scope:<topic>`. */
export interface LabelledText {
  text: string
  label: string
  weight: number
}

/** How much each kind of runbook text counts; example requests are the reference. */
const KEYWORD_WEIGHT = 0.5
const TITLE_WEIGHT = 0.5
const SUMMARY_WEIGHT = 0.3
/** Out-of-scope examples outnumber any one runbook's; weighing them less keeps the prior fair. */
const OUT_OF_SCOPE_WEIGHT = 1

/** The texts of the runbooks and of the out-of-scope topics, labelled. */
export function trainingTexts(
  instructions: readonly Instruction[],
  outOfScope: readonly OutOfScopeTopic[],
  outOfScopeClasses: 'topics' | 'one' = 'topics',
  outOfScopeWeight = OUT_OF_SCOPE_WEIGHT,
): LabelledText[] {
  const texts: LabelledText[] = []
  for (const instruction of instructions) {
    const label = instruction.id
    for (const text of instruction.examples) texts.push({ text, label, weight: 1 })
    for (const text of instruction.keywords) texts.push({ text, label, weight: KEYWORD_WEIGHT })
    texts.push({ text: instruction.title, label, weight: TITLE_WEIGHT })
    texts.push({ text: instruction.summary, label, weight: SUMMARY_WEIGHT })
  }
  for (const topic of outOfScope) {
    const label = `${OUT_OF_SCOPE_PREFIX}${outOfScopeClasses === 'one' ? 'any' : topic.topic}`
    for (const text of topic.examples) texts.push({ text, label, weight: outOfScopeWeight })
  }
  return texts
}

export interface RoutingModelOptions extends Partial<ClassifierSettings> {
  /**
   * Folds for calibrating the temperature on held-out predictions; 0 keeps the given (or default)
   * temperature and trains once.
   */
  calibrationFolds?: number
  /**
   * Word vectors for words the training texts never used; `fromKnowledge` loads the installed
   * ones when this is left out, `null` routes without them.
   */
  wordVectors?: WordVectors | null
  /** How unseen words are expanded to training words. */
  expansion?: Partial<WordExpansionSettings>
}

/** Class probabilities of one text: task types and out-of-scope topics. */
export interface ClassProbabilities {
  /** Every task type's probability, unsorted. */
  tasks: Map<string, number>
  /** The summed probability of all out-of-scope topics. */
  outOfScope: number
  /** The most likely out-of-scope topic (without the prefix). */
  topic: string | undefined
  /** The probability of that topic alone. */
  topicProbability: number
  /**
   * How many of the text's words and word pairs the training texts used: 0 means unknown ground.
   */
  knownWords: number
  /**
   * The best task's raw logit above the mean of all classes' logits, before any calibration:
   * how strongly the text's own words point at a task, where probabilities only say "more than
   * the others". Set by the router's `classify`; 0 from the model alone.
   */
  evidence: number
}

/**
 * The learned part of the router: a spelling corrector over the runbooks' words and a calibrated
 * intent classifier over runbook examples, keywords, titles, summaries and out-of-scope topics.
 */
export class RoutingModel {
  readonly classifier: IntentClassifier
  readonly corrector: SpellingCorrector
  /** Unseen words to their nearest training words; undefined without word vectors. */
  readonly expansion: WordExpansion | undefined
  /** Milliseconds the training (with calibration) took. */
  readonly trainingMilliseconds: number

  constructor(texts: readonly LabelledText[], options: RoutingModelOptions = {}) {
    const started = performance.now()
    const vocabulary = vocabularyOf(texts.map((each) => each.text))
    this.corrector = new SpellingCorrector(vocabulary)
    this.expansion = options.wordVectors
      ? new WordExpansion(options.wordVectors, vocabulary, options.expansion)
      : undefined
    const examples = texts.map((each) => ({
      // Training texts know all their own words: expansion only ever acts on new text.
      features: routingFeatures(each.text, this.corrector),
      label: each.label,
      weight: each.weight,
    }))
    const folds = options.calibrationFolds ?? 0
    const temperature = folds >= 2 ? calibrate(examples, folds, options) : options.temperature
    this.classifier = new IntentClassifier(examples, {
      ...options,
      ...(temperature !== undefined ? { temperature } : {}),
    })
    this.trainingMilliseconds = performance.now() - started
  }

  /**
   * The model for these runbooks and topics; the same texts and options give the same model, so
   * one process that assembles several runtimes over unchanged runbooks trains once.
   */
  static fromKnowledge(
    instructions: readonly Instruction[],
    outOfScope: readonly OutOfScopeTopic[],
    options: RoutingModelOptions = {},
  ): RoutingModel {
    const texts = trainingTexts(instructions, outOfScope)
    const wordVectors =
      options.wordVectors === undefined ? loadWordVectors() : (options.wordVectors ?? undefined)
    const key = createHash('sha256')
      .update(JSON.stringify([texts, { ...options, wordVectors: wordVectors?.size ?? 0 }]))
      .digest('hex')
    const cached = trained.get(key)
    if (cached) return cached
    const model = new RoutingModel(texts, { ...options, wordVectors: wordVectors ?? null })
    if (trained.size >= TRAINED_LIMIT) trained.clear()
    trained.set(key, model)
    return model
  }

  features(text: string): FeatureVector {
    return routingFeatures(text, this.corrector, this.expansion)
  }

  classify(text: string): ClassProbabilities {
    const features = this.features(text)
    return this.group(this.classifier.probabilities(features), this.knownWords(features))
  }

  /** How many of these features training saw: content words, plus word pairs when asked. */
  knownWords(features: FeatureVector, withPhrases = true): number {
    let known = 0
    for (const feature of features.keys()) {
      const counted = feature.startsWith('w:') || (withPhrases && feature.startsWith('p:'))
      if (counted && this.classifier.knows(feature)) known += 1
    }
    return known
  }

  /** Splits probabilities in label order into task types and out-of-scope topics. */
  group(probabilities: Float64Array, knownWords: number): ClassProbabilities {
    const tasks = new Map<string, number>()
    let outOfScope = 0
    let topic: string | undefined
    let topicProbability = -1
    this.classifier.labels.forEach((label, index) => {
      const probability = probabilities[index] ?? 0
      if (label.startsWith(OUT_OF_SCOPE_PREFIX)) {
        outOfScope += probability
        if (probability > topicProbability) {
          topicProbability = probability
          topic = label.slice(OUT_OF_SCOPE_PREFIX.length)
        }
      } else tasks.set(label, probability)
    })
    return {
      tasks,
      outOfScope,
      topic,
      topicProbability: Math.max(0, topicProbability),
      knownWords,
      evidence: 0,
    }
  }
}

/** Temperature fitted on out-of-fold logits of the example requests (weight 1 only). */
function calibrate(
  examples: readonly TrainingExample[],
  folds: number,
  settings: Partial<ClassifierSettings>,
): number {
  const heldOut: Array<{ logits: Float64Array; label: number }> = []
  for (let fold = 0; fold < folds; fold += 1) {
    const training = examples.filter((_, index) => index % folds !== fold)
    const classifier = new IntentClassifier(training, { ...settings, temperature: 1 })
    examples.forEach((example, index) => {
      if (index % folds !== fold || example.weight < 1) return
      const label = classifier.labels.indexOf(example.label)
      if (label >= 0) heldOut.push({ logits: classifier.logits(example.features), label })
    })
  }
  return fitTemperature(heldOut)
}
