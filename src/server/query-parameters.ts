/**
 * Validated query parameters for the list and search routes: each parameter has one reader that
 * takes the text whole or refuses it, and a refusal names the parameter and what was expected.
 * An unknown parameter is refused too, so a misspelt filter never silently lists everything.
 * @module
 */
import { HelpdeskError } from '../errors/index.ts'

/** Reads one parameter's text; throws `QueryValueError` with what was expected. */
export type QueryReader<T> = (text: string) => T

class QueryValueError extends Error {}

function invalid(name: string, expected: string): HelpdeskError {
  return new HelpdeskError({ code: 'INVALID_INPUT', message: `${name}: expected ${expected}` })
}

/**
 * The parameters named in `readers`, read; absent ones are left out.
 * @throws {HelpdeskError} INVALID_INPUT naming the first unknown, repeated or bad parameter
 */
export function readQuery<Readers extends Record<string, QueryReader<unknown>>>(
  url: string,
  readers: Readers,
): { [Name in keyof Readers]?: ReturnType<Readers[Name]> } {
  const parameters = new URL(url).searchParams
  const result: Record<string, unknown> = {}
  for (const name of new Set(parameters.keys())) {
    const reader = readers[name]
    if (!reader) {
      throw invalid(name.slice(0, 40), `one of the parameters ${Object.keys(readers).join(', ')}`)
    }
    const values = parameters.getAll(name)
    if (values.length > 1) throw invalid(name, 'one value, not several')
    try {
      result[name] = reader(values[0] ?? '')
    } catch (error) {
      if (error instanceof QueryValueError) throw invalid(name, error.message)
      throw error
    }
  }
  return result as { [Name in keyof Readers]?: ReturnType<Readers[Name]> }
}

/** A whole number from `lowest` to `highest`. */
export function wholeNumber(lowest: number, highest: number): QueryReader<number> {
  return (text) => {
    const value = /^\d{1,12}$/.test(text) ? Number(text) : Number.NaN
    if (!Number.isSafeInteger(value) || value < lowest || value > highest)
      throw new QueryValueError(`a whole number from ${lowest} to ${highest}`)
    return value
  }
}

/** One of the listed words. */
export function oneOf<Word extends string>(words: readonly Word[]): QueryReader<Word> {
  return (text) => {
    if (!(words as readonly string[]).includes(text))
      throw new QueryValueError(`one of ${words.join(', ')}`)
    return text as Word
  }
}

/** Text of a closed character set (`pattern` is anchored by the caller), described for people. */
export function matching(pattern: RegExp, described: string): QueryReader<string> {
  return (text) => {
    if (!pattern.test(text)) throw new QueryValueError(described)
    return text
  }
}

/**
 * A date (`2026-05-01`) or a date and time with a zone (`2026-05-01T09:30:00Z`), answered as
 * `toISOString` writes it so stores compare it as text with the times they wrote.
 */
export const instant: QueryReader<string> = (text) => {
  const shape = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/
  const time = shape.test(text) ? Date.parse(text) : Number.NaN
  if (Number.isNaN(time))
    throw new QueryValueError(
      'a date (2026-05-01) or a date and time with a zone (2026-05-01T09:30Z)',
    )
  return new Date(time).toISOString()
}

/** Refuses a range that ends before it starts, naming both ends. */
export function checkRange(from: string | undefined, to: string | undefined): void {
  if (from !== undefined && to !== undefined && to <= from) throw invalid('to', 'a time after from')
}

/** Usernames as the user store allows them. */
export const USERNAME = matching(
  /^[A-Za-z0-9._@-]{1,100}$/,
  'a username (letters, digits, . _ @ -)',
)
/** Inventory machine names and account names. */
export const MACHINE = matching(
  /^[A-Za-z0-9._$-]{1,100}$/,
  'a machine name (letters, digits, . _ $ -)',
)
