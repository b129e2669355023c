/**
 * Corrects misspelt words against the vocabulary of the runbooks' own examples: "outlok",
 * "pasword", "priner" become the words the classifier was trained on. Only words the vocabulary
 * does not know are touched, and only to a known word one edit away (two for long words), the
 * most frequent one winning, so a correct but unseen word ("sluggish") is left alone unless a
 * near-identical training word exists.
 */
export class SpellingCorrector {
  private readonly frequency = new Map<string, number>()
  /** Known words by length, so a lookup compares only words of a near length. */
  private readonly byLength = new Map<number, Array<{ word: string; letters: number }>>()
  private readonly cache = new Map<string, string | undefined>()

  constructor(words: Iterable<string>) {
    for (const word of words) this.frequency.set(word, (this.frequency.get(word) ?? 0) + 1)
    for (const word of this.frequency.keys()) {
      if (word.length < MIN_LENGTH - 1) continue
      const list = this.byLength.get(word.length) ?? []
      list.push({ word, letters: letterMask(word) })
      this.byLength.set(word.length, list)
    }
  }

  knows(word: string): boolean {
    return this.frequency.has(word)
  }

  /** The known word meant by `word`, or undefined when it is known, too short or too far. */
  correct(word: string): string | undefined {
    if (word.length < MIN_LENGTH || this.frequency.has(word) || !/^[a-z]+$/.test(word))
      return undefined
    if (this.cache.has(word)) return this.cache.get(word)
    const limit = word.length >= LONG_WORD ? 2 : 1
    let best: string | undefined
    let bestDistance = limit + 1
    let bestFrequency = 0
    const letters = letterMask(word)
    for (let length = word.length - limit; length <= word.length + limit; length += 1) {
      for (const { word: candidate, letters: candidateLetters } of this.byLength.get(length) ??
        []) {
        // One edit changes at most two letters of the set of letters used: a cheap first sieve.
        if (bitCount(letters ^ candidateLetters) > 2 * limit) continue
        const distance = editDistance(word, candidate, limit)
        const frequency = this.frequency.get(candidate) ?? 0
        if (distance < bestDistance || (distance === bestDistance && frequency > bestFrequency)) {
          best = candidate
          bestDistance = distance
          bestFrequency = frequency
        }
      }
    }
    const corrected = bestDistance <= limit ? best : undefined
    if (this.cache.size > CACHE_LIMIT) this.cache.clear()
    this.cache.set(word, corrected)
    return corrected
  }
}

/** The set of letters a word uses, one bit per letter a-z. */
function letterMask(word: string): number {
  let mask = 0
  for (let index = 0; index < word.length; index += 1) {
    const code = word.charCodeAt(index) - 97
    if (code >= 0 && code < 26) mask |= 1 << code
  }
  return mask
}

function bitCount(value: number): number {
  let count = 0
  let rest = value
  while (rest) {
    rest &= rest - 1
    count += 1
  }
  return count
}

const MIN_LENGTH = 4
const LONG_WORD = 8
const CACHE_LIMIT = 10_000

/**
 * Optimal string alignment distance (Damerau-Levenshtein without repeated edits of one
 * substring): a swapped pair of letters ("pasword" / "passwrod") is one typo, not two.
 * Returns limit + 1 as soon as the distance must exceed `limit`.
 */
export function editDistance(left: string, right: string, limit: number): number {
  if (Math.abs(left.length - right.length) > limit) return limit + 1
  const width = right.length + 1
  let previousPrevious = new Array<number>(width).fill(0)
  let previous = Array.from({ length: width }, (_, index) => index)
  let current = new Array<number>(width).fill(0)
  for (let row = 1; row <= left.length; row += 1) {
    current[0] = row
    let rowMinimum = row
    for (let column = 1; column <= right.length; column += 1) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1
      let value = Math.min(
        (previous[column] ?? 0) + 1,
        (current[column - 1] ?? 0) + 1,
        (previous[column - 1] ?? 0) + cost,
      )
      if (
        row > 1 &&
        column > 1 &&
        left[row - 1] === right[column - 2] &&
        left[row - 2] === right[column - 1]
      )
        value = Math.min(value, (previousPrevious[column - 2] ?? 0) + 1)
      current[column] = value
      if (value < rowMinimum) rowMinimum = value
    }
    if (rowMinimum > limit) return limit + 1
    ;[previousPrevious, previous, current] = [previous, current, previousPrevious]
  }
  return previous[right.length] ?? limit + 1
}
