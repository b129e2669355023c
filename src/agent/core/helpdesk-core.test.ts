import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import type { HelpdeskCore } from './helpdesk-core.ts'

let core: HelpdeskCore

beforeAll(async () => {
  core = (await buildMemoryRuntime()).core
})

describe('a conversation', () => {
  it('asks once, takes the answer, and keeps the answered value to that parameter', async () => {
    const first = await core.handleTurn({ message: 'my printer is not working' })
    const asked = first.missing[0]?.parameter
    expect(asked).toBeDefined()
    const answer = asked === 'printer' ? 'PRN-3F-EAST' : 'LT-0423'
    const second = await core.handleTurn({ sessionId: first.sessionId, message: answer })
    const values = { ...second.plan[0]?.parameters }
    if (second.missing.length > 0) {
      // The other of printer/computer is asked next; the answer did not fill both.
      expect(second.missing[0]?.parameter).not.toBe(asked)
      expect(Object.values(values)).not.toContain(answer)
    } else {
      expect(Object.values(values).filter((value) => value === answer)).toHaveLength(1)
    }
  })

  it('treats a new request during an open question as a new request', async () => {
    const first = await core.handleTurn({ message: 'my printer is not working' })
    expect(first.missing.length).toBeGreaterThan(0)
    const second = await core.handleTurn({
      sessionId: first.sessionId,
      message: 'my vpn says error 809',
    })
    expect(second.tasks).toEqual(['vpn_not_connecting'])
  })

  it('hands off an out-of-scope message during an open question instead of re-asking', async () => {
    const first = await core.handleTurn({ message: 'my printer is not working' })
    const second = await core.handleTurn({
      sessionId: first.sessionId,
      message: 'can you order toner for the 3rd floor',
    })
    expect(second.tasks).toEqual([])
    expect(second.outOfScope?.handoff).toBeTruthy()
  })

  it('re-asks with the reason when an answer is invalid', async () => {
    const first = await core.handleTurn({
      message: 'I need a password reset for the local account admin2 on my laptop',
    })
    const device = first.missing.find((each) => each.parameter === 'device')
    expect(device).toBeDefined()
    const second = await core.handleTurn({ sessionId: first.sessionId, message: '$(reboot)' })
    expect(second.missing[0]).toMatchObject({
      parameter: 'device',
      problem: expect.stringMatching(/not a valid device/),
    })
    expect(second.reply).toMatch(/not a valid device/)
  })

  it('uses what was said earlier: the username given for one task serves the next', async () => {
    const first = await core.handleTurn({
      message: 'I forgot my domain password, username a.smith',
    })
    expect(first.plan[0]?.parameters.username).toBe('a.smith')
    const second = await core.handleTurn({
      sessionId: first.sessionId,
      message: 'and now my account is locked out too',
    })
    expect(second.tasks).toEqual(['account_locked'])
    expect(second.plan[0]?.parameters.username ?? second.missing[0]?.parameter).toBe('a.smith')
  })
})
