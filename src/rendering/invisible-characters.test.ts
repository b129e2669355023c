import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { validateParameter } from '../agent/core/parameter-validation.ts'
import { samAccountNameProblem } from '../executors/active-directory/directory-names.ts'
import type { ParameterSpec } from '../knowledge/instructions/instruction-schema.ts'
import { describeCodePoint, findInvisibleCharacter } from './invisible-characters.ts'

/** Every Cf code point of the Basic Multilingual Plane and the tag block. */
const FORMAT_CHARACTERS = [
  ...Array.from({ length: 0x10000 }, (_, codePoint) => codePoint),
  ...Array.from({ length: 0x80 }, (_, offset) => 0xe0000 + offset),
]
  .map((codePoint) => String.fromCodePoint(codePoint))
  .filter((character) => /\p{Cf}/u.test(character))

const username: ParameterSpec = {
  name: 'username',
  kind: 'username',
  description: 'test',
  question: '?',
  required: true,
  defaultFromRequester: false,
}

describe('findInvisibleCharacter', () => {
  it.each([
    ['ad\u200bministrator', 'U+200B ZERO WIDTH SPACE', 2],
    ['jdoe\u202egnp.exe', 'U+202E RIGHT-TO-LEFT OVERRIDE', 4],
    ['\ufeffjdoe', 'U+FEFF ZERO WIDTH NO-BREAK SPACE (byte-order mark)', 0],
    ['maria\u00adgarcia', 'U+00AD SOFT HYPHEN', 5],
    ['j\u2066doe', 'U+2066 LEFT-TO-RIGHT ISOLATE', 1],
    ['jdoe\u{e0041}', 'U+E0041 TAG A', 4],
  ])('names the character in %j', (text, description, index) => {
    expect(findInvisibleCharacter(text)).toEqual({ description, index })
  })

  it('finds nothing in ordinary text, accents and emoji included', () => {
    for (const text of ['unlock user jdoe', 'Café Müller', 'thanks 👍', 'ok ❤️', '']) {
      expect(findInvisibleCharacter(text), text).toBeUndefined()
    }
  })

  it('lets a zero width joiner between pictographs through only when asked to', () => {
    const technologist = 'thanks 👩🏽\u200d💻'
    expect(findInvisibleCharacter(technologist, { allowEmojiJoiner: true })).toBeUndefined()
    expect(findInvisibleCharacter(technologist)?.description).toBe('U+200D ZERO WIDTH JOINER')
    // Between letters it joins nothing visible: refused even with the emoji allowance.
    expect(findInvisibleCharacter('ad\u200dmin', { allowEmojiJoiner: true })?.description).toBe(
      'U+200D ZERO WIDTH JOINER',
    )
    expect(findInvisibleCharacter('👍\u200dx', { allowEmojiJoiner: true })).toBeDefined()
  })

  it('has a description for every format character', () => {
    expect(FORMAT_CHARACTERS.length).toBeGreaterThan(100)
    for (const character of FORMAT_CHARACTERS) {
      const codePoint = character.codePointAt(0) ?? 0
      expect(findInvisibleCharacter(`a${character}b`)).toEqual({
        description: describeCodePoint(codePoint),
        index: 1,
      })
      expect(describeCodePoint(codePoint)).toMatch(/^U\+[0-9A-F]{4,5} \S/)
    }
  })
})

describe('a username with an invisible character inserted anywhere', () => {
  it('is refused whole by the parameter kind and by the directory, naming the character', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('administrator', 'jdoe', 'maria.garcia', 'svc_backup-01'),
        fc.nat(),
        fc.constantFrom(...FORMAT_CHARACTERS),
        (name, position, character) => {
          const at = position % (name.length + 1)
          const value = `${name.slice(0, at)}${character}${name.slice(at)}`
          const description = describeCodePoint(character.codePointAt(0) ?? 0)
          const result = validateParameter(username, value)
          expect(result.ok).toBe(false)
          if (!result.ok) expect(result.reason).toContain(description)
          expect(samAccountNameProblem(value)).toContain(description)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('is shown with the character made visible', () => {
    const result = validateParameter(username, 'ad\u200bministrator')
    expect(result).toEqual({
      ok: false,
      reason: expect.stringContaining('"ad<U+200B>ministrator" contains U+200B ZERO WIDTH SPACE'),
    })
  })
})
