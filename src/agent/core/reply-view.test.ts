import { describe, expect, it } from 'vitest'
import type { StepResult } from '../../executors/executor.ts'
import { recordReply, replyViewOf } from './reply-view.ts'
import { newSession } from './session.ts'
import type { TurnResult } from './turn.ts'

const result = (extra: Partial<TurnResult> = {}): Omit<TurnResult, 'sessionId'> => ({
  reply: 'Which computer is it?',
  tasks: ['laptop_running_slow'],
  plan: [],
  results: [],
  missing: [],
  ranked: [],
  ...extra,
})

describe('what a reply showed, kept for a reload', () => {
  it('keeps the question, tasks and hand-off; nothing for a text-only reply', () => {
    const missing = [{ taskType: 'laptop_running_slow', parameter: 'device', question: '?' }]
    expect(replyViewOf(result({ missing }))).toEqual({ tasks: ['laptop_running_slow'], missing })
    expect(replyViewOf(result({ tasks: [] }))).toBeUndefined()
  })

  it("shortens long step outputs and keeps only the latest replies' views", () => {
    const session = newSession('s', 'now')
    const step: StepResult = {
      stepId: 'a',
      status: 'succeeded',
      wouldRun: 'Get-Service',
      stdout: 'x'.repeat(10_000),
      stderr: '',
      exitCode: 0,
      durationMs: 1,
      changed: false,
    }
    recordReply(session, result({ results: [step] }))
    expect(session.history[0]?.view?.results?.[0]?.stdout.length).toBeLessThan(4100)
    for (let turn = 0; turn < 30; turn++) recordReply(session, result())
    const withView = session.history.filter((entry) => entry.view !== undefined)
    expect(withView).toHaveLength(20)
    expect(session.history.at(-1)?.view).toBeDefined()
    expect(session.history[0]?.view).toBeUndefined()
  })
})
