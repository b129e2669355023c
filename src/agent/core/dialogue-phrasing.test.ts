import { describe, expect, it } from 'vitest'
import { alice, bob, tom, useDialogueWorld } from '../../../tests/support/dialogue-world.ts'

/**
 * Phrasings of answers, corrections, names and follow-ups that the team's own conversations
 * lacked (issue 9 item 2), and what a fresh outside set showed: written before the fixes.
 */

const talk = useDialogueWorld()

describe('phrasings the team set lacked (issue 9 item 2)', () => {
  const values = (result: { plan: Array<{ parameters: Record<string, string> }> } | undefined) =>
    result?.plan.map((plan) => plan.parameters) ?? []

  it('an option described by its use or its position is that option', async () => {
    for (const [answer, system] of [
      ['the one I use to sign in to my computer', 'active_directory'],
      ['my email one', 'active_directory'],
      ['the first one', 'active_directory'],
      ['the second option', 'aws_iam'],
    ] as const) {
      const { results } = await talk(alice, 'I forgot my password', answer)
      expect(results[1]?.tasks, answer).toEqual(['password_reset'])
      expect(results[1]?.plan[0]?.parameters.system, answer).toBe(system)
    }
  })

  it('a question about the question is not knowing: help, the same task, no hand-off', async () => {
    for (const [opening, reply] of [
      ['I forgot my password', 'how would I know?'],
      ['I forgot my password', "what's the difference?"],
      ['my monitor is not detected', 'where do I find that?'],
      ['my monitor is not detected', "haven't got a clue"],
      ['my monitor is not detected', "no idea what it's called"],
      ['my monitor is not detected', 'what do you mean by the name?'],
      ['my monitor is not detected', 'hmm which one do you mean?'],
      ['my monitor is not detected', 'which computer?'],
      ['I forgot my password', "sorry I don't understand the question"],
      ['I forgot my password', 'what do you need exactly?'],
      ['I forgot my password', 'can you explain that please'],
    ] as const) {
      const { results } = await talk(tom, opening, reply)
      expect(results[1]?.tasks, reply).toEqual(results[0]?.tasks)
      expect(results[1]?.outOfScope, reply).toBeUndefined()
      expect(results[1]?.plan, reply).toEqual([])
      expect(results[1]?.reply, reply).not.toMatch(/not a valid/)
      expect(results[1]?.missing[0]?.parameter, reply).toBe(results[0]?.missing[0]?.parameter)
    }
  })

  it('names the account in other phrasings: "on behalf of", the subject, "the AD account X"', async () => {
    for (const message of [
      'on behalf of kwong: AD account locked',
      "kwong can't sign in, locked out of the domain",
      'unlock the AD account kwong',
    ]) {
      const { results } = await talk(tom, message)
      expect(values(results[0]), message).toEqual([expect.objectContaining({ username: 'kwong' })])
    }
    const { results } = await talk(tom, 'someone is locked out of active directory', 'kwong please')
    expect(values(results[1])).toEqual([expect.objectContaining({ username: 'kwong' })])
  })

  it('a follow-up for another name in any phrasing repeats the last task for that name', async () => {
    for (const follow of [
      'kwong as well please',
      'now do kwong',
      'and kwong?',
      'can you repeat that for kwong',
      'kwong too',
      'also kwong',
    ]) {
      const { results } = await talk(tom, 'reset the password for jdoe in AWS', follow)
      expect(results[1]?.tasks, follow).toEqual(['password_reset'])
      expect(values(results[1]), follow).toEqual([
        expect.objectContaining({ username: 'kwong', system: 'aws_iam' }),
      ])
    }
  })

  it('a correction without "actually" at the start still changes the value, not the task', async () => {
    for (const correction of ['wrong machine, it is LT-0424', 'oops, LT-0424 not LT-0423']) {
      const { results } = await talk(tom, 'LT-0423 is really slow', correction)
      expect(results[1]?.tasks, correction).toEqual(['laptop_running_slow'])
      expect(values(results[1]), correction).toEqual([
        expect.objectContaining({ device: 'LT-0424', platform: 'linux' }),
      ])
    }
    const person = await talk(tom, 'unlock jdoe in active directory', 'sorry, it is actually kwong')
    expect(values(person.results[1])).toEqual([expect.objectContaining({ username: 'kwong' })])
    const system = await talk(alice, 'I forgot my password', 'windows', 'hmm no wait, I meant aws')
    expect(values(system.results[2])).toEqual([expect.objectContaining({ system: 'aws_iam' })])
  })

  it('"ta" and praise are thanks, not out of scope', async () => {
    for (const thanks of ['ta', "thanks mate, you're a star", 'cheers, legend']) {
      const { results } = await talk(alice, 'hi', thanks)
      expect(results[1]?.outOfScope, thanks).toBeUndefined()
      expect(results[1]?.reply, thanks).toMatch(/welcome/)
    }
  })

  it('more detail about the task in hand plans it again with that detail', async () => {
    const { results } = await talk(alice, 'my account is locked', 'it keeps happening every day')
    expect(results[1]?.tasks).toEqual(['account_locked'])
    expect(values(results[1])).toEqual([
      expect.objectContaining({ username: 'alice', lockout_pattern: 'recurring' }),
    ])
  })
})

describe('what an outside set showed (issue 9 items 2 and 5)', () => {
  const values = (result: { plan: Array<{ parameters: Record<string, string> }> } | undefined) =>
    result?.plan.map((plan) => plan.parameters) ?? []

  it("the requester's own machine, inferred from a first-person report, is remembered", async () => {
    const crash = await talk(bob, 'some program keeps closing on me', "it's Firefox")
    expect(crash.results[0]?.missing[0]?.parameter).toBe('application')
    expect(values(crash.results[1])[0]).toMatchObject({ application: 'Firefox', device: 'LT-0424' })
    const printer = await talk(alice, 'my print jobs just sit in the queue', 'PRN-1F-NORTH')
    expect(values(printer.results[1])[0]).toMatchObject({
      printer: 'PRN-1F-NORTH',
      device: 'LT-0423',
    })
    // A shared room's machine is not hers, even said in the first person: asked for.
    const room = await talk(alice, "I'm in the conference room and the computer is slow")
    expect(room.results[0]?.missing[0]?.parameter).toBe('device')
  })

  it('not knowing with a word after it ("honestly", "the path") is still not knowing', async () => {
    for (const [opening, reply] of [
      ['I forgot my password', 'no idea honestly'],
      ['my monitor is not detected', 'dunno the name, sorry'],
    ] as const) {
      const { results } = await talk(tom, opening, reply)
      expect(results[1]?.tasks, reply).toEqual(results[0]?.tasks)
      expect(results[1]?.outOfScope, reply).toBeUndefined()
      expect(results[1]?.plan, reply).toEqual([])
    }
  })

  it('"hang on" and "let me check" are a pause: no value, the question stays open', async () => {
    for (const pause of ['hang on', 'one sec, let me check', 'give me a minute']) {
      const { results, session } = await talk(tom, 'a computer is really slow', pause, 'LT-0424')
      expect(results[1]?.outOfScope, pause).toBeUndefined()
      expect(results[1]?.plan, pause).toEqual([])
      expect((await session())?.known.device, pause).toBe('LT-0424')
      expect(results[2]?.tasks, pause).toEqual(['laptop_running_slow'])
    }
  })

  it('a longer correction that names the other option, or ends in "my mistake"', async () => {
    const { results } = await talk(
      alice,
      'the local account on my laptop is locked',
      "no sorry, it's my usual windows network login that's locked, not the local one",
    )
    expect(results[1]?.tasks).toEqual(['account_locked'])
    expect(values(results[1])[0]).toMatchObject({ system: 'active_directory' })
    const machine = await talk(tom, 'LT-0423 has no wifi', 'LT-0424, my mistake')
    expect(machine.results[1]?.tasks).toEqual(['wifi_not_working'])
    expect(values(machine.results[1])[0]).toMatchObject({ device: 'LT-0424' })
  })

  it('the person is the subject of "can\'t get on", and "add NAME to GROUP" names both', async () => {
    const vpn = await talk(tom, "kwong can't get on the vpn, he's on LT-0423")
    expect(values(vpn.results[0])[0]).toMatchObject({ username: 'kwong', device: 'LT-0423' })
    const jira = await talk(tom, 'add kwong to jira-fin-users')
    expect(values(jira.results[0])[0]).toMatchObject({ username: 'kwong', group: 'jira-fin-users' })
  })

  it('a few words beside an answer about the same request are no second request', async () => {
    const { results } = await talk(
      alice,
      'I need access to jira',
      'just the licence - jira-software-users',
    )
    expect(results[1]?.tasks).toEqual(['jira_access_request'])
    expect(values(results[1])[0]).toMatchObject({ group: 'jira-software-users' })
  })
})
