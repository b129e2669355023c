/**
 * Semantic similarity for words the training texts never used: an unseen word ("mute",
 * "unresponsive") is read as its nearest training words in the word-vector space ("sound",
 * "frozen"), each weighted by its cosine, so the classifier sees words it has weights for.
 * @module
 */
import type { WordVectors } from './word-vectors.ts'

export interface WordExpansionSettings {
  /** At most this many training words stand in for one unseen word. */
  neighbours: number
  /** Cosine below which a training word is not a stand-in. */
  minimumSimilarity: number
  /** A stand-in counts this much (times its cosine) against a word the text really has. */
  weight: number
  /** Unseen words the vectors know are real words: expanded, never spelling-corrected. */
  realWords: boolean
  /**
   * Words among this many most frequent English words are not expanded: "once", "press",
   * "possible" carry no topic, and their news-text neighbours ("new", "media") pull the request
   * towards whatever runbook uses those. 0 (the default): measured 1000 and 300 by
   * cross-validation and on the dev sets, neither changed a figure; discourse words suffice.
   */
  commonWords: number
  /** Nor are interjections and discourse words ("oh", "plus", "anyway"), whatever their rank. */
  skipDiscourseWords: boolean
}

/**
 * Closed-class words that say how something is said, not what about: their vectors sit among
 * other chatty words ("oh" near "sorry", "crazy"), never near a topic.
 */
const DISCOURSE_WORDS = new Set(
  (
    'oh ah aw eh uh um umm hmm hm ugh argh meh wow yay oops ouch lol haha hey hiya ' +
    'plus anyway anyways anyhow besides moreover furthermore meanwhile otherwise though although ' +
    'whereas whether unless until once while ever never even maybe perhaps probably possibly ' +
    'basically literally actually honestly seriously totally absolutely definitely certainly ' +
    'sorry apologies cheers kindly asap urgent urgently'
  ).split(' '),
)

export const DEFAULT_WORD_EXPANSION: WordExpansionSettings = {
  neighbours: 3,
  minimumSimilarity: 0.5,
  weight: 0.8,
  realWords: true,
  commonWords: 0,
  skipDiscourseWords: true,
}

export interface Neighbour {
  word: string
  similarity: number
}

const CACHE_LIMIT = 10_000
const WARM_UP_WORDS = 'people time year world government company house city family country'.split(
  ' ',
)

export class WordExpansion {
  readonly settings: WordExpansionSettings
  private readonly vectors: WordVectors
  private readonly known: string[] = []
  private readonly matrix: Float32Array
  private readonly cache = new Map<string, Neighbour[]>()

  /** `vocabulary`: the training texts' words, the only words an expansion may lead to. */
  constructor(
    vectors: WordVectors,
    vocabulary: Iterable<string>,
    settings: Partial<WordExpansionSettings> = {},
  ) {
    this.settings = { ...DEFAULT_WORD_EXPANSION, ...settings }
    this.vectors = vectors
    const rows: Float32Array[] = []
    for (const word of new Set(vocabulary)) {
      const vector = vectors.vector(word)
      if (!vector) continue
      this.known.push(word)
      rows.push(vector)
    }
    this.matrix = new Float32Array(rows.length * vectors.dimensions)
    rows.forEach((row, index) => {
      this.matrix.set(row, index * vectors.dimensions)
    })
    // The scan is compiled on first use; paying that here (~50 ms, once) keeps it out of the
    // first requests' latency. The scans' results are not kept.
    for (const word of WARM_UP_WORDS) this.scan(word)
  }

  /** Whether the word vectors hold this word (a real word, not a typo). */
  knows(word: string): boolean {
    return this.vectors.has(word)
  }

  /** Whether an unseen word is worth reading through its neighbours (see the settings). */
  expands(word: string): boolean {
    if (this.settings.skipDiscourseWords && DISCOURSE_WORDS.has(word)) return false
    const rank = this.vectors.rank(word)
    return rank === undefined || rank >= this.settings.commonWords
  }

  /** The training words nearest to `word`, best first; empty when the vectors lack it. */
  neighbours(word: string): readonly Neighbour[] {
    const cached = this.cache.get(word)
    if (cached) return cached
    const found = this.scan(word)
    if (this.cache.size > CACHE_LIMIT) this.cache.clear()
    this.cache.set(word, found)
    return found
  }

  private scan(word: string): Neighbour[] {
    const found: Neighbour[] = []
    const vector = this.vectors.vector(word)
    if (vector) {
      const dimensions = this.vectors.dimensions
      const matrix = this.matrix
      // The hot loop of an unseen word: plain indexed reads (both arrays are dense, sized by
      // construction), which the JIT turns into a tight loop.
      for (let row = 0, base = 0; row < this.known.length; row += 1, base += dimensions) {
        let dot = 0
        for (let dimension = 0; dimension < dimensions; dimension += 1)
          dot += (vector[dimension] as number) * (matrix[base + dimension] as number)
        if (dot < this.settings.minimumSimilarity) continue
        found.push({ word: this.known[row] ?? '', similarity: dot })
      }
      found.sort((left, right) => right.similarity - left.similarity)
      found.length = Math.min(found.length, this.settings.neighbours)
    }
    return found
  }
}
