/**
 * A line diff between two versions of a runbook, for the version history: the longest common
 * subsequence of lines (runbooks are a few hundred lines, so the quadratic table is small), shown
 * as unified-diff lines with a few lines of context around each change.
 * @module
 */

export interface DiffLine {
  kind: 'same' | 'added' | 'removed'
  text: string
  /** 1-based line in the old text (same, removed) or the new one (added). */
  line: number
}

/** Above this many lines on either side the diff is the whole old text removed, the new added. */
const MAX_LINES = 4000

/** Every line of both texts, in order, marked same, added or removed. */
export function diffLines(before: string, after: string): DiffLine[] {
  const left = before === '' ? [] : before.split('\n')
  const right = after === '' ? [] : after.split('\n')
  if (left.length > MAX_LINES || right.length > MAX_LINES) {
    return [
      ...left.map((text, index) => ({ kind: 'removed' as const, text, line: index + 1 })),
      ...right.map((text, index) => ({ kind: 'added' as const, text, line: index + 1 })),
    ]
  }
  const columns = right.length + 1
  // lengths[i * columns + j]: the common subsequence of left[i..] and right[j..].
  const lengths = new Uint32Array((left.length + 1) * columns)
  for (let i = left.length - 1; i >= 0; i -= 1) {
    for (let j = right.length - 1; j >= 0; j -= 1) {
      lengths[i * columns + j] =
        left[i] === right[j]
          ? (lengths[(i + 1) * columns + j + 1] ?? 0) + 1
          : Math.max(lengths[(i + 1) * columns + j] ?? 0, lengths[i * columns + j + 1] ?? 0)
    }
  }
  const result: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < left.length || j < right.length) {
    if (i < left.length && j < right.length && left[i] === right[j]) {
      result.push({ kind: 'same', text: left[i] ?? '', line: i + 1 })
      i += 1
      j += 1
    } else if (
      j < right.length &&
      (i >= left.length ||
        (lengths[i * columns + j + 1] ?? 0) > (lengths[(i + 1) * columns + j] ?? 0))
    ) {
      // On a tie the removal comes first, as in `diff -u`.
      result.push({ kind: 'added', text: right[j] ?? '', line: j + 1 })
      j += 1
    } else {
      result.push({ kind: 'removed', text: left[i] ?? '', line: i + 1 })
      i += 1
    }
  }
  return result
}

/** A unified diff (`---`/`+++` headers, `@@` hunks, `context` lines around each change). */
export function unifiedDiff(
  before: string,
  after: string,
  names: { before: string; after: string },
  context = 3,
): string {
  const lines = diffLines(before, after)
  const changed = lines.map((line) => line.kind !== 'same')
  if (!changed.includes(true)) return ''
  const keep = lines.map((_, index) => {
    for (
      let k = Math.max(0, index - context);
      k <= Math.min(lines.length - 1, index + context);
      k++
    )
      if (changed[k]) return true
    return false
  })
  const output = [`--- ${names.before}`, `+++ ${names.after}`]
  let oldLine = 1
  let newLine = 1
  let index = 0
  while (index < lines.length) {
    if (!keep[index]) {
      const line = lines[index]
      if (line?.kind !== 'added') oldLine += 1
      if (line?.kind !== 'removed') newLine += 1
      index += 1
      continue
    }
    const hunk: string[] = []
    const oldStart = oldLine
    const newStart = newLine
    let oldCount = 0
    let newCount = 0
    while (index < lines.length && keep[index]) {
      const line = lines[index]
      if (!line) break
      const prefix = line.kind === 'added' ? '+' : line.kind === 'removed' ? '-' : ' '
      hunk.push(`${prefix}${line.text}`)
      if (line.kind !== 'added') {
        oldLine += 1
        oldCount += 1
      }
      if (line.kind !== 'removed') {
        newLine += 1
        newCount += 1
      }
      index += 1
    }
    output.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`, ...hunk)
  }
  return `${output.join('\n')}\n`
}
