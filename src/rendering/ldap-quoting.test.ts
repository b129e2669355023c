import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { AndFilter, EqualityFilter, Filter, FilterParser } from 'ldapts'
import { describe, expect, it } from 'vitest'
import { quoteLdapDnValue, quoteLdapFilterValue } from './ldap-quoting.ts'

/** The characters that mean something in a filter or a DN, mixed with ordinary and wide text. */
const hostileText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\\', '*', '(', ')', '\0', ' ', '#', ',', '+', '"', '<', '>', ';', '=', '|'),
    fc.constantFrom('&', '!', '~', ':', '\n', '\u00e9', '\u0430', '\u200b', '\u{1f600}'),
    fc.string({ unit: 'grapheme', maxLength: 3 }),
  ),
  maxLength: 40,
})

const hostileCorpus = readFileSync('tests/fixtures/hostile-inputs.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => (JSON.parse(line) as { value: string }).value)

/** RFC 4515 reading of an escaped value: `\XX` is one byte; the bytes are UTF-8. */
function unescapeFilterValue(escaped: string): string {
  const bytes: number[] = []
  for (let index = 0; index < escaped.length; ) {
    if (escaped[index] === '\\') {
      const hex = escaped.slice(index + 1, index + 3)
      expect(hex, `a backslash must start a hex pair in ${escaped}`).toMatch(/^[0-9a-fA-F]{2}$/)
      bytes.push(Number.parseInt(hex, 16))
      index += 3
    } else {
      const codePoint = escaped.codePointAt(index) ?? 0
      const character = String.fromCodePoint(codePoint)
      bytes.push(...Buffer.from(character, 'utf8'))
      index += character.length
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

const DN_SPECIALS = new Set([',', '+', '"', '\\', '<', '>', ';', '='])

/**
 * RFC 4514 reading of one attribute value, strict: a backslash escapes a special, a space, `#`
 * or starts a hex pair; a special, NUL, a leading space or `#` and a trailing space must be
 * escaped, or the value would end early or mean something else.
 */
function unescapeDnValue(escaped: string): string {
  const bytes: number[] = []
  const characters = Array.from(escaped)
  for (let index = 0; index < characters.length; index += 1) {
    const character = characters[index] ?? ''
    if (character === '\\') {
      const next = characters[index + 1] ?? ''
      const hex = `${next}${characters[index + 2] ?? ''}`
      if (DN_SPECIALS.has(next) || next === ' ' || next === '#') {
        bytes.push(next.charCodeAt(0))
        index += 1
      } else {
        expect(hex, `a backslash must escape a special or start a hex pair in ${escaped}`).toMatch(
          /^[0-9a-fA-F]{2}$/,
        )
        bytes.push(Number.parseInt(hex, 16))
        index += 2
      }
      continue
    }
    expect(DN_SPECIALS.has(character), `unescaped ${character} in ${escaped}`).toBe(false)
    expect(character, `unescaped NUL in ${JSON.stringify(escaped)}`).not.toBe('\0')
    if (index === 0) expect([' ', '#'], `unescaped leading ${character}`).not.toContain(character)
    if (index === characters.length - 1) expect(character, 'unescaped trailing space').not.toBe(' ')
    bytes.push(...Buffer.from(character, 'utf8'))
  }
  return Buffer.from(bytes).toString('utf8')
}

describe('quoteLdapFilterValue (RFC 4515)', () => {
  it('escapes the filter-injection inputs so they match only themselves', () => {
    expect(quoteLdapFilterValue('*)(sAMAccountName=*')).toBe('\\2a\\29\\28sAMAccountName=\\2a')
    expect(quoteLdapFilterValue('*')).toBe('\\2a')
    expect(quoteLdapFilterValue('a\\b\0c')).toBe('a\\5cb\\00c')
    // Parsed the way ldapts sends it: one equality test of the whole input, not three items.
    const parsed = FilterParser.parseString(
      `(&(objectClass=user)(sAMAccountName=${quoteLdapFilterValue('*)(sAMAccountName=*')}))`,
    )
    expect(parsed).toBeInstanceOf(AndFilter)
    const items = (parsed as AndFilter).filters
    expect(items).toHaveLength(2)
    expect(items[1]).toBeInstanceOf(EqualityFilter)
    expect((items[1] as EqualityFilter).value).toBe('*)(sAMAccountName=*')
  })

  it('keeps non-ASCII text as UTF-8', () => {
    expect(quoteLdapFilterValue('Jos\u00e9 M\u00fcller')).toBe('Jos\u00e9 M\u00fcller')
  })

  it('never leaves a special unescaped, and reads back to the input', () => {
    fc.assert(
      fc.property(hostileText, (value) => {
        const quoted = quoteLdapFilterValue(value)
        expect(quoted).toMatch(/^(?:[^\\*()\0]|\\[0-9a-f]{2})*$/su)
        expect(unescapeFilterValue(quoted)).toBe(value)
      }),
      { numRuns: 2000 },
    )
  })

  it('agrees with ldapts Filter.escape on text', () => {
    fc.assert(
      fc.property(hostileText, (value) => {
        expect(quoteLdapFilterValue(value)).toBe(Filter.escape(value))
      }),
    )
  })

  it('leaves ASCII letters and digits alone', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]*$/), (value) => {
        expect(quoteLdapFilterValue(value)).toBe(value)
      }),
    )
  })

  it('handles every value of the hostile corpus', () => {
    for (const value of hostileCorpus) {
      const quoted = quoteLdapFilterValue(value)
      expect(quoted).toMatch(/^(?:[^\\*()\0]|\\[0-9a-f]{2})*$/su)
      expect(unescapeFilterValue(quoted)).toBe(value)
    }
  })
})

describe('quoteLdapDnValue (RFC 4514)', () => {
  it('escapes specials, leading space or #, trailing space and NUL', () => {
    expect(quoteLdapDnValue('Doe, John')).toBe('Doe\\, John')
    expect(quoteLdapDnValue('a+b="c"<d>;e\\f')).toBe('a\\+b\\=\\"c\\"\\<d\\>\\;e\\\\f')
    expect(quoteLdapDnValue('#admins')).toBe('\\#admins')
    expect(quoteLdapDnValue('a#b')).toBe('a#b')
    expect(quoteLdapDnValue(' padded ')).toBe('\\ padded\\ ')
    expect(quoteLdapDnValue(' ')).toBe('\\ ')
    expect(quoteLdapDnValue('  ')).toBe('\\ \\ ')
    expect(quoteLdapDnValue('nul\0byte')).toBe('nul\\00byte')
    expect(quoteLdapDnValue('Jos\u00e9')).toBe('Jos\u00e9')
  })

  it('keeps a hostile value inside its own RDN', () => {
    const dn = `CN=${quoteLdapDnValue('x,CN=Domain Admins')},CN=Users,DC=corp,DC=example,DC=test`
    const rdns = dn.split(/(?<!\\),/)
    expect(rdns).toHaveLength(5)
    expect(unescapeDnValue(rdns[0]?.slice(3) ?? '')).toBe('x,CN=Domain Admins')
  })

  it('never leaves a special unescaped, and reads back to the input', () => {
    fc.assert(
      fc.property(hostileText, (value) => {
        expect(unescapeDnValue(quoteLdapDnValue(value))).toBe(value)
      }),
      { numRuns: 2000 },
    )
  })

  it('leaves ASCII letters and digits alone', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]*$/), (value) => {
        expect(quoteLdapDnValue(value)).toBe(value)
      }),
    )
  })

  it('handles every value of the hostile corpus', () => {
    for (const value of hostileCorpus) {
      expect(unescapeDnValue(quoteLdapDnValue(value))).toBe(value)
    }
  })
})
