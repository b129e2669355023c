import { describe, expect, it } from 'vitest'
import { editDistance, SpellingCorrector } from './spelling-corrector.ts'

describe('spelling correction against the runbooks vocabulary', () => {
  const corrector = new SpellingCorrector([
    'password',
    'password',
    'printer',
    'outlook',
    'monitor',
    'mentor',
  ])

  it('corrects an unknown word to the known word one or two edits away', () => {
    expect(corrector.correct('pasword')).toBe('password')
    expect(corrector.correct('passwrod')).toBe('password')
    expect(corrector.correct('outlok')).toBe('outlook')
    expect(corrector.correct('priner')).toBe('printer')
  })

  it('leaves known, short and far words alone', () => {
    expect(corrector.correct('printer')).toBeUndefined()
    expect(corrector.correct('vpn')).toBeUndefined()
    expect(corrector.correct('sluggish')).toBeUndefined()
  })

  it('counts a swapped pair of letters as one edit', () => {
    expect(editDistance('wrod', 'word', 2)).toBe(1)
    expect(editDistance('kitten', 'sitting', 5)).toBe(3)
    expect(editDistance('abc', 'xyzxyz', 1)).toBe(2)
  })
})
