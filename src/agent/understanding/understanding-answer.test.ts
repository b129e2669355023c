import { describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import { candidatesOf, checkAnswer } from './understanding-answer.ts'

const runtime = buildMemoryRuntime()
const CANDIDATES = ['account_locked', 'password_reset', 'printer_not_working']

describe('checkAnswer: the model chooses from a closed set, every value is validated', () => {
  it('takes candidate tasks in order and canonical values of the chosen runbooks', async () => {
    const { knowledge } = await runtime
    const checked = checkAnswer(
      {
        tasks: ['account_locked', 'printer_not_working'],
        parameters: { username: 'maria.garcia', system: 'Active_Directory', colour: 'blue' },
        parts: [
          { text: 'unlock maria.garcia', task: 'account_locked' },
          { text: 'and the printer', task: 'printer_not_working' },
        ],
      },
      CANDIDATES,
      knowledge.instructions,
    )
    expect(checked).toEqual({
      ok: true,
      tasks: ['account_locked', 'printer_not_working'],
      values: { username: 'maria.garcia', system: 'active_directory' },
      refused: {},
      ignored: ['colour'],
      parts: [
        { text: 'unlock maria.garcia', task: 'account_locked' },
        { text: 'and the printer', task: 'printer_not_working' },
      ],
    })
  })

  it('none applies: an empty choice is an answer', async () => {
    const { knowledge } = await runtime
    expect(checkAnswer({ tasks: [], parameters: {} }, CANDIDATES, knowledge.instructions)).toEqual({
      ok: true,
      tasks: [],
      values: {},
      refused: {},
      ignored: [],
    })
  })

  it('refuses a value that fails its kind, with the reason, and keeps it out of the values', async () => {
    const { knowledge } = await runtime
    const checked = checkAnswer(
      { tasks: ['account_locked'], parameters: { username: 'jdoe;rm -rf /', system: 'ldap' } },
      CANDIDATES,
      knowledge.instructions,
    )
    expect(checked).toMatchObject({
      ok: true,
      values: {},
      refused: {
        username: { value: 'jdoe;rm -rf /', reason: expect.stringContaining('username') },
        system: { value: 'ldap', reason: 'system must be one of active_directory, local' },
      },
    })
  })

  it.each([
    [
      { tasks: ['add_to_domain_admins'], parameters: {} },
      'the model chose "add_to_domain_admins", which is not among the candidates (account_locked, password_reset, printer_not_working)',
    ],
    [{ tasks: 'account_locked', parameters: {} }, '"tasks" is not a list of runbook ids'],
    [
      { tasks: ['account_locked', 'account_locked'], parameters: {} },
      '"tasks" lists "account_locked" twice',
    ],
    [
      { tasks: ['account_locked'], parameters: { username: 42 } },
      'parameter "username" is not a string',
    ],
    [
      { tasks: ['account_locked'], parameters: { username: 'a'.repeat(2049) } },
      'parameter "username" is longer than 2048 characters',
    ],
    [
      { tasks: ['account_locked'], parameters: {}, parts: [{ text: 'x', task: 'password_reset' }] },
      'a part names "password_reset", which is not among the chosen tasks',
    ],
    ['not JSON: {"tasks": [', 'the answer is not a JSON object'],
  ])('rejects the whole answer %#', async (answer, reason) => {
    const { knowledge } = await runtime
    expect(checkAnswer(answer, CANDIDATES, knowledge.instructions)).toEqual({ ok: false, reason })
  })

  it('shows the model each candidate by id, title, scope, score and parameter names only', async () => {
    const { knowledge } = await runtime
    const [candidate] = candidatesOf(
      [{ taskType: 'account_locked', score: 0.72345 }],
      knowledge.instructions,
    )
    expect(Object.keys(candidate ?? {})).toEqual(['id', 'title', 'scope', 'score', 'parameters'])
    expect(candidate?.score).toBe(0.723)
    expect(Object.keys(candidate?.parameters[0] ?? {})).toEqual(['name', 'kind', 'description'])
  })
})
