import { analyze } from '../embeddings/text-analysis.ts'
import { OUT_OF_SCOPE_PREFIX } from '../knowledge/ingest/chunk-instructions.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { OutOfScopeTopic } from '../knowledge/out-of-scope.ts'

type SparseVector = Map<string, number>

interface LexicalDocument {
  taskType: string
  vector: SparseVector
}

const WORD_WEIGHT = 1
const BIGRAM_WEIGHT = 0.8
const CHAR_WEIGHT = 0.25

/**
 * The second stage of routing: TF-IDF similarity between a request and the example requests of
 * the candidate task types. Inverse document frequency comes from the runbooks themselves, so
 * words every runbook uses ("not working", "laptop") count little and telling ones ("toner",
 * "809", "caa70004") count a lot. Chroma's vectors cannot carry such corpus weights without
 * rebuilding the collection whenever any runbook changes, so this stage runs in process over the
 * loaded runbooks (a few hundred sparse vectors, well under a millisecond per request).
 */
export class LexicalScorer {
  private readonly documentsByTask = new Map<string, LexicalDocument[]>()
  private readonly inverseFrequency = new Map<string, number>()
  private readonly defaultInverseFrequency: number

  constructor(instructions: readonly Instruction[], outOfScope: readonly OutOfScopeTopic[]) {
    const texts: Array<{ taskType: string; text: string }> = []
    for (const instruction of instructions) {
      for (const text of [...instruction.examples, ...instruction.keywords, instruction.title]) {
        texts.push({ taskType: instruction.id, text })
      }
    }
    for (const topic of outOfScope) {
      for (const text of topic.examples)
        texts.push({ taskType: `${OUT_OF_SCOPE_PREFIX}${topic.topic}`, text })
    }
    const counts = texts.map(({ text }) => features(text))
    const documentFrequency = new Map<string, number>()
    for (const count of counts) {
      for (const feature of count.keys())
        documentFrequency.set(feature, (documentFrequency.get(feature) ?? 0) + 1)
    }
    const total = texts.length
    for (const [feature, frequency] of documentFrequency) {
      this.inverseFrequency.set(feature, Math.log((1 + total) / (1 + frequency)) + 1)
    }
    this.defaultInverseFrequency = Math.log(1 + total) + 1
    texts.forEach(({ taskType }, index) => {
      const list = this.documentsByTask.get(taskType) ?? []
      list.push({ taskType, vector: this.weigh(counts[index] ?? new Map()) })
      this.documentsByTask.set(taskType, list)
    })
  }

  /** Task types (and out-of-scope topics) this scorer knows. */
  get taskTypes(): string[] {
    return [...this.documentsByTask.keys()]
  }

  /**
   * Cosine similarities between the text and each document of each requested task type, best
   * first per task type.
   */
  similarities(text: string, taskTypes: Iterable<string>): Map<string, number[]> {
    const query = this.weigh(features(text))
    const result = new Map<string, number[]>()
    for (const taskType of taskTypes) {
      const documents = this.documentsByTask.get(taskType) ?? []
      result.set(
        taskType,
        documents
          .map((document) => dot(query, document.vector))
          .sort((left, right) => right - left),
      )
    }
    return result
  }

  private weigh(counts: Map<string, number>): SparseVector {
    const vector: SparseVector = new Map()
    let norm = 0
    for (const [feature, count] of counts) {
      // Sub-linear: a word said twice is not twice as telling.
      const weight = count > 1 ? 1 + Math.log(count) : count
      const value = weight * (this.inverseFrequency.get(feature) ?? this.defaultInverseFrequency)
      vector.set(feature, value)
      norm += value * value
    }
    norm = Math.sqrt(norm)
    if (norm > 0) for (const [feature, value] of vector) vector.set(feature, value / norm)
    return vector
  }
}

function features(text: string): Map<string, number> {
  const { terms, tokens } = analyze(text)
  const counts = new Map<string, number>()
  const add = (feature: string, weight: number) =>
    counts.set(feature, (counts.get(feature) ?? 0) + weight)
  for (const term of terms) add(`w:${term}`, WORD_WEIGHT)
  for (let index = 1; index < terms.length; index += 1)
    add(`b:${terms[index - 1]} ${terms[index]}`, BIGRAM_WEIGHT)
  for (const token of tokens) {
    if (token.length < 5) continue
    const padded = `#${token}#`
    for (let start = 0; start + 4 <= padded.length; start += 1)
      add(`c:${padded.slice(start, start + 4)}`, CHAR_WEIGHT)
  }
  return counts
}

function dot(left: SparseVector, right: SparseVector): number {
  const [small, large] = left.size <= right.size ? [left, right] : [right, left]
  let sum = 0
  for (const [feature, value] of small) sum += value * (large.get(feature) ?? 0)
  return sum
}
