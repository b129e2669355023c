import { describe, expect, it } from 'vitest'
import {
  type ClauseSignals,
  checkedGate,
  DEFAULT_CLAUSE_GATE,
  fitGateWeights,
  GATE_FEATURES,
  gateFeatures,
  gateProbability,
} from './clause-gate.ts'

const signals = (text: string, changes: Partial<ClauseSignals> = {}): ClauseSignals => ({
  own: 0.9,
  evidence: 8,
  whole: 0.05,
  rank: 1,
  outOfScope: 0.02,
  knownWords: 4,
  otherTask: 0.01,
  joiner: 'and',
  announced: false,
  text,
  ...changes,
})

const feature = (name: string, text: string) =>
  gateFeatures(signals(text))[GATE_FEATURES.indexOf(name)]

describe('the clause gate', () => {
  it('has one weight per feature', () => {
    expect(gateFeatures(signals('x'))).toHaveLength(GATE_FEATURES.length)
    expect(DEFAULT_CLAUSE_GATE.weights).toHaveLength(GATE_FEATURES.length)
  })

  it.each([
    ['restarted twice', 'did only', 1],
    ['my manager approved it', 'did only', 1],
    ['I already restarted and it still crashes', 'did only', 0],
    ['the internet is fine', 'fine only', 1],
    ['vpn is connected', 'fine only', 1],
    ['outlook says disconnected', 'fine only', 0],
    ['can you install the newest version instead', 'asks', 1],
    ['could you put 7-zip on my laptop', 'asks', 1],
    ['jira showed 403', 'problem', 1],
    ['my pc blue screened twice', 'problem', 1],
    ['my laptop is super slow anyway', 'problem', 1],
    ['it is month end close today', 'problem', 0],
  ])('%j: %s = %d', (text, name, expected) => {
    expect(feature(name, text)).toBe(expected)
  })

  it('marks the joiner before the clause, one kind at a time', () => {
    const vector = gateFeatures(signals('printer offline', { joiner: 'then' }))
    expect(vector[GATE_FEATURES.indexOf('joiner then')]).toBe(1)
    expect(vector[GATE_FEATURES.indexOf('joiner and')]).toBe(0)
    expect(gateFeatures(signals('printer offline', { joiner: 'start' })).slice(8, 14)).toEqual([
      0, 0, 0, 0, 0, 0,
    ])
  })

  it('says a sure, telling clause of its own is a request and background is not', () => {
    const request = signals('acrobat keeps crashing on launch', {
      own: 0.97,
      evidence: 12,
      whole: 0.3,
      rank: 1,
    })
    const background = signals('restarted twice', {
      own: 0.7,
      evidence: 2,
      whole: 0.0005,
      rank: 9,
      joiner: 'sentence',
    })
    expect(gateProbability(DEFAULT_CLAUSE_GATE, request)).toBeGreaterThanOrEqual(
      DEFAULT_CLAUSE_GATE.threshold,
    )
    expect(gateProbability(DEFAULT_CLAUSE_GATE, background)).toBeLessThan(
      DEFAULT_CLAUSE_GATE.threshold,
    )
  })

  it('fits a logistic regression that separates its samples, weighting them as told', () => {
    const samples = [
      { features: [1, 1], target: 1 },
      { features: [1, 0.8], target: 1 },
      { features: [1, -1], target: 0 },
      { features: [1, -0.7], target: 0 },
    ]
    const weights = fitGateWeights(samples)
    expect(weights[1]).toBeGreaterThan(1)
    const heavy = fitGateWeights([...samples, { features: [1, 0], target: 1, weight: 10 }])
    expect(heavy[0]).toBeGreaterThan(weights[0] ?? 0)
  })

  it('takes a gate whole or refuses it, naming the field', () => {
    expect(checkedGate(DEFAULT_CLAUSE_GATE)).toBe(DEFAULT_CLAUSE_GATE)
    expect(checkedGate({ ...DEFAULT_CLAUSE_GATE, threshold: 1.01 }).threshold).toBe(1.01)
    expect(() => checkedGate({ weights: [1, 2], threshold: 0.5 })).toThrow(
      /gate\.weights: expected 20/,
    )
    expect(() =>
      checkedGate({ weights: GATE_FEATURES.map(() => Number.NaN), threshold: 0.5 }),
    ).toThrow(/gate\.weights/)
    expect(() => checkedGate({ ...DEFAULT_CLAUSE_GATE, threshold: -1 })).toThrow(/gate\.threshold/)
  })
})
