import { describe, expect, it } from 'vitest'
import type { Plan } from '../planning/plan.ts'
import { checkTurn, type EvaluatedTurn } from './turn-expectations.ts'

const plan = (parameters: Record<string, string>): Plan => ({
  taskType: 'laptop_running_slow',
  title: 'Speed up a computer that is slow overall',
  risk: 'low',
  parameters,
  steps: [],
})

const turn = (extra: Partial<EvaluatedTurn> = {}): EvaluatedTurn => ({
  sessionId: 's1',
  reply: 'Your laptop LT-0423 is being checked; a technician will confirm the clean-up.',
  tasks: ['laptop_running_slow'],
  plan: [plan({ device: 'LT-0423', platform: 'windows' })],
  results: [],
  missing: [],
  ranked: [],
  ...extra,
})

const asking = turn({
  plan: [],
  missing: [{ taskType: 'password_reset', parameter: 'system', question: 'Which login?' }],
  tasks: ['password_reset'],
})

describe('checkTurn: each expectation reads one field of the turn', () => {
  it('passes a turn that meets every expectation given', () => {
    expect(
      checkTurn(
        {
          tasks: ['laptop_running_slow'],
          asks: false,
          plan: true,
          values: ['lt-0423', 'windows'],
          notValues: ['linux'],
          outOfScope: false,
          refused: false,
          answered: false,
          handoff: false,
          replyIncludes: ['TECHNICIAN'],
          replyExcludes: ['[dry-run]'],
        },
        turn(),
      ),
    ).toEqual([])
  })

  it('an empty expectation checks nothing', () => {
    expect(checkTurn({}, asking)).toEqual([])
  })

  it('tasks are compared as a set: a missing or an extra task fails', () => {
    expect(checkTurn({ tasks: ['laptop_running_slow'] }, turn({ tasks: [] }))).toEqual([
      { expectation: 'tasks', expected: ['laptop_running_slow'], got: [] },
    ])
    expect(checkTurn({ tasks: [] }, turn())).toHaveLength(1)
    const two = turn({ tasks: ['password_reset', 'account_locked'] })
    expect(checkTurn({ tasks: ['account_locked', 'password_reset'] }, two)).toEqual([])
    expect(checkTurn({ tasks: ['account_locked'] }, two)).toHaveLength(1)
  })

  it('asks and asksFor read the first missing parameter', () => {
    expect(checkTurn({ asks: true, asksFor: 'system' }, asking)).toEqual([])
    expect(checkTurn({ asksFor: 'username' }, asking)).toEqual([
      { expectation: 'asksFor', expected: 'username', got: 'system' },
    ])
    expect(checkTurn({ asks: true }, turn())).toEqual([
      { expectation: 'asks', expected: true, got: null },
    ])
    expect(checkTurn({ asks: false }, asking)).toHaveLength(1)
  })

  it('plan: true needs a plan, false none', () => {
    expect(checkTurn({ plan: true }, asking)).toEqual([
      { expectation: 'plan', expected: true, got: 0 },
    ])
    expect(checkTurn({ plan: false }, turn())).toHaveLength(1)
  })

  it('values are whole plan parameter values (any letter case), never substrings', () => {
    expect(checkTurn({ values: ['LT-042'] }, turn())).toHaveLength(1)
    expect(checkTurn({ values: ['LT-0423', 'LT-0424'] }, turn())).toHaveLength(1)
    expect(checkTurn({ values: ['LT-0423'] }, asking)).toHaveLength(1)
    expect(checkTurn({ notValues: ['hello', 'WINDOWS'] }, turn())).toEqual([
      { expectation: 'notValues', expected: ['hello', 'WINDOWS'], got: ['LT-0423', 'windows'] },
    ])
    const many = turn({ plan: [plan({ device: 'LT-0423' }), plan({ device: 'LT-0424' })] })
    expect(checkTurn({ values: ['LT-0424', 'LT-0423'] }, many)).toEqual([])
  })

  it('outOfScope and handoff: a hand-off by out of scope or by a handoff field', () => {
    const handedOff = turn({ tasks: [], plan: [], outOfScope: { handoff: 'the HR portal' } })
    expect(checkTurn({ outOfScope: true, handoff: true }, handedOff)).toEqual([])
    expect(checkTurn({ outOfScope: true }, turn())).toHaveLength(1)
    const person = turn({ plan: [], handoff: { reason: 'requested' } })
    expect(checkTurn({ handoff: true, outOfScope: false }, person)).toEqual([])
    expect(checkTurn({ handoff: true }, turn())).toHaveLength(1)
    expect(checkTurn({ handoff: false }, handedOff)).toHaveLength(1)
  })

  it('refused: a refusal with no plan, unless the same turn expects a plan too', () => {
    const refusal = ["LT-0423 isn't one of the computers assigned to you"]
    expect(checkTurn({ refused: true }, turn({ plan: [], refused: refusal }))).toEqual([])
    expect(checkTurn({ refused: true }, turn({ refused: refusal }))).toHaveLength(1)
    expect(checkTurn({ refused: true, plan: true }, turn({ refused: refusal }))).toEqual([])
    expect(checkTurn({ refused: true }, turn({ plan: [], refused: [] }))).toHaveLength(1)
    expect(checkTurn({ refused: false }, turn({ plan: [], refused: refusal }))).toHaveLength(1)
    expect(checkTurn({ refused: false }, turn({ refused: refusal }))).toHaveLength(1)
    expect(checkTurn({ refused: false }, turn({ refused: [] }))).toEqual([])
  })

  it('answered: an answer with a cited source and no plan; anything less is not answered', () => {
    const sources = [{ runbook: 'Shared drive access', section: 'Fix' }]
    const answered = turn({
      tasks: [],
      plan: [],
      answer: { text: 'Open File Explorer...', sources },
    })
    expect(checkTurn({ answered: true, plan: false }, answered)).toEqual([])
    expect(checkTurn({ answered: true }, turn({ plan: [] }))).toHaveLength(1)
    const uncited = turn({ plan: [], answer: { text: 'Open File Explorer...', sources: [] } })
    expect(checkTurn({ answered: true }, uncited)).toHaveLength(1)
    expect(
      checkTurn({ answered: false }, turn({ plan: [], answer: { text: '', sources } })),
    ).toEqual([])
  })

  it('reply texts are matched without letter case and report what was missing or found', () => {
    expect(checkTurn({ replyIncludes: ['laptop', 'tomorrow'] }, turn())).toEqual([
      {
        expectation: 'replyIncludes',
        expected: ['laptop', 'tomorrow'],
        got: { missing: ['tomorrow'] },
      },
    ])
    expect(checkTurn({ replyExcludes: ['lt-0423', 'dry run'] }, turn())).toEqual([
      {
        expectation: 'replyExcludes',
        expected: ['lt-0423', 'dry run'],
        got: { found: ['lt-0423'] },
      },
    ])
  })

  it('reports every expectation that fails, not only the first', () => {
    const failures = checkTurn({ tasks: [], plan: false, asks: true }, turn())
    expect(failures.map((each) => each.expectation)).toEqual(['tasks', 'asks', 'plan'])
  })
})
