import { describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import type { RouteDecision } from '../../retrieval/request-router.ts'
import { onlySetsTheScene, withoutDetailParts, withValuedParts } from './compound-parts.ts'

const runtime = await buildMemoryRuntime()
const instruction = (taskType: string) => runtime.knowledge.instructions.get(taskType)

function decision(parts: Array<[string, string]>): RouteDecision {
  return {
    tasks: [...new Set(parts.map(([, taskType]) => taskType))],
    ranked: [],
    parts: parts.map(([text, taskType]) => ({ text, taskType, score: 0.9 })),
  }
}

describe('withoutDetailParts', () => {
  it('drops a task only a part pointing back brought in', () => {
    const routed = decision([
      ['LT-0423 is overheating', 'laptop_overheating'],
      ['shutting itself down', 'application_crashing'],
    ])
    expect(withoutDetailParts(routed, instruction).tasks).toEqual(['laptop_overheating'])
  })

  it('keeps a part that adds a problem of the same thing ("it\'s slow too")', () => {
    const added = decision([
      ['my laptop gets really hot', 'laptop_overheating'],
      ["it's slow too", 'laptop_running_slow'],
    ])
    expect(withoutDetailParts(added, instruction).tasks).toEqual([
      'laptop_overheating',
      'laptop_running_slow',
    ])
  })

  it('keeps a second request with a subject or a value of its own', () => {
    const subject = decision([
      ['my laptop is painfully slow', 'laptop_running_slow'],
      ["on top of that teams won't sign in", 'teams_not_signing_in'],
    ])
    expect(withoutDetailParts(subject, instruction).tasks).toHaveLength(2)
    const value = decision([
      ['jdoe is locked out', 'account_locked'],
      ['he also needs it: add him to jira-fin-users', 'jira_access_request'],
    ])
    expect(withoutDetailParts(value, instruction).tasks).toHaveLength(2)
  })

  it('keeps a part linked to the other as its cause or its place, which has a subject of its own', () => {
    const cause = decision([
      ['my account got locked', 'account_locked'],
      ["because of that the vpn won't connect", 'vpn_not_connecting'],
    ])
    expect(withoutDetailParts(cause, instruction).tasks).toEqual([
      'account_locked',
      'vpn_not_connecting',
    ])
    const place = decision([
      ['my laptop is really slow', 'laptop_running_slow'],
      ['onedrive shows a red x on it too', 'onedrive_sync_issue'],
    ])
    expect(withoutDetailParts(place, instruction).tasks).toHaveLength(2)
    // A pointer that is the part's subject still makes it a detail.
    const detail = decision([
      ['LT-0423 is overheating', 'laptop_overheating'],
      ["that's why it keeps shutting itself down", 'application_crashing'],
    ])
    expect(withoutDetailParts(detail, instruction).tasks).toEqual(['laptop_overheating'])
  })

  it('drops a task only a part saying where the person is brought in', () => {
    const routed = decision([
      ['hi, I forgot my windows password', 'password_reset'],
      ['I am on a colleague pc now', 'zoom_audio_not_working'],
    ])
    expect(withoutDetailParts(routed, instruction).tasks).toEqual(['password_reset'])
    // A setting with a problem in it is a request: "I'm on the vpn and nothing loads".
    expect(onlySetsTheScene("I'm working from home today")).toBe(true)
    expect(onlySetsTheScene("I'm on the vpn but teams can't connect")).toBe(false)
    expect(onlySetsTheScene('I am in need of a new laptop')).toBe(false)
    expect(onlySetsTheScene('my outlook is on LT-0423')).toBe(false)
  })

  it('leaves a single request alone', () => {
    const single: RouteDecision = { tasks: ['wifi_not_working'], ranked: [] }
    expect(withoutDetailParts(single, instruction)).toBe(single)
  })
})

describe('withValuedParts', () => {
  const single = (taskType: string, score = 0.9): RouteDecision => ({
    tasks: [taskType],
    ranked: [{ taskType, score }],
  })
  const route = async (clause: string): Promise<RouteDecision> =>
    /jira/.test(clause)
      ? single('jira_access_request', 0.46)
      : /809/.test(clause)
        ? single('vpn_not_connecting', 0.8)
        : single('account_locked')

  it('adds the task of a set-apart clause that names a value of its own', async () => {
    const text = 'jdoe is locked out of his AD account, and he also needs adding to jira-fin-users'
    const decided = await withValuedParts(single('account_locked'), text, route, instruction, 0.4)
    expect(decided.tasks).toEqual(['account_locked', 'jira_access_request'])
  })

  it('leaves a detail, a weak clause, or a clause not set apart alone', async () => {
    const vpn = single('vpn_troubleshooting')
    const detail = await withValuedParts(
      vpn,
      'vpn drops, also says error 809',
      route,
      instruction,
      0.4,
    )
    expect(detail.tasks).toEqual(['vpn_troubleshooting'])
    const weak = await withValuedParts(
      single('account_locked'),
      'locked out, also jira-fin-users',
      route,
      instruction,
      0.5,
    )
    expect(weak.tasks).toEqual(['account_locked'])
    const joined = await withValuedParts(
      single('account_locked'),
      'locked out and jira-fin-users needed',
      route,
      instruction,
      0.4,
    )
    expect(joined.tasks).toEqual(['account_locked'])
  })
})
