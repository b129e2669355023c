import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../tests/support/memory-runtime.ts'
import {
  type RecordedAnswer,
  startRecordedLlmServer,
} from '../../tests/support/recorded-llm-server.ts'
import { LangChainAgent } from '../agent/adapters/langchain-agent.ts'
import { OpenAiAgentsAgent } from '../agent/adapters/openai-agents-agent.ts'
import { AgentToolbox } from '../agent/agent-toolbox.ts'
import { lastReply } from '../agent/event-stream.ts'
import { dryRunSteps } from '../app/chat-step-runner.ts'
import { modelEndpointFromEnvironment } from './model-endpoint.ts'

const runtime = buildMemoryRuntime()
const recording = (name: string) =>
  JSON.parse(
    readFileSync(`tests/fixtures/llm-recordings/${name}-account-locked.json`, 'utf8'),
  ) as RecordedAnswer[]
const MESSAGE = 'user maria.garcia is locked out of active directory'
let closeServer: (() => Promise<void>) | undefined

afterEach(async () => {
  await closeServer?.()
  closeServer = undefined
})

async function setUp(answers: RecordedAnswer[], extra: Record<string, string> = {}) {
  const server = await startRecordedLlmServer(answers)
  closeServer = server.close
  const { core, router, knowledge } = await runtime
  const toolbox = new AgentToolbox({
    core,
    router,
    instructions: knowledge.instructions,
    runStep: dryRunSteps(),
  })
  const endpoint = modelEndpointFromEnvironment({
    LLM_BASE_URL: server.baseURL,
    LLM_MODEL: 'llama3.1',
    LLM_API_KEY: 'sk-local-test',
    LLM_MAX_RETRIES: '2',
    ...extra,
  })
  return { server, toolbox, endpoint, core }
}

const toolCall = (name: string, argumentsText: string): RecordedAnswer => ({
  status: 200,
  body: {
    id: `chatcmpl-recorded-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: 1795295641,
    model: 'llama3.1',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name, arguments: argumentsText } },
          ],
        },
        finish_reason: 'tool_calls',
      },
    ],
  },
})

describe('an OpenAI-compatible LLM server (recorded answers replayed on loopback)', () => {
  for (const [framework, make] of [
    [
      'langchain',
      (toolbox: AgentToolbox, endpoint: ReturnType<typeof modelEndpointFromEnvironment>) =>
        new LangChainAgent(toolbox, endpoint),
    ],
    [
      'openai-agents',
      (toolbox: AgentToolbox, endpoint: ReturnType<typeof modelEndpointFromEnvironment>) =>
        new OpenAiAgentsAgent(toolbox, endpoint),
    ],
  ] as const) {
    it(`${framework}: drives a turn over chat completions with the configured model and key`, async () => {
      const { server, toolbox, endpoint, core } = await setUp(recording(framework))
      const agent = make(toolbox, endpoint)
      const result = await lastReply(agent.handleTurn({ message: MESSAGE }))
      const reference = await core.handleTurn({ message: MESSAGE })
      expect(result.tasks).toEqual(reference.tasks)
      expect(result.plan).toEqual(reference.plan)
      expect(agent.lastToolCalls).toEqual([
        'route_request',
        'plan_tasks',
        'execute_steps',
        'write_reply',
      ])
      expect(server.requests.length).toBe(recording(framework).length)
      for (const request of server.requests) {
        expect(request.path).toBe('/v1/chat/completions')
        expect(request.authorization).toBe('Bearer sk-local-test')
        expect(request.body.model).toBe('llama3.1')
        expect(request.body.tools?.length).toBeGreaterThan(0)
      }
      expect(server.requests[0]?.body.tools?.map((tool) => tool.function.name)).toContain(
        'route_request',
      )
    })
  }

  it('retries 429 (honouring Retry-After) and 5xx, then carries on', async () => {
    const answers = recording('langchain')
    const { server, toolbox, endpoint } = await setUp([
      {
        status: 429,
        headers: { 'retry-after': '1' },
        body: { error: { message: 'rate limited' } },
      },
      { status: 503, body: { error: { message: 'loading model' } } },
      ...answers,
    ])
    const started = Date.now()
    const result = await lastReply(
      new LangChainAgent(toolbox, endpoint).handleTurn({ message: MESSAGE }),
    )
    expect(result.tasks).toEqual(['account_locked'])
    expect(server.requests.length).toBe(answers.length + 2)
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
  })

  it('a tool call with arguments that are not JSON fails the turn with a clear error', async () => {
    const { toolbox, endpoint } = await setUp([toolCall('route_request', '{"oops": ')])
    await expect(
      lastReply(new LangChainAgent(toolbox, endpoint).handleTurn({ message: MESSAGE })),
    ).rejects.toMatchObject({
      code: 'MODEL_FAILED',
      message: expect.stringMatching(
        /llama3\.1 at http:\/\/127\.0\.0\.1:\d+\/v1 sent arguments for "route_request" that are not JSON/,
      ),
    })
  })

  it('a call to a tool that was never offered fails with the offered list', async () => {
    const { toolbox, endpoint } = await setUp([toolCall('add_to_domain_admins', '{}')])
    await expect(
      lastReply(new OpenAiAgentsAgent(toolbox, endpoint).handleTurn({ message: MESSAGE })),
    ).rejects.toMatchObject({
      code: 'MODEL_FAILED',
      message: expect.stringMatching(
        /called a tool that was not offered: "add_to_domain_admins" \(offered: route_request, write_reply/,
      ),
    })
  })

  it('a model slower than LLM_TIMEOUT_MS fails with the limit named, after the retries', async () => {
    const slow = { ...recording('langchain')[0], delayMs: 3000 } as RecordedAnswer
    const { server, toolbox, endpoint } = await setUp([slow, slow, slow], {
      LLM_TIMEOUT_MS: '1000',
      LLM_MAX_RETRIES: '0',
    })
    await expect(
      lastReply(new LangChainAgent(toolbox, endpoint).handleTurn({ message: MESSAGE })),
    ).rejects.toMatchObject({
      code: 'MODEL_FAILED',
      message: expect.stringContaining('did not answer within 1000 ms, the per-call limit'),
    })
    expect(server.requests).toHaveLength(1)
  })
})
