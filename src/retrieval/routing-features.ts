import { analyze, normalize, termOf } from '../embeddings/text-analysis.ts'
import type { SpellingCorrector } from './spelling-corrector.ts'
import type { WordExpansion } from './word-expansion.ts'

/** A sparse feature vector: feature name to value, L2-normalised. */
export type FeatureVector = Map<string, number>

const WORD_WEIGHT = 1
const BIGRAM_WEIGHT = 0.7
const CHAR_WEIGHT = 0.6
const PHRASE_WEIGHT = 0.5
const CHAR_GRAM_SIZES = [3, 4, 5] as const

/**
 * Unseen words read through their neighbours, per text: each costs a scan of the training
 * vocabulary (~0.5-2 ms) the first time, and a long message should not cost the p99.
 */
const MAX_EXPANDED_WORDS = 8

const RAW_WORD = /[a-z0-9]+(?:'[a-z]+)?/g

/**
 * The features the intent classifier reads: stemmed content words and their bigrams (after
 * spelling correction against the runbooks' vocabulary), character 3-5-grams of each word (which
 * absorb typos and word forms the examples never used), and bigrams of the raw words including
 * function words ("how do", "can you", "where is"), which tell a how-to or a chat from a fault.
 */
export function routingFeatures(
  text: string,
  corrector?: SpellingCorrector,
  expansion?: WordExpansion,
): FeatureVector {
  const { tokens, terms } = analyze(text)
  const counts = new Map<string, number>()
  const add = (feature: string, weight: number) =>
    counts.set(feature, (counts.get(feature) ?? 0) + weight)
  let expanded = 0
  const words = tokens.map((token, index) => {
    const unseen = corrector !== undefined && !corrector.knows(token)
    // A real English word the training texts never used ("roasting") is not a typo of a training
    // word one edit away ("roaming"): it is read through its meaning instead.
    const realWord = unseen && expansion?.settings.realWords === true && expansion.knows(token)
    const corrected = realWord ? undefined : corrector?.correct(token)
    if (
      !corrected &&
      expansion &&
      unseen &&
      expanded < MAX_EXPANDED_WORDS &&
      expansion.expands(token)
    ) {
      expanded += 1
      for (const { word, similarity } of expansion.neighbours(token))
        add(`w:${termOf(word)}`, expansion.settings.weight * similarity)
    }
    return corrected ? termOf(corrected) : (terms[index] ?? token)
  })
  for (const word of words) add(`w:${word}`, WORD_WEIGHT)
  for (let index = 1; index < words.length; index += 1)
    add(`b:${words[index - 1]} ${words[index]}`, BIGRAM_WEIGHT)
  for (const token of tokens) {
    const padded = `#${token}#`
    const grams: string[] = []
    for (const size of CHAR_GRAM_SIZES)
      for (let start = 0; start + size <= padded.length; start += 1)
        grams.push(padded.slice(start, start + size))
    // A fixed weight per word, spread over its grams, so long words do not drown short ones.
    for (const gram of grams) add(`c:${gram}`, CHAR_WEIGHT / Math.sqrt(grams.length))
  }
  const raw =
    normalize(text)
      .replace(/[\u2018\u2019]/g, "'")
      .match(RAW_WORD) ?? []
  for (let index = 0; index < raw.length; index += 1) {
    add(`p:${raw[index - 1] ?? '^'} ${raw[index]}`, PHRASE_WEIGHT)
  }
  return normalise(counts)
}

/** The words a corrector should know: the analysed tokens of the training texts. */
export function vocabularyOf(texts: Iterable<string>): string[] {
  const words: string[] = []
  for (const text of texts) words.push(...analyze(text).tokens)
  return words
}

function normalise(counts: Map<string, number>): FeatureVector {
  let norm = 0
  const vector: FeatureVector = new Map()
  for (const [feature, count] of counts) {
    const value = count > 1 ? 1 + Math.log(count) : count
    vector.set(feature, value)
    norm += value * value
  }
  norm = Math.sqrt(norm)
  if (norm > 0) for (const [feature, value] of vector) vector.set(feature, value / norm)
  return vector
}
