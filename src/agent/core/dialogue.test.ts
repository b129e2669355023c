import { describe, expect, it } from 'vitest'
import { alice, kim, tom, useDialogueWorld } from '../../../tests/support/dialogue-world.ts'

/**
 * Conversations that went wrong for outside testers (issue 9): each turn must decide whether the
 * message answers the open question, corrects a value, starts a new request or is small talk.
 */

const talk = useDialogueWorld()

const stepIds = (result: { plan: Array<{ steps: Array<{ id: string }> }> }) =>
  result.plan.flatMap((plan) => plan.steps.map((step) => step.id))

describe('answers to the open question', () => {
  it('"windows" to "Windows/network, AWS or local?" is the directory login, not a slow computer', async () => {
    const { results } = await talk(alice, 'I forgot my password', 'windows')
    expect(results[0]?.missing[0]?.parameter).toBe('system')
    expect(results[1]?.tasks).toEqual(['password_reset'])
    expect(results[1]?.plan[0]?.parameters.system).toBe('active_directory')
  })

  it('a correction to a system the lockout runbook lacks asks again, never switches runbook', async () => {
    const { results, session } = await talk(
      tom,
      'unlock jdoe in active directory',
      'sorry, I meant the AWS console',
    )
    expect(results[1]?.tasks).toEqual(['account_locked'])
    expect(results[1]?.plan).toEqual([])
    expect(results[1]?.missing[0]?.parameter).toBe('system')
    expect(results[1]?.reply).toMatch(/doesn't cover an AWS account/)
    expect((await session())?.pending).toEqual({ taskType: 'account_locked', parameter: 'system' })
  })

  it('a correction changes the value, not the task ("actually it\'s the AWS one")', async () => {
    const { results } = await talk(
      alice,
      'I forgot my password',
      'windows',
      "actually it's the AWS one",
    )
    expect(results[2]?.tasks).toEqual(['password_reset'])
    expect(results[2]?.plan[0]?.parameters.system).toBe('aws_iam')
  })

  it('a two-part message keeps its second part: the answer and a new request', async () => {
    const { results } = await talk(
      kim,
      'outlook is not syncing',
      'LT-0425 and also my vpn keeps dropping',
    )
    expect(results[0]?.missing[0]?.parameter).toBe('device')
    expect(results[1]?.plan.map((plan) => plan.taskType)).toContain('outlook_not_syncing')
    expect(results[1]?.tasks).toContain('vpn_troubleshooting')
  })
})

describe('"I don\'t know" gets help or a way round, never a topic switch', () => {
  it('an unknown optional share group is skipped: planned without the step that needs it', async () => {
    const { results, session } = await talk(
      alice,
      'I need access to \\\\fs01\\finance',
      'no idea, my manager is Bob',
    )
    // Planned at once (approval first); the group is asked after the plan (optional-values.test.ts).
    expect(results[0]?.plan).toHaveLength(1)
    expect(results[0]?.reply).toMatch(/Which access group controls this share\?/)
    expect(results[1]?.tasks).toEqual(['shared_drive_access'])
    expect(results[1]?.plan[0]?.parameters.group).toBeUndefined()
    expect(stepIds(results[1] ?? { plan: [] })).not.toContain(
      'shared_drive_access.add_to_share_group',
    )
    expect(results[1]?.reply).toMatch(/a technician can do that part/)
    // Nothing is left open for the next message to be taken as.
    expect((await session())?.pending).toBeUndefined()
  })

  it("\"i don't know, it's my work laptop\" to Outlook's device question uses the assigned laptop", async () => {
    const { results } = await talk(
      kim,
      'outlook is not syncing',
      "i don't know, it's my work laptop",
    )
    expect(results[1]?.tasks).toEqual(['outlook_not_syncing'])
    expect(results[1]?.plan[0]?.parameters.device).toBe('LT-0425')
  })

  it('an employee naming no machine gets their one machine, and is told which', async () => {
    const { results } = await talk(alice, 'outlook is not syncing')
    expect(results[0]?.missing).toEqual([])
    expect(results[0]?.plan[0]?.parameters.device).toBe('LT-0423')
    expect(results[0]?.reply).toMatch(/on your laptop LT-0423, the one assigned to you/)
    // Named in the message: nothing to say about it.
    const named = await talk(alice, 'outlook is not syncing on LT-0423')
    expect(named.results[0]?.reply).not.toMatch(/assigned to you/)
  })

  it('a mistyped computer for the follow-up is asked again with the reason', async () => {
    const { results } = await talk(
      alice,
      'my windows login keeps getting locked',
      '$(reboot)',
      'LT-0423',
    )
    expect(results[1]?.plan).toEqual([])
    expect(results[1]?.missing[0]).toMatchObject({ parameter: 'device' })
    expect(results[1]?.reply).toMatch(/not a valid device/)
    // Still only the step it was asked for: the unlock was planned already.
    expect(stepIds(results[2] ?? { plan: [] })).toEqual([
      'account_locked.scan_device_for_stale_credentials',
    ])
  })

  it('offers "my laptop" to someone with one assigned laptop who does not know its name', async () => {
    const { results } = await talk(kim, 'outlook is not syncing', "I don't know")
    expect(results[1]?.reply).toMatch(/just say "my laptop" and I'll use LT-0425/)
    expect(results[1]?.missing[0]?.parameter).toBe('device')
  })

  it('a machine name nobody knows: how to find it, then a hand-off, never another runbook', async () => {
    const { results } = await talk(
      tom,
      'outlook is not syncing for jdoe',
      "i don't know",
      'no idea',
    )
    // Still the Outlook task: help to find the value, not another topic.
    expect(results[1]?.tasks).toEqual(['outlook_not_syncing'])
    expect(results[1]?.reply).toMatch(/Settings > System > About/)
    expect(results[1]?.missing[0]?.parameter).toBe('device')
    expect(results[2]?.handoff).toEqual({ reason: 'needs_a_person' })
    expect(results[2]?.plan).toEqual([])
  })
})

describe('small talk and "talk to a person"', () => {
  it('a greeting while a group question is open is answered, never taken as the group', async () => {
    const { results, session } = await talk(alice, 'I need access to \\\\fs01\\finance', 'hello')
    expect(results[1]?.plan).toEqual([])
    expect(results[1]?.outOfScope).toBeUndefined()
    expect(results[1]?.reply).toMatch(/^Hello!/)
    expect(results[1]?.reply).toMatch(/Which access group controls this share/)
    expect((await session())?.known.group).toBeUndefined()
    expect((await session())?.pending?.parameter).toBe('group')
  })

  it('greetings, thanks and "are you a bot?" get a human answer, not a refusal', async () => {
    const { results } = await talk(alice, 'hi', 'thanks!', 'are you a bot?')
    for (const result of results) {
      expect(result.outOfScope).toBeUndefined()
      expect(result.reply).not.toMatch(/isn't something I can handle/)
    }
    expect(results[2]?.reply).toMatch(/automated assistant/)
  })

  it('"thanks, that\'s all" closes the conversation: the open question is not asked again', async () => {
    const { results, session } = await talk(
      alice,
      'my printer is not working',
      "thanks, that's all",
    )
    expect(results[1]?.outOfScope).toBeUndefined()
    expect(results[1]?.reply).toMatch(/Glad I could help/)
    expect(results[1]?.missing).toEqual([])
    expect((await session())?.pending).toBeUndefined()
  })

  it('"talk to a person" hands off, and the open question is not asked again', async () => {
    const { results, session } = await talk(alice, 'my printer is not working', 'talk to a person')
    expect(results[1]?.handoff).toEqual({ reason: 'requested' })
    expect(results[1]?.reply).toMatch(/IT service desk/)
    expect((await session())?.pending).toBeUndefined()
  })
})

describe('topics the employee left', () => {
  it("an unanswered printer question is not appended to the VPN request's replies", async () => {
    const { results } = await talk(alice, 'my printer is not working', 'my vpn says error 809')
    expect(results[1]?.tasks).toEqual(['vpn_not_connecting'])
    expect(results[1]?.missing.map((each) => each.taskType)).not.toContain('printer_not_working')
    expect(results[1]?.reply).not.toMatch(/printer/i)
  })
})

describe('names in any common phrasing', () => {
  it('a technician naming the employee with "for NAME" plans for that employee', async () => {
    const { results } = await talk(tom, 'reset the password for jdoe in active directory')
    expect(results[0]?.plan[0]?.parameters.username).toBe('jdoe')
  })

  it('"jdoe\'s password" and "unlock kwong" name the account', async () => {
    const { results } = await talk(tom, "jdoe's password expired, it's the windows login")
    expect(results[0]?.plan[0]?.parameters.username).toBe('jdoe')
    const unlock = await talk(tom, 'please unlock kwong in active directory')
    expect(unlock.results[0]?.plan[0]?.parameters.username).toBe('kwong')
  })

  it('"same for NAME" takes a plain username, not the machine', async () => {
    const { results } = await talk(
      tom,
      'outlook is not syncing for jdoe on LT-0423',
      'same for kwong',
    )
    expect(results[0]?.plan[0]?.parameters.username).toBe('jdoe')
    expect(results[1]?.plan[0]?.parameters).toMatchObject({ username: 'kwong', device: 'LT-0423' })
  })
})

describe('one request for two people', () => {
  it('"reset my windows password and bob\'s too": hers is planned, bob\'s refused', async () => {
    const { results } = await talk(alice, "reset my windows password and bob's too")
    expect(results[0]?.plan.map((plan) => plan.parameters.username)).toEqual(['alice'])
    expect(results[0]?.refused?.[0]).toMatch(/haven't done anything for bob/)
  })

  it('a technician gets a plan for each name', async () => {
    const { results } = await talk(tom, 'unlock jdoe in active directory, and kwong as well')
    expect(results[0]?.plan.map((plan) => plan.parameters.username)).toEqual(['jdoe', 'kwong'])
  })
})

describe('questions that are not requests', () => {
  it('"my mouse is broken" asks for no Jira address and plans nothing', async () => {
    const { results } = await talk(alice, 'my mouse is broken')
    expect(results[0]?.plan).toEqual([])
    expect(results[0]?.tasks).not.toContain('access_jira')
    expect(results[0]?.tasks).not.toContain('jira_access_request')
    expect(results[0]?.missing.map((each) => each.parameter)).not.toContain('url')
    expect(results[0]?.reply).not.toMatch(/jira|address|url/i)
  })

  it('"how many assets do we have?" plans no unlock for the technician asking', async () => {
    for (const message of [
      'how many assets do we have?',
      'how many assets does the company have?',
      'how many accounts do we have',
    ]) {
      const { results } = await talk(tom, message)
      expect(results[0]?.plan, message).toEqual([])
      expect(results[0]?.tasks, message).toEqual([])
      expect(results[0]?.missing, message).toEqual([])
    }
  })

  it('"how many laptops do we have?" plans nothing for the person asking', async () => {
    const { results } = await talk(tom, 'how many laptops do we have?')
    expect(results[0]?.plan).toEqual([])
    expect(results[0]?.tasks).toEqual([])
    expect(results[0]?.reply).toMatch(/company records/)
  })
})

describe('machines and locks', () => {
  it('a machine named in the inventory brings its operating system', async () => {
    const { results } = await talk(tom, 'LT-0424 is running really slow')
    expect(results[0]?.plan[0]?.parameters.platform).toBe('linux')
    expect(results[0]?.plan[0]?.steps.every((step) => !/windows/i.test(step.id))).toBe(true)
  })

  it('a recurring Windows lockout plans the directory unlock before asking for a computer', async () => {
    const { results } = await talk(alice, 'my windows login keeps getting locked')
    expect(stepIds(results[0] ?? { plan: [] })).toContain('account_locked.unlock_ad_account')
    expect(results[0]?.missing).toEqual([])
    expect(results[0]?.reply).toMatch(/Which computer is it\?/)
  })

  it('the computer given after that plans only the steps it was asked for', async () => {
    const { results } = await talk(alice, 'my windows login keeps getting locked', 'LT-0423')
    expect(results[1]?.tasks).toEqual(['account_locked'])
    expect(stepIds(results[1] ?? { plan: [] })).toEqual([
      'account_locked.scan_device_for_stale_credentials',
    ])
    expect(results[1]?.plan[0]?.parameters.device).toBe('LT-0423')
  })
})
