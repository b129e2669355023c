import { spawnSync } from 'node:child_process'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { quoteBash, quotePowerShell } from './quoting.ts'

/** Any text a validator could conceivably let through, plus the nastiest printable characters. */
const hostileText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      "'",
      '"',
      '`',
      '$',
      '(',
      ')',
      ';',
      '|',
      '&',
      '\\',
      '\n',
      '\t',
      ' ',
      '*',
      '?',
      '!',
      '#',
      '{',
      '}',
      '<',
      '>',
      '~',
    ),
    fc.constantFrom(
      '\u2018',
      '\u2019',
      '\u201a',
      '\u201b',
      '\u201c',
      '\u201d',
      '\u00a0',
      '\u200b',
      '\u0430',
    ),
    fc.string({ unit: 'grapheme-ascii', maxLength: 3 }),
  ),
  maxLength: 40,
})

/** PowerShell's rule for single-quoted strings, as documented in about_Quoting_Rules. */
function parsePowerShellSingleQuoted(quoted: string): string {
  const quotes = new Set(["'", '\u2018', '\u2019', '\u201a', '\u201b'])
  expect(quotes.has(quoted[0] ?? '')).toBe(true)
  let value = ''
  let index = 1
  while (index < quoted.length) {
    const character = quoted[index] ?? ''
    if (quotes.has(character)) {
      if (quotes.has(quoted[index + 1] ?? '')) {
        value += character
        index += 2
        continue
      }
      expect(index).toBe(quoted.length - 1)
      return value
    }
    value += character
    index += 1
  }
  throw new Error('unterminated string')
}

describe('quoteBash', () => {
  it('round-trips any text through a real bash as one literal argument', () => {
    const samples = fc.sample(hostileText, 150)
    const script = samples.map((sample) => `printf '%s\\0' ${quoteBash(sample)}`).join('\n')
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8' })
    expect(result.status).toBe(0)
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(samples)
  })

  it('keeps command substitution and expansions inert', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${HOME} is the attack being tested
    const attack = "$(touch /tmp/pwned) `id` ${HOME} '; rm -rf / #"
    const result = spawnSync('bash', ['-c', `printf %s ${quoteBash(attack)}`], { encoding: 'utf8' })
    expect(result.stdout).toBe(attack)
  })

  it('refuses control characters such as NUL and escape', () => {
    expect(() => quoteBash('a\u0000b')).toThrow(/control character/)
    expect(() => quoteBash('a\u001bb')).toThrow(/control character/)
  })
})

describe('quotePowerShell', () => {
  it('round-trips any text under PowerShell single-quote rules, typographic quotes included', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        expect(parsePowerShellSingleQuoted(quotePowerShell(text))).toBe(text)
      }),
      { numRuns: 500 },
    )
  })

  it('leaves no unpaired quote that could end the string early', () => {
    expect(quotePowerShell("a'b")).toBe("'a''b'")
    expect(quotePowerShell('a\u2019; Remove-Item C:\\ -Recurse')).toBe(
      "'a\u2019\u2019; Remove-Item C:\\ -Recurse'",
    )
    expect(quotePowerShell('$(Get-Process)')).toBe("'$(Get-Process)'")
  })
})
