/**
 * The one quoting function for each of the two LDAP string languages: a value inside a search
 * filter (RFC 4515) and a value inside a distinguished name (RFC 4514). Every value from a
 * request that reaches an LDAP filter or DN goes through exactly one of these; nothing else
 * builds filters or DNs from data.
 * @module
 */

const FILTER_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\5c',
  '*': '\\2a',
  '(': '\\28',
  ')': '\\29',
  '\0': '\\00',
}

/**
 * A value for the right-hand side of a filter item, e.g. `(sAMAccountName=${value})`: the
 * characters that mean something in a filter (`\ * ( )` and NUL) become `\XX` hex pairs, so `*`
 * is a literal star and never a wildcard. Anything else, non-ASCII included, stays as it is and
 * travels as UTF-8, which RFC 4515 allows. Same output as ldapts `Filter.escape` for text.
 */
export function quoteLdapFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (character) => FILTER_ESCAPES[character] ?? character)
}

const DN_SPECIALS = new Set([',', '+', '"', '\\', '<', '>', ';', '='])

/**
 * A value for one attribute of a DN, e.g. `CN=${value},OU=Staff,...`: RFC 4514's specials
 * (`, + " \ < > ;` and `=`) get a backslash, a leading space or `#` and a trailing space get a
 * backslash, and NUL becomes `\00`. The result parses back to exactly the input.
 */
export function quoteLdapDnValue(value: string): string {
  const characters = Array.from(value)
  return characters
    .map((character, index) => {
      if (character === '\0') return '\\00'
      if (DN_SPECIALS.has(character)) return `\\${character}`
      const first = index === 0
      const last = index === characters.length - 1
      if ((first && (character === ' ' || character === '#')) || (last && character === ' ')) {
        return `\\${character}`
      }
      return character
    })
    .join('')
}
