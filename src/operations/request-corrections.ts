import type { ReadOperation } from './request-words.ts'

/**
 * Corrections a technician types after a misspelt name: "is the dataprocesor service running
 * on dp01? (dataprocessor, sorry)", "restart ngnix on web01, I mean nginx", "stop postgrse*
 * postgres". The corrected name replaces the value it is a near spelling of (one or two letters
 * off, the edit distance), so the step runs on the name meant; a value not near it is kept.
 * @module
 */

const NAME = String.raw`([A-Za-z0-9][A-Za-z0-9@._+-]*[A-Za-z0-9+])`

const CORRECTIONS: readonly RegExp[] = [
  // "(dataprocessor, sorry)", "(nginx - typo)"; a bracket without such a word ("restart smbd
  // (nmbd)") is no correction.
  new RegExp(
    String.raw`\(\s*(?:(?:i\s+mean(?:t)?|sorry,?|oops,?)\s+${NAME}|${NAME}\s*[,:-]?\s*(?:sorry|oops|typo|my\s+bad))\s*\)`,
    'gi',
  ),
  // "sorry, I meant nginx", "I mean nginx", "oops: nginx"
  new RegExp(String.raw`\b(?:(?:sorry|oops)[,:]?\s+)?i\s+mean(?:t)?\s+${NAME}`, 'gi'),
  new RegExp(String.raw`\b(?:sorry|oops|typo)[,:]\s+${NAME}\b`, 'gi'),
  // "nginx*": the starred word is the correction.
  new RegExp(String.raw`(?:^|\s)${NAME}\*(?=\s|$)`, 'g'),
]

/** The names a request corrects, as typed. */
function correctionsIn(text: string): string[] {
  return CORRECTIONS.flatMap((pattern) =>
    [...text.matchAll(pattern)].map((match) => match[1] ?? match[2] ?? ''),
  ).filter((name) => name.length >= 4)
}

/** Steps with each near-miss value replaced by the name the request corrects it to. */
export function withCorrections(text: string, operations: ReadOperation[]): ReadOperation[] {
  const corrections = correctionsIn(text)
  if (corrections.length === 0) return operations
  return operations.map((step) => {
    const parameters = { ...step.parameters }
    for (const [key, value] of Object.entries(parameters)) {
      if (typeof value !== 'string') continue
      const meant = corrections.find((name) => {
        const distance = editDistance(value.toLowerCase(), name.toLowerCase())
        return distance > 0 && distance <= 2
      })
      if (meant) parameters[key] = meant
    }
    return { operation: step.operation, parameters }
  })
}

/** Levenshtein distance: the letters inserted, deleted or changed between two words. */
export function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index)
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row]
    for (let column = 1; column <= right.length; column += 1) {
      const changed = left[row - 1] === right[column - 1] ? 0 : 1
      current[column] = Math.min(
        (previous[column] ?? 0) + 1,
        (current[column - 1] ?? 0) + 1,
        (previous[column - 1] ?? 0) + changed,
      )
    }
    previous = current
  }
  return previous[right.length] ?? 0
}
