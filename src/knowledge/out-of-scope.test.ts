import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseOutOfScopeText } from './out-of-scope.ts'

const shipped = readFileSync('data/routing/out-of-scope.yaml', 'utf8')

describe('parseOutOfScopeText', () => {
  it('accepts the shipped topics', () => {
    expect(parseOutOfScopeText(shipped).ok).toBe(true)
  })

  it.each([
    ['\u202E', 'U+202E'],
    ['\u200B', 'U+200B'],
  ])(
    'refuses an invisible or format character (%#) in a hand-off text, naming it',
    (character, named) => {
      // Hand-off texts are read by employees: a bidi control would reorder what they read.
      const text = shipped.replace(
        'open a request in the IT portal',
        `open a request in ${character}the IT portal`,
      )
      expect(text).not.toBe(shipped)
      const result = parseOutOfScopeText(text)
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.problems[0]?.reason).toContain(named)
    },
  )
})
