import { describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../tests/support/memory-runtime.ts'
import type { PendingApproval } from './core/turn.ts'
import { TurnRun } from './turn-run.ts'

describe('a question answered from the runbooks, as a model-driven adapter sees it', () => {
  it('says it was answered, and refuses a proposed script for it', async () => {
    const { core } = await buildMemoryRuntime()
    let proposed = 0
    const run = new TurnRun(
      core,
      await core.startTurn({ message: 'how do I map a network drive' }),
      () => {},
      {
        propose: async () => {
          proposed += 1
          return {} as PendingApproval
        },
      },
    )
    expect(await run.call('route_request')).toMatchObject({ route: 'out_of_scope', answered: true })
    const proposal = await run.proposeScript({
      language: 'powershell',
      script: 'net use S: \\\\fs01\\finance /persistent:yes',
      target: 'LT-0423',
      reason: 'map the drive',
    })
    expect(proposal).toEqual({
      refused: 'the runbooks answered this question; there is nothing to run',
    })
    expect(proposed).toBe(0)
    const result = await run.finish()
    expect(result.answer?.sources[0]?.runbook).toBe('shared_drive_access')
    expect(result.approvals).toBeUndefined()
  })

  it('leaves a request no runbook covers open to a proposal, as before', async () => {
    const { core } = await buildMemoryRuntime()
    const run = new TurnRun(
      core,
      await core.startTurn({ message: 'how do I claim travel expenses' }),
      () => {},
    )
    const routed = await run.call('route_request')
    expect(routed).toMatchObject({ route: 'out_of_scope' })
    expect(routed).not.toHaveProperty('answered')
    expect(
      await run.proposeScript({ language: 'bash', script: 'true', target: 'x', reason: 'y' }),
    ).toMatchObject({ refused: expect.stringMatching(/approvals to be configured/) })
  })
})
