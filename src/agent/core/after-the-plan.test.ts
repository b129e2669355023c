import { describe, expect, it } from 'vitest'
import { alice, kim, tom, useDialogueWorld } from '../../../tests/support/dialogue-world.ts'
import { findGroup } from './group-extraction.ts'
import { repeatOf, repeatSubject } from './repeat-request.ts'
import type { Session } from './session.ts'
import { findUsername } from './username-extraction.ts'

/**
 * Messages after a plan that outside testers' conversations got wrong (issue 9, fresh2 sets):
 * values said without a cue, follow-ups with a noun after "same", and "the ... one".
 */

const talk = useDialogueWorld()

const session: Session = {
  id: 's',
  createdAt: '',
  updatedAt: '',
  history: [],
  known: {},
  queue: [],
  lastTasks: ['vpn_not_connecting'],
}

describe('"same error for kwong on LT-0425"', () => {
  it.each([
    ['same error for kwong on LT-0425', 'kwong'],
    ['same problem for bob', 'bob'],
    ['the same issue for maria.garcia, LT-0424', 'maria.garcia'],
    ['same for Finance Team please', 'Finance Team'],
  ])('%j repeats the request for %j', (message, subject) => {
    expect(repeatOf(message, session)?.tasks).toEqual(['vpn_not_connecting'])
    expect(repeatSubject(message)).toBe(subject)
  })

  it.each(['the same error for everyone on the VPN', 'my outlook shows the same problem'])(
    '%j is no follow-up',
    (message) => {
      expect(repeatOf(message, session)).toBeUndefined()
    },
  )
})

describe('"one" after "user" is a pronoun, not an account', () => {
  it.each(['forgot my aws console password, the iam user one', 'the normal user kind'])(
    '%j names no account',
    (message) => {
      expect(findUsername(message)).toBeUndefined()
    },
  )

  it('a name after "user" is still one', () => {
    expect(findUsername('reset it for user jdoe')).toBe('jdoe')
  })
})

describe('a clause that is only a compound name names the group', () => {
  it.each([
    ['bob needs a jira licence, jira-software-users please', 'jira-software-users'],
    ['jira-fin-users i think', 'jira-fin-users'],
    ['needs access to the share, SG_Finance_RW.', 'SG_Finance_RW'],
  ])('%j -> %j', (message, group) => {
    expect(findGroup(message)).toBe(group)
  })

  it.each([
    'the printer is offline, PRN-2F-WEST',
    'my laptop is slow, LT-0424',
    'bob needs jira-software-users or jira-fin-users',
    'wifi keeps dropping, wi-fi is bad',
  ])('%j names no group', (message) => {
    expect(findGroup(message)).toBeUndefined()
  })
})

describe("after the plan, the task's own value is no new request", () => {
  it('"the normal windows login one" after an unlock plan keeps the unlock, on the directory', async () => {
    const { results } = await talk(
      alice,
      'it wont let me log in, says my account is locked. i know the password',
      'the normal windows login one',
    )
    expect(results[0]?.tasks).toEqual(['account_locked'])
    expect(results[1]?.tasks).toEqual(['account_locked'])
    expect(results[1]?.plan[0]?.parameters.system).toBe('active_directory')
  })

  it('words about something else are still a new request', async () => {
    const { results } = await talk(
      alice,
      'it wont let me log in, says my account is locked. i know the password',
      'also my windows laptop is really slow',
    )
    expect(results[1]?.tasks).not.toContain('account_locked')
  })

  it('"jira-fin-users i think" after a Jira plan is its group, not out of scope or a person', async () => {
    const { results } = await talk(
      kim,
      'can you add me to the FIN project in jira',
      'jira-fin-users i think',
    )
    expect(results[1]?.tasks).toEqual(['jira_access_request'])
    expect(results[1]?.plan[0]?.parameters).toMatchObject({
      username: 'kim',
      group: 'jira-fin-users',
    })
  })

  it('a technician naming the group after a comma gets the plan for the employee', async () => {
    const { results } = await talk(tom, 'bob needs a jira licence, jira-software-users please')
    expect(results[0]?.plan[0]?.parameters).toMatchObject({
      username: 'bob',
      group: 'jira-software-users',
    })
  })
})
