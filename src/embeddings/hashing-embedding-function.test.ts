import { describe, expect, it } from 'vitest'
import { HashingEmbeddingFunction } from './hashing-embedding-function.ts'
import { analyze } from './text-analysis.ts'

const embedding = new HashingEmbeddingFunction()
const cosine = (left: number[], right: number[]) =>
  left.reduce((sum, value, index) => sum + value * (right[index] ?? 0), 0)

describe('the local hashing embedding', () => {
  it('is deterministic, unit length and names its settings in the fingerprint', async () => {
    const [first, second] = await embedding.embed([
      'Outlook keeps saying disconnected',
      'Outlook keeps saying disconnected',
    ])
    expect(first).toEqual(second)
    expect(first).toHaveLength(1024)
    expect(cosine(first ?? [], first ?? [])).toBeCloseTo(1, 5)
    expect(embedding.fingerprint).toMatch(/^local-hashing:v\d+:d1024:/)
    expect(new HashingEmbeddingFunction({ dimension: 512 }).fingerprint).not.toBe(
      embedding.fingerprint,
    )
  })

  it('keeps a typo close to the word and unrelated requests apart', () => {
    const right = embedding.embedOne('outlook not syncing')
    const typo = embedding.embedOne('outlok not synching')
    const other = embedding.embedOne('printer jammed with paper')
    // Character n-grams carry the typo: far nearer than an unrelated request.
    expect(cosine(right, typo)).toBeGreaterThan(0.3)
    expect(cosine(right, other)).toBeLessThan(0.1)
  })

  it('bridges words that share no letters and reads identifiers by their shape', () => {
    expect(analyze('pwd expired').terms).toContain('password')
    expect(analyze('PRN-3F-EAST offline').terms).toContain('printer')
    expect(analyze('mail to j.smith@example.com bounced').terms).toEqual(
      expect.arrayContaining(['email', 'bounc']),
    )
    expect(analyze('\\\\fs01\\finance access denied').terms).toEqual(
      expect.arrayContaining(['share', 'drive']),
    )
  })
})
