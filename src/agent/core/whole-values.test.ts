import { beforeAll, describe, expect, it } from 'vitest'
import { memoryToolbox } from '../../../tests/support/agent-toolbox.ts'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import { HelpdeskError } from '../../errors/index.ts'
import { replanForTarget } from '../../execution/replan.ts'
import { loadInstructions } from '../../knowledge/instructions/instruction-loader.ts'
import { buildPlan } from '../../planning/planner.ts'
import type { HelpdeskCore } from './helpdesk-core.ts'

/**
 * Values are taken whole or refused, never cut or swapped (issue 8, item 4): through the core's
 * turns, on every path a value comes in by (a request, an answer to a question, a follow-up).
 */
let core: HelpdeskCore

beforeAll(async () => {
  core = (await buildMemoryRuntime()).core
})

async function refusal(turn: Promise<unknown>): Promise<HelpdeskError> {
  const error = await turn.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  if (!(error instanceof HelpdeskError)) throw new Error(`expected a HelpdeskError, got ${error}`)
  return error
}

describe('a message with an invisible character', () => {
  it('is refused whole, naming the character, and nothing is planned ("ad\\u200bministrator")', async () => {
    const error = await refusal(
      core.handleTurn({ message: 'unlock user ad\u200bministrator', requester: 'jdoe' }),
    )
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.message).toMatch(/U\+200B ZERO WIDTH SPACE \(character 15\)/)
  })

  it('is refused as an answer to a question and as a follow-up, the question staying open', async () => {
    const first = await core.handleTurn({ message: 'my AD account is locked' })
    expect(first.missing[0]?.parameter).toBe('username')
    const answer = await refusal(
      core.handleTurn({ sessionId: first.sessionId, message: 'ad\u2060min' }),
    )
    expect(answer.message).toMatch(/U\+2060 WORD JOINER/)
    const retry = await core.handleTurn({ sessionId: first.sessionId, message: 'a.smith' })
    expect(retry.plan[0]?.parameters.username).toBe('a.smith')
    const followUp = await refusal(
      core.handleTurn({ sessionId: first.sessionId, message: 'same for b.jones\ufeff' }),
    )
    expect(followUp.message).toMatch(/U\+FEFF ZERO WIDTH NO-BREAK SPACE/)
  })

  it('is not refused for an emoji built with a zero width joiner', async () => {
    const result = await core.handleTurn({
      message: 'my AD account a.smith is locked 👩🏽\u200d💻',
    })
    expect(result.plan[0]?.parameters.username).toBe('a.smith')
  })
})

const USERNAME_EXPECTED = /expected a username of letters, digits/

describe('a value with something glued to it ("jdoe;rm -rf /")', () => {
  it('is refused whole in a request, naming the value; nothing is planned for the requester instead', async () => {
    const result = await core.handleTurn({
      message: 'unlock user jdoe;rm -rf /',
      requester: 'a.smith',
    })
    expect(result.plan).toEqual([])
    expect(result.missing[0]).toMatchObject({
      parameter: 'username',
      problem: expect.stringMatching(USERNAME_EXPECTED),
    })
    expect(result.reply).toContain('"jdoe;rm" is not a valid username')
  })

  it('is refused whole as an answer to the question', async () => {
    const first = await core.handleTurn({ message: 'my AD account is locked' })
    expect(first.missing[0]?.parameter).toBe('username')
    const answer = await core.handleTurn({ sessionId: first.sessionId, message: 'jdoe;rm -rf /' })
    expect(answer.plan).toEqual([])
    expect(answer.missing[0]).toMatchObject({
      parameter: 'username',
      problem: expect.stringContaining('username "jdoe;rm -rf /" must not contain " -"'),
    })
  })

  it('is refused whole in a follow-up, which does not fall back to the previous account', async () => {
    const first = await core.handleTurn({ message: 'unlock AD user a.smith' })
    expect(first.plan[0]?.parameters.username).toBe('a.smith')
    const again = await core.handleTurn({
      sessionId: first.sessionId,
      message: 'same for jdoe;rm -rf /',
    })
    expect(again.plan).toEqual([])
    expect(again.missing[0]?.problem).toContain('"jdoe;rm" is not a valid username')
  })

  it.each([
    ['my laptop LT-0423;reboot is slow', 'device', '"LT-0423;reboot" is not a valid device'],
    ['unlock user $(reboot)', 'username', '"$(reboot)" is not a valid username'],
    ["unlock user O'Brien", 'username', `"O'Brien" is not a valid username`],
    ['unlock user "John Doe"', 'username', '"John Doe" is not a valid username'],
  ])('%j: the whole value is named, never a shortened one', async (message, parameter, problem) => {
    const result = await core.handleTurn({ message, requester: 'a.smith' })
    expect(result.plan).toEqual([])
    expect(result.missing[0]).toMatchObject({
      parameter,
      problem: expect.stringContaining(problem),
    })
  })
})

describe('a follow-up ("same for X") names its own value', () => {
  it.each([
    ['and the same for bob', { username: 'bob', group: 'Enterprise Admins' }],
    ['and for bob too', { username: 'bob', group: 'Enterprise Admins' }],
    ['same for Finance Team', { username: 'alice', group: 'Finance Team' }],
    ['same for the Finance Team group', { username: 'alice', group: 'Finance Team' }],
  ])('%j is planned with what it names, not the previous values', async (message, expected) => {
    const first = await core.handleTurn({
      message: 'add user alice to group Enterprise Admins',
      requester: 'jdoe',
    })
    const again = await core.handleTurn({ sessionId: first.sessionId, message, requester: 'jdoe' })
    expect(again.plan[0]?.parameters).toMatchObject(expected)
  })

  it('asks again when no parameter takes what it names', async () => {
    const first = await core.handleTurn({ message: 'unlock AD user a.smith' })
    const again = await core.handleTurn({
      sessionId: first.sessionId,
      message: 'same for John Smith',
    })
    expect(again.plan).toEqual([])
    expect(again.missing[0]?.problem).toContain('"John Smith" is not a valid username')
  })
})

describe('group names with spaces', () => {
  it.each([
    ['add user alice to group Enterprise Admins', 'alice', 'Enterprise Admins'],
    ["add me to the 'Finance Team' group in jira", 'jdoe', 'Finance Team'],
    ['add user alice to the jira group "Finance Team" please', 'alice', 'Finance Team'],
    ['please add user alice to the Finance Team group', 'alice', 'Finance Team'],
    ['add user alice to group Enterprise Admins, thanks', 'alice', 'Enterprise Admins'],
    ['add user alice to group Enterprise Admins and tell her', 'alice', 'Enterprise Admins'],
  ])('%j plans the whole name', async (message, username, group) => {
    const result = await core.handleTurn({ message, requester: 'jdoe' })
    expect(result.plan[0]?.parameters).toMatchObject({ username, group })
  })

  it('refuses a name with something glued to it, and asks when a quote is never closed', async () => {
    const glued = await core.handleTurn({
      message: 'add user alice to group Enterprise Admins;reboot',
    })
    expect(glued.plan).toEqual([])
    expect(glued.missing[0]?.problem).toContain('"Enterprise Admins;reboot" is not a valid group')
    const unclosed = await core.handleTurn({
      message: "add user alice to group 'Enterprise Admins",
    })
    expect(unclosed.plan).toEqual([])
    expect(unclosed.missing[0]).toMatchObject({ parameter: 'group' })
  })
})

describe("the account system's own name rules, before anything is rendered", () => {
  it('refuses an Active Directory name over 20 characters, naming the system and its rule', async () => {
    const result = await core.handleTurn({
      message: 'reset the AD password for user Enterprise.Administrator01',
      requester: 'jdoe',
    })
    expect(result.plan).toEqual([])
    expect(result.missing[0]).toMatchObject({ parameter: 'username' })
    expect(result.missing[0]?.problem).toMatch(
      /"Enterprise\.Administrator01" cannot be an Active Directory username \(username is longer than 20 characters\): a sAMAccountName has at most 20 characters/,
    )
  })

  it('refuses an email address as an Active Directory name but takes it for AWS IAM', async () => {
    const directory = await core.handleTurn({
      message: 'reset the AD password, username jane.doe@example.com',
    })
    expect(directory.plan).toEqual([])
    expect(directory.missing[0]?.problem).toMatch(/Active Directory.*must not contain "@"/)
    const iam = await core.handleTurn({
      message: 'reset my AWS console password, username jane.doe@example.com',
    })
    expect(iam.plan[0]?.parameters).toMatchObject({
      username: 'jane.doe@example.com',
      system: 'aws_iam',
    })
  })

  it('refuses an AWS IAM name over 64 characters', async () => {
    const long = `${'a'.repeat(50)}@example-corporation.com`
    const result = await core.handleTurn({
      message: `reset my AWS console password, username ${long}`,
    })
    expect(result.plan).toEqual([])
    expect(result.missing[0]?.problem).toMatch(
      /cannot be an AWS IAM username \(username is longer than 64 characters\): an IAM user name is 1 to 64/,
    )
  })
})

describe('values given by a caller (a model through the tools, an edited plan)', () => {
  it('planTask refuses an invisible character or a name the system refuses, with the reason', async () => {
    const toolbox = await memoryToolbox()
    await expect(
      toolbox.planTask('account_locked', {
        username: 'ad\u200bministrator',
        system: 'active_directory',
      }),
    ).rejects.toThrow(
      /username: username "ad<U\+200B>ministrator" contains U\+200B ZERO WIDTH SPACE/,
    )
    await expect(
      toolbox.planTask('account_locked', {
        username: 'Enterprise.Administrator01',
        system: 'active_directory',
      }),
    ).rejects.toThrow(
      /username: "Enterprise.Administrator01" cannot be an Active Directory username/,
    )
  })

  it('the execution service re-plan refuses a plan edited to carry such a name', async () => {
    const instructions = new Map(
      (await loadInstructions('data/instructions')).map((each) => [each.id, each]),
    )
    const instruction = instructions.get('account_locked')
    if (!instruction) throw new Error('account_locked missing')
    const plan = buildPlan(instruction, {
      username: 'jdoe',
      system: 'active_directory',
      platform: 'windows',
    })
    const step = plan.steps.find((each) => each.executor === 'active_directory')
    if (!step) throw new Error('no directory step')
    const edited = {
      ...plan,
      parameters: { ...plan.parameters, username: 'Enterprise.Administrator01' },
    }
    expect(() => replanForTarget(instructions, edited, step)).toThrow(
      /username: "Enterprise.Administrator01" cannot be an Active Directory username/,
    )
    expect(() =>
      replanForTarget(
        instructions,
        { ...plan, parameters: { ...plan.parameters, username: 'ad\u2066min' } },
        step,
      ),
    ).toThrow(/U\+2066 LEFT-TO-RIGHT ISOLATE/)
  })
})
