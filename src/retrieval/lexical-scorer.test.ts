import { describe, expect, it } from 'vitest'
import { loadKnowledgeSources } from '../knowledge/knowledge-base.ts'
import { LexicalScorer } from './lexical-scorer.ts'

const sources = await loadKnowledgeSources({
  instructionsDirectory: 'data/instructions',
  outOfScopeFile: 'data/routing/out-of-scope.yaml',
})
const scorer = new LexicalScorer(sources.instructions, sources.outOfScope)
const best = (text: string) =>
  [...scorer.similarities(text, scorer.taskTypes)]
    .map(([taskType, similarities]) => ({ taskType, score: similarities[0] ?? 0 }))
    .sort((left, right) => right.score - left.score)[0]

describe('the TF-IDF re-scorer', () => {
  it('ranks by telling words, not by words every runbook uses', () => {
    expect(best('error 809 when connecting')?.taskType).toBe('vpn_not_connecting')
    expect(best('caa70004 again this morning')?.taskType).toBe('teams_not_signing_in')
    expect(best('please order toner cartridges')?.taskType).toBe('out_of_scope:printer_supplies')
  })

  it('returns similarities best first, within [0, 1]', () => {
    const similarities =
      scorer
        .similarities('my laptop is very hot', ['laptop_overheating'])
        .get('laptop_overheating') ?? []
    expect(similarities.length).toBeGreaterThan(20)
    expect([...similarities].sort((left, right) => right - left)).toEqual(similarities)
    expect(similarities[0]).toBeLessThanOrEqual(1.000001)
    expect(similarities.at(-1)).toBeGreaterThanOrEqual(0)
  })
})
