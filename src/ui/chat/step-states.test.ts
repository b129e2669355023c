import { describe, expect, it } from 'vitest'

// The chat page's step statuses, derived from a turn's results (src/ui/chat/step-states.js, a
// browser module without types: loaded by path and given the shape its doc comment states).
interface StepState {
  text: string
  status?: string
  title?: string
  errorCode?: string
  approvalId?: string
  output?: { failed: boolean; text: string }
}
interface Step {
  id: string
  target?: string
}
interface Result {
  stepId: string
  status: string
  stdout?: string
  stderr?: string
  errorMessage?: string
  errorCode?: string
}
interface Approval {
  id: string
  stepIds: string[]
  target?: string
}
interface StepStatesModule {
  heldKey(stepId: string, target?: string): string
  stepStates(
    plans: Array<{ steps: Step[] }>,
    results: Result[],
    options: { held?: Map<string, Approval>; confirmed?: Map<string, Result[]>; finished: boolean },
  ): StepState[][]
}
const { heldKey, stepStates } = (await import(
  new URL('./step-states.js', import.meta.url).href
)) as StepStatesModule

const card = (target: string) => ({
  steps: [
    { id: 'check', target },
    { id: 'fix', target },
  ],
})

describe('step states of a reply', () => {
  it('puts each result on the first card still waiting for that step (a group shares step ids)', () => {
    const states = stepStates(
      [card('LT-1'), card('LT-2')],
      [
        { stepId: 'check', status: 'succeeded', stdout: 'ok\n' },
        { stepId: 'check', status: 'failed', errorMessage: 'disk full' },
        { stepId: 'fix', status: 'dry_run' },
      ],
      { finished: false },
    )
    expect(states[0]?.map((state) => state.text)).toEqual(['succeeded', 'dry run: nothing changed'])
    expect(states[1]?.map((state) => state.text)).toEqual(['failed', 'pending'])
    expect(states[0]?.[0]?.output).toEqual({ failed: false, text: 'ok' })
    expect(states[1]?.[0]).toMatchObject({
      status: 'failed',
      title: 'disk full',
      output: { failed: true, text: 'disk full' },
    })
    expect(states[1]?.[1]?.status).toBeUndefined()
  })

  it("names a held step's approval request on its own machine's card only", () => {
    const approval = { id: '7d4e7432-aaaa', stepIds: ['fix'], target: 'LT-2' }
    const held = new Map([[heldKey('fix', 'LT-2'), approval]])
    const awaiting = { stepId: 'fix', status: 'awaiting_approval' }
    const states = stepStates([card('LT-1'), card('LT-2')], [awaiting, awaiting], {
      held,
      finished: false,
    })
    expect(states[0]?.[1]).toMatchObject({ text: 'awaiting approval', approvalId: undefined })
    expect(states[1]?.[1]).toMatchObject({
      text: 'awaiting approval (request 7d4e7432)',
      approvalId: '7d4e7432-aaaa',
    })
  })

  it('says a held step was not asked for when its machine could not be reached, once the turn ended', () => {
    const results = [
      { stepId: 'check', status: 'failed', errorCode: 'CONNECT_FAILED' },
      { stepId: 'fix', status: 'awaiting_approval' },
    ]
    const during = stepStates([card('LT-1')], results, { finished: false })
    expect(during[0]?.[1]?.text).toBe('awaiting approval')
    const after = stepStates([card('LT-1')], results, { finished: true })
    expect(after[0]?.[1]).toMatchObject({
      text: 'not asked for: the machine could not be reached',
      status: 'skipped',
    })
    // A check that failed for another reason does not say so.
    const other = stepStates(
      [card('LT-1')],
      [{ ...results[0], errorCode: 'EXIT_STATUS' } as Result, results[1] as Result],
      { finished: true },
    )
    expect(other[0]?.[1]?.text).toBe('awaiting approval')
  })

  it('shows what a Confirm on the page ran on the steps its request held', () => {
    const approval = { id: 'req-1', stepIds: ['fix'], target: 'LT-1' }
    const states = stepStates([card('LT-1')], [{ stepId: 'fix', status: 'awaiting_approval' }], {
      held: new Map([[heldKey('fix', 'LT-1'), approval]]),
      confirmed: new Map([['req-1', [{ stepId: 'fix', status: 'succeeded' }]]]),
      finished: true,
    })
    expect(states[0]?.[1]).toMatchObject({
      text: 'succeeded',
      status: 'succeeded',
      approvalId: 'req-1',
    })
  })
})
