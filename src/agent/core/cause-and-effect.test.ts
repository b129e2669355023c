import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import { causeAndEffect, retrySubject } from './cause-and-effect.ts'
import type { HelpdeskCore } from './helpdesk-core.ts'

let core: HelpdeskCore
const employee = { username: 'alice', role: 'requester' as const }

beforeAll(async () => {
  core = (await buildMemoryRuntime()).core
})

describe('a message that links a cause and its effect', () => {
  it.each([
    ['my account is locked, so the vpn fails', 'my account is locked', 'the vpn fails'],
    [
      'my account is locked and that’s why outlook asks again',
      'my account is locked',
      'outlook asks again',
    ],
    [
      'the vpn keeps failing because my account got locked',
      'my account got locked',
      'the vpn keeps failing',
    ],
    [
      "the vpn won't connect and i think that's because my password expired",
      'my password expired',
      "the vpn won't connect",
    ],
  ])('%s: the cause and the effect', (message, cause, effect) => {
    expect(causeAndEffect(message)).toEqual({ cause, effect })
  })

  it('is nothing for a message without such a link', () => {
    expect(causeAndEffect('reset my password and I need jira')).toBeUndefined()
  })

  it.each([
    ['the vpn fails', 'the vpn'],
    ["my outlook won't connect", 'your outlook'],
    ["i can't get in", undefined],
  ])('%s: what to try again is %s', (effect, subject) => {
    expect(retrySubject(effect)).toBe(subject)
  })

  it('plans the cause and mentions the effect the cause explains', async () => {
    // The router keeps the lockout only (the effect is no request of its own here).
    const result = await core.handleTurn({
      message: 'my account is locked, which is probably why the vpn fails',
      requester: 'alice',
      actor: employee,
    })
    expect(result.plan[0]?.taskType).toBe('account_locked')
    expect(result.reply).toMatch(
      /Once this is done, try the vpn again; if it still fails, tell me here/,
    )
  })

  it('tells a technician acting for the employee to have them try again', async () => {
    const result = await core.handleTurn({
      message: 'my account is locked, which is probably why my vpn fails',
      requester: 'alice',
      actor: { username: 'tom', role: 'technician' },
    })
    expect(result.tasks[0], result.reply).toBe('account_locked')
    expect(result.reply).toMatch(/Once this is done, ask alice to try their vpn again;/)
    expect(retrySubject("my outlook won't connect", 'their')).toBe('their outlook')
  })

  it('asks about the cause first when both are requests', async () => {
    const result = await core.handleTurn({
      message: "the vpn won't connect and i think that's because my password expired",
      requester: 'alice',
      actor: employee,
    })
    expect(result.tasks[0]).toBe('password_reset')
    expect(result.missing[0]).toMatchObject({ taskType: 'password_reset', parameter: 'system' })
  })
})
