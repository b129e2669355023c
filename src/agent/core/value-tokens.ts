/**
 * The whole value a match in free text belongs to. Extraction patterns recognise a value by its
 * shape, and a shape stops at the first character it does not allow: "jdoe;rm -rf /" has the
 * shape "jdoe". Taking the shape would quietly shorten the value; so the value is the whole
 * token around the match (up to whitespace, less sentence punctuation at its ends), and
 * validation then accepts or refuses that whole token.
 * @module
 */

/** Unicode whitespace. Not `\s`: JavaScript counts U+FEFF as a space, Unicode does not. */
const SPACE = /^\p{White_Space}$/u
/** Punctuation that ends a sentence or a parenthesis, not a value, when it ends a token. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]}>"'’”»]+$/u
/** Punctuation that opens a quotation or a parenthesis when it starts a token. */
const LEADING_PUNCTUATION = /^[([{<"'‘“«]+/u
/** An English possessive: "jdoe's laptop" is about jdoe. */
const POSSESSIVE = /['’]s$/u
/** Key-value separators: "host=LT-0423" and "login:jdoe" give the value after them. */
const KEY_SEPARATORS = new Set([':', '='])
/**
 * Opening quote -> the quotes that may close it. Not the backtick: in a shell it runs a command,
 * so "`id`" is kept whole (and refused), not read as the name "id".
 */
const CLOSING_QUOTES: Readonly<Record<string, readonly string[]>> = {
  '"': ['"', '”'],
  "'": ["'", '’'],
  '“': ['”', '"'],
  '‘': ['’', "'"],
  '«': ['»'],
}

export interface TokenOptions {
  /**
   * Also take what is glued to the left of the match ("x;LT-0423" is one token). For matches
   * found by shape alone; a value after a cue word starts where the cue ends.
   */
  extendLeft?: boolean
}

/**
 * The whole token containing `text.slice(start, end)`. A value that opens with a quote (the
 * character before `start`, or the first of the token) runs to its closing quote, spaces
 * included: `user "John Doe"` names "John Doe", never "John".
 */
export function wholeToken(
  text: string,
  start: number,
  end: number = start,
  options: TokenOptions = {},
): string {
  const quoted = quotedValue(text, start)
  if (quoted !== undefined) return quoted
  let from = start
  if (options.extendLeft) {
    while (from > 0 && !isSpace(text[from - 1]) && !KEY_SEPARATORS.has(text[from - 1] ?? ''))
      from -= 1
  }
  let to = Math.max(end, start)
  while (to < text.length && !isSpace(text[to])) to += 1
  return trimPunctuation(text.slice(from, to))
}

/** A token less its sentence punctuation and possessive ("(jdoe's)." -> "jdoe"). */
export function trimPunctuation(token: string): string {
  return trimTrailingPunctuation(token.replace(LEADING_PUNCTUATION, ''))
}

/** A token less the sentence punctuation and possessive at its end ("Admins's," -> "Admins"). */
export function trimTrailingPunctuation(token: string): string {
  let value = token
  for (;;) {
    const trimmed = value
      .replace(TRAILING_PUNCTUATION, (run) => unbalanced(value, run))
      .replace(POSSESSIVE, '')
    if (trimmed === value) return value
    value = trimmed
  }
}

const OPENING_BRACKETS: Readonly<Record<string, string>> = {
  ')': '(',
  ']': '[',
  '}': '{',
  '>': '<',
}

/**
 * The part of a trailing punctuation run that is not the value's own: a closing bracket stays
 * when the token opened it ("$(reboot)" is shown and refused as written, not as "$(reboot").
 */
function unbalanced(token: string, run: string): string {
  const body = token.slice(0, token.length - run.length)
  let kept = 0
  for (const character of run) {
    const opening = OPENING_BRACKETS[character]
    if (opening === undefined) break
    const opened = body.split(opening).length - 1
    const closed = (body + run.slice(0, kept)).split(character).length - 1
    if (opened <= closed) break
    kept += 1
  }
  return run.slice(0, kept)
}

function quotedValue(text: string, start: number): string | undefined {
  return quotedAt(text, CLOSING_QUOTES[text[start - 1] ?? ''] ? start - 1 : start)
}

/**
 * The text between the quote at `opening` and its closing quote; undefined when `opening` is
 * not a quote or the quote is never closed (or closed with something glued after it).
 */
export function quotedAt(text: string, opening: number): string | undefined {
  const closers = CLOSING_QUOTES[text[opening] ?? '']
  if (!closers) return undefined
  for (let index = opening + 1; index < text.length; index += 1) {
    if (!closers.includes(text[index] ?? '')) continue
    // The closing quote must end the value: `"jdoe"x` is not a quoted jdoe.
    const after = text[index + 1]
    if (after === undefined || isSpace(after) || /[.,;:!?)]/.test(after)) {
      return text.slice(opening + 1, index)
    }
    return undefined
  }
  return undefined
}

function isSpace(character: string | undefined): boolean {
  return character !== undefined && SPACE.test(character)
}

/**
 * The candidate whose value is most like the value it would replace (the longest common start
 * plus end); the first among equals, so the parameters' order still decides the rest.
 */
export function mostLike<Candidate extends { parameter: string; value: string }>(
  candidates: readonly Candidate[],
  known: Readonly<Record<string, string>>,
): Candidate | undefined {
  let best: Candidate | undefined
  let bestShared = -1
  for (const candidate of candidates) {
    const shared = sharedEnds(candidate.value, known[candidate.parameter] ?? '')
    if (shared > bestShared) {
      best = candidate
      bestShared = shared
    }
  }
  return best
}

function sharedEnds(left: string, right: string): number {
  const a = left.toLowerCase()
  const b = right.toLowerCase()
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1
  let end = 0
  while (end < a.length - start && end < b.length - start && a.at(-1 - end) === b.at(-1 - end))
    end += 1
  return start + end
}
