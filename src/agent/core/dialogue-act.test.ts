import { beforeAll, describe, expect, it } from 'vitest'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { loadInstructions } from '../../knowledge/instructions/instruction-loader.ts'
import { classifyMessage, type DialogueContext, smallTalkOf } from './dialogue-act.ts'
import { optionNamedIn } from './option-synonyms.ts'

let runbooks: Map<string, Instruction>

beforeAll(async () => {
  runbooks = new Map(
    (await loadInstructions('data/instructions')).map((instruction) => [
      instruction.id,
      instruction,
    ]),
  )
})

function runbook(id: string): Instruction {
  const instruction = runbooks.get(id)
  if (!instruction) throw new Error(`no runbook ${id}`)
  return instruction
}

/** The context of an open question about `parameter` of runbook `id`. */
function asking(id: string, parameter: string, extra: Partial<DialogueContext> = {}) {
  return (message: string) =>
    classifyMessage({
      message,
      pending: { instruction: runbook(id), parameter },
      current: runbook(id),
      known: {},
      ...extra,
    })
}

describe('an answer is checked against the question asked', () => {
  it('takes the natural names of an option: "windows", "the network one", "my computer login"', () => {
    const answer = asking('password_reset', 'system')
    for (const message of ['windows', 'the network one', 'my computer login', 'Windows login']) {
      expect(answer(message), message).toEqual({
        kind: 'answer',
        parameter: 'system',
        value: 'active_directory',
      })
    }
    expect(answer('the AWS one')).toMatchObject({ kind: 'answer', value: 'aws_iam' })
    expect(answer('amazon console')).toMatchObject({ kind: 'answer', value: 'aws_iam' })
    expect(answer('local, only on this machine')).toMatchObject({ kind: 'answer', value: 'local' })
  })

  it('keeps the clauses that are not the answer, for a second request', () => {
    const act = asking('outlook_not_syncing', 'device')('LT-0423 and also my vpn keeps dropping')
    expect(act).toEqual({
      kind: 'answer',
      parameter: 'device',
      value: 'LT-0423',
      remainder: 'my vpn keeps dropping',
      request: true,
    })
  })

  it('reads "my laptop" as the requester\'s one machine when there is one', () => {
    const withMachine = asking('outlook_not_syncing', 'device', { ownMachine: 'LT-0423' })
    expect(withMachine("i don't know, it's my work laptop")).toEqual({
      kind: 'answer',
      parameter: 'device',
      value: 'LT-0423',
    })
  })

  it('does not take a sentence as a name: "my account is locked" is no printer', () => {
    expect(asking('printer_not_working', 'printer')('my account is locked')).toEqual({
      kind: 'new_request',
    })
  })

  it('takes a name in an answer\'s usual phrasing ("it\'s jdoe")', () => {
    expect(asking('outlook_not_syncing', 'username')("it's jdoe")).toEqual({
      kind: 'answer',
      parameter: 'username',
      value: 'jdoe',
    })
  })

  it('takes the value from one part of a longer answer ("jdoe, active directory")', () => {
    const username = asking('password_reset', 'username')
    expect(username('jdoe, active directory')).toEqual({
      kind: 'answer',
      parameter: 'username',
      value: 'jdoe',
      remainder: 'active directory',
    })
    // The rest names nothing of the task: a request of its own, to route.
    expect(asking('outlook_not_syncing', 'device')("it's LT-0423, and my vpn is down")).toEqual({
      kind: 'answer',
      parameter: 'device',
      value: 'LT-0423',
      remainder: 'my vpn is down',
      request: true,
    })
  })

  it('never cuts a value out of a message with shell characters ("jdoe;rm -rf /")', () => {
    for (const message of ['jdoe;rm -rf /', 'jdoe, $(reboot)', 'jdoe, rm -rf / | sh']) {
      expect(asking('password_reset', 'username')(message), message).toMatchObject({
        kind: 'new_request',
      })
    }
  })

  it('refuses two candidate values in the parts of an answer ("jdoe, kwong")', () => {
    expect(asking('password_reset', 'username')('jdoe, kwong')).toMatchObject({
      kind: 'new_request',
    })
  })

  it('marks a short reply that fails the check as a mistyped answer', () => {
    expect(asking('password_reset', 'device')('$(reboot)')).toEqual({
      kind: 'new_request',
      invalidAnswer: true,
    })
  })
})

describe('what is not an answer is classified, never taken as a value', () => {
  it('small talk: greetings, thanks, "are you a bot?", "how are you"', () => {
    const answer = asking('shared_drive_access', 'group')
    expect(answer('hello')).toEqual({ kind: 'small_talk', topic: 'greeting' })
    expect(answer('Good morning!')).toEqual({ kind: 'small_talk', topic: 'greeting' })
    expect(answer('thanks a lot')).toEqual({ kind: 'small_talk', topic: 'thanks' })
    expect(answer('are you a bot?')).toEqual({ kind: 'small_talk', topic: 'bot' })
    expect(answer('Are you a bot or a real person?')).toEqual({ kind: 'small_talk', topic: 'bot' })
    expect(answer('hi, how are you?')).toEqual({ kind: 'small_talk', topic: 'how_are_you' })
    expect(smallTalkOf('hi, my printer is broken')).toBeUndefined()
    for (const message of [
      "thanks, that's all",
      'bye!',
      'thank you, have a nice day',
      "it's working now",
      // The fix worked: the person is done, not asking again.
      'that worked, thank you!',
      'yes that did the trick',
      'it worked thanks',
      'thanks, that fixed it',
      "it's fine now, cheers",
    ])
      expect(smallTalkOf(message), message).toBe('goodbye')
    expect(smallTalkOf('thanks for the help')).toBe('thanks')
    expect(smallTalkOf('the printer works now')).toBeUndefined()
    expect(smallTalkOf('that worked for outlook but excel still freezes')).toBeUndefined()
  })

  it('"sorry I meant the finance one" to a path question stays with the question, never routed', () => {
    const answer = asking('shared_drive_access', 'unc_path')
    expect(answer('sorry I meant the finance one, not audit')).toEqual({
      kind: 'new_request',
      invalidAnswer: true,
      correctionOnly: true,
    })
    expect(answer('actually, my vpn keeps dropping too')).toEqual({ kind: 'new_request' })
    expect(answer('sorry I meant \\\\fs01\\finance')).toMatchObject({
      kind: 'answer',
      parameter: 'unc_path',
    })
  })

  it('a question about company records is not a request ("how many laptops do we have")', () => {
    for (const message of [
      'how many assets does the company have?',
      'how many laptops do we have',
      'what is the total number of licenses?',
    ]) {
      expect(classifyMessage({ message, known: {} }), message).toEqual({ kind: 'records_question' })
    }
    expect(classifyMessage({ message: 'how many times must I restart?', known: {} })).toEqual({
      kind: 'new_request',
    })
  })

  it('"talk to a person" in its usual phrasings', () => {
    for (const message of [
      'talk to a person',
      'can I speak to a human please',
      'human please',
      'I want a real person',
      'connect me with a technician',
    ]) {
      expect(classifyMessage({ message, known: {} }), message).toEqual({ kind: 'handoff_request' })
    }
  })

  it('"I don\'t know" to the open question, but not "I don\'t know my password"', () => {
    const group = asking('shared_drive_access', 'group')
    expect(group('no idea, my manager is Bob')).toEqual({ kind: 'dont_know', parameter: 'group' })
    expect(group('not sure')).toEqual({ kind: 'dont_know', parameter: 'group' })
    const device = asking('outlook_not_syncing', 'device')
    expect(device("i don't know, it's my work laptop")).toEqual({
      kind: 'dont_know',
      parameter: 'device',
    })
    expect(device('no idea, but it is LT-0423')).toMatchObject({ kind: 'answer', value: 'LT-0423' })
    // Several ways of not knowing in one message are still not knowing.
    expect(device("I really don't know and can't find it")).toEqual({
      kind: 'dont_know',
      parameter: 'device',
    })
    expect(device('no idea, not sure at all')).toEqual({ kind: 'dont_know', parameter: 'device' })
    expect(device("I don't know my password either")).toMatchObject({ kind: 'new_request' })
  })

  it('a correction changes a value of the current task, not the task', () => {
    const known = { system: 'active_directory', username: 'alice' }
    const act = classifyMessage({
      message: "actually it's the AWS one",
      current: runbook('password_reset'),
      known,
    })
    expect(act).toEqual({
      kind: 'correction',
      taskType: 'password_reset',
      parameter: 'system',
      value: 'aws_iam',
    })
    expect(
      classifyMessage({
        message: 'no, LT-0424',
        current: runbook('laptop_running_slow'),
        known: { device: 'LT-0423' },
      }),
    ).toMatchObject({ kind: 'correction', parameter: 'device', value: 'LT-0424' })
    // "no sound on LT-0423" is no "no,": at most the machine said again, which the core routes
    // and finds a request of its own (conversation dev-152).
    expect(
      classifyMessage({
        message: 'no sound on LT-0424 since this morning',
        current: runbook('laptop_running_slow'),
        known: { device: 'LT-0423' },
      }),
    ).toMatchObject({ kind: 'correction', restated: true })
    // Said at the end: "my own laptop then".
    expect(
      classifyMessage({
        message: 'sorry, my own laptop then',
        current: runbook('wifi_not_working'),
        known: {},
        ownMachine: 'LT-0423',
      }),
    ).toMatchObject({ kind: 'correction', parameter: 'device', value: 'LT-0423' })
    // An option the runbook does not have: asked again, never another runbook.
    expect(
      classifyMessage({
        message: 'sorry, I meant the AWS console',
        current: runbook('account_locked'),
        known: { system: 'active_directory', username: 'jdoe' },
      }),
    ).toEqual({
      kind: 'unsupported_value',
      taskType: 'account_locked',
      parameter: 'system',
      value: 'aws_iam',
    })
    // "no, my printer is broken" names nothing of the current task: a new request.
    expect(
      classifyMessage({
        message: 'no, my printer is broken',
        current: runbook('password_reset'),
        known,
      }),
    ).toEqual({ kind: 'new_request' })
  })
})

describe('optionNamedIn', () => {
  it('picks the longest name and refuses a tie', () => {
    expect(optionNamedIn(['active_directory', 'local'], 'a local account on one computer')).toBe(
      'local',
    )
    expect(optionNamedIn(['windows', 'linux'], 'both, windows and linux')).toBeUndefined()
    expect(optionNamedIn(['windows', 'linux'], 'no idea')).toBeUndefined()
  })
})
