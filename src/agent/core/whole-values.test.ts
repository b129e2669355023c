import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import { HelpdeskError } from '../../errors/index.ts'
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
