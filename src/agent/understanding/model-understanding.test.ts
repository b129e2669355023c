import { describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import { toolCallResponse } from '../../../tests/support/recorded-llm-server.ts'
import { guardedModelFetch } from '../../models/guarded-model-fetch.ts'
import type { ModelEndpoint } from '../../models/model-endpoint.ts'
import type { RouteDecision } from '../../retrieval/request-router.ts'
import type { TurnState } from '../core/turn.ts'
import { ModelUnderstanding } from './model-understanding.ts'

/**
 * The understanding's own paths, with the model's answers given in process (the adapters' runs
 * against a loopback server are in model-understanding.int.test.ts).
 */
const runtime = buildMemoryRuntime()
const ROUTED: RouteDecision = {
  tasks: ['account_locked'],
  ranked: [
    { taskType: 'account_locked', score: 0.52 },
    { taskType: 'password_reset', score: 0.2 },
  ],
}

function endpointAnswering(answers: Array<() => Response>, asked: unknown[] = []): ModelEndpoint {
  const transport: typeof fetch = async (_input, init) => {
    asked.push(JSON.parse(String(init?.body)))
    const next = answers.shift()
    if (!next) throw new Error('no more answers')
    return next()
  }
  const guarded = { baseURL: 'http://model.test/v1', model: 'llama3.1', timeoutMs: 2000 }
  return {
    ...guarded,
    apiKey: 'sk-test',
    fetch: guardedModelFetch({ ...guarded, maxRetries: 0, fetch: transport }),
    offline: false,
    maxRetries: 0,
    clientTimeoutMs: 3000,
  }
}

const toolAnswer = (argumentsText: string) => () =>
  toolCallResponse('understand_request', argumentsText)

function turnOf(message: string, known: Record<string, string> = {}): TurnState {
  return {
    session: {
      id: 'session-1',
      createdAt: '2026-12-03T10:00:00.000Z',
      updatedAt: '2026-12-03T10:00:00.000Z',
      history: [{ role: 'user', text: message, at: '2026-12-03T10:00:00.000Z' }],
      queue: [],
      known,
    },
    message,
    tasks: [],
    ranked: [],
    planned: [],
  }
}

async function understandingWith(answers: Array<() => Response>, asked: unknown[] = []) {
  const { knowledge } = await runtime
  const log: string[] = []
  const understanding = new ModelUnderstanding({
    endpoint: endpointAnswering(answers, asked),
    instructions: knowledge.instructions,
    log: (line) => log.push(line),
  })
  return { understanding, log }
}

describe('ModelUnderstanding', () => {
  it('with no candidates, the model is not asked', async () => {
    const asked: unknown[] = []
    const { understanding } = await understandingWith([], asked)
    const routed = { tasks: [], ranked: [], outOfScopeTopic: 'chit_chat' }
    expect(await understanding.understand(turnOf('hello'), routed)).toBe(routed)
    expect(asked).toEqual([])
  })

  it('asks with one forced tool call and takes a chosen candidate and its values', async () => {
    const asked: Array<Record<string, unknown>> = []
    const { understanding, log } = await understandingWith(
      [toolAnswer('{"tasks":["password_reset"],"parameters":{"username":"R.Chen"}}')],
      asked,
    )
    const turn = turnOf('forgot the password of r chen, login R.Chen')
    expect(await understanding.understand(turn, ROUTED)).toEqual({
      tasks: ['password_reset'],
      ranked: ROUTED.ranked,
    })
    expect(turn.session.known).toEqual({ username: 'R.Chen' })
    expect(asked[0]).toMatchObject({
      model: 'llama3.1',
      tool_choice: { type: 'function', function: { name: 'understand_request' } },
    })
    expect(log).toEqual([])
  })

  it.each([
    [
      'an answer that is not JSON',
      toolAnswer('{"tasks": ['),
      /sent arguments for "understand_request" that are not JSON/,
    ],
    [
      'a server error',
      () => Response.json({ error: { message: 'model not loaded' } }, { status: 404 }),
      /could not be asked, the router's decision stands: it answered HTTP 404: .*model not loaded/,
    ],
    [
      'a text answer that is no object',
      () => Response.json({ choices: [{ message: { role: 'assistant', content: 'sure!' } }] }),
      /^understanding rejected, the router's decision stands: the answer is not a JSON object$/,
    ],
  ])('%s: the router decides, and the log says why', async (_name, answer, reason) => {
    const { understanding, log } = await understandingWith([answer])
    const turn = turnOf('my account is locked')
    expect(await understanding.understand(turn, ROUTED)).toBe(ROUTED)
    expect(turn.session.known).toEqual({})
    expect(log).toEqual([expect.stringMatching(reason)])
  })

  it('a refused value is kept as given for the core to refuse, then dropped at the next routed turn', async () => {
    const { understanding } = await understandingWith([
      toolAnswer('{"tasks":["account_locked"],"parameters":{"username":"jdoe;rm -rf /"}}'),
      toolAnswer('{"tasks":["password_reset"],"parameters":{}}'),
    ])
    const turn = turnOf('unlock the guy at the desk', { device: 'LT-0423' })
    await understanding.understand(turn, ROUTED)
    expect(turn.session.known).toEqual({ device: 'LT-0423', username: 'jdoe;rm -rf /' })
    await understanding.understand(turn, ROUTED)
    expect(turn.session.known).toEqual({ device: 'LT-0423' })
  })

  it('a compound request split by the model is routed in its order, with its parts, through the core', async () => {
    const { core } = await runtime
    const { understanding } = await understandingWith([
      toolAnswer(
        JSON.stringify({
          tasks: ['account_locked', 'laptop_running_slow'],
          parameters: {},
          parts: [
            { text: 'unlock maria.garcia please', task: 'account_locked' },
            { text: 'my laptop is really slow lately', task: 'laptop_running_slow' },
          ],
        }),
      ),
    ])
    const message = 'unlock maria.garcia please; btw my laptop is really slow lately'
    const turn = await core.startTurn({ message })
    const routes: unknown[] = []
    await core.routeTurn(turn, (event) => routes.push(event), { understanding })
    expect(turn.tasks).toEqual(['account_locked', 'laptop_running_slow'])
    expect(routes).toEqual([
      expect.objectContaining({
        type: 'route-end',
        tasks: ['account_locked', 'laptop_running_slow'],
      }),
    ])
    core.planTurn(turn)
    expect(turn.planned.map(({ plan }) => [plan.taskType, plan.parameters.username])).toEqual([
      ['account_locked', 'maria.garcia'],
    ])
    expect(turn.question?.taskType).toBe('laptop_running_slow')
  })
})
