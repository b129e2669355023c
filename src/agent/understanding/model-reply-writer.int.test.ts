import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import {
  type RecordedAnswer,
  startRecordedLlmServer,
} from '../../../tests/support/recorded-llm-server.ts'
import { dryRunSteps } from '../../app/chat-step-runner.ts'
import { modelEndpointFromEnvironment } from '../../models/model-endpoint.ts'
import { offlineModelFetch } from '../../models/offline/offline-chat-completions.ts'
import { LangChainAgent } from '../adapters/langchain-agent.ts'
import { LangGraphAgent } from '../adapters/langgraph-agent.ts'
import { MastraAgent } from '../adapters/mastra-agent.ts'
import { OpenAiAgentsAgent } from '../adapters/openai-agents-agent.ts'
import { AgentToolbox } from '../agent-toolbox.ts'
import { lastReply } from '../event-stream.ts'
import type { HelpdeskAgent } from '../helpdesk-agent.ts'
import { ModelReplyWriter } from './model-reply-writer.ts'

/**
 * The reply in a configured model's words, on every model-driven adapter: the recorded wording
 * (tests/fixtures/llm-recordings/reply-*.json) is used only when it says nothing beyond the
 * plan; the frameworks' tool-calling turns are answered by the offline model's policy.
 */
const runtime = buildMemoryRuntime()
const recording = (name: string) =>
  JSON.parse(
    readFileSync(`tests/fixtures/llm-recordings/reply-${name}.json`, 'utf8'),
  ) as RecordedAnswer[]
const MESSAGE = 'user maria.garcia is locked out of active directory'

type Endpoint = ReturnType<typeof modelEndpointFromEnvironment>
const FRAMEWORKS: ReadonlyArray<
  [string, (toolbox: AgentToolbox, endpoint: Endpoint) => HelpdeskAgent]
> = [
  ['langgraph', (toolbox) => new LangGraphAgent(toolbox)],
  ['langchain', (toolbox, endpoint) => new LangChainAgent(toolbox, endpoint)],
  ['openai-agents', (toolbox, endpoint) => new OpenAiAgentsAgent(toolbox, endpoint)],
  ['mastra', (toolbox, endpoint) => new MastraAgent(toolbox, endpoint)],
]

let closeServer: (() => Promise<void>) | undefined
afterEach(async () => {
  await closeServer?.()
  closeServer = undefined
})

async function setUp(framework: (typeof FRAMEWORKS)[number], replies: RecordedAnswer[]) {
  const server = await startRecordedLlmServer([], { replies, otherwise: offlineModelFetch })
  closeServer = server.close
  const { core, router, knowledge, sessions } = await runtime
  const endpoint = modelEndpointFromEnvironment({
    LLM_BASE_URL: server.baseURL,
    LLM_MODEL: 'llama3.1',
    LLM_MAX_RETRIES: '0',
  })
  const log: string[] = []
  const toolbox = new AgentToolbox({
    core,
    router,
    instructions: knowledge.instructions,
    runStep: dryRunSteps(),
    sessions,
    replyWriter: new ModelReplyWriter({
      endpoint,
      instructions: knowledge.instructions,
      log: (line) => log.push(line),
    }),
  })
  return { agent: framework[1](toolbox, endpoint), log, sessions }
}

describe('the reply in the model words, grounded in the plan', () => {
  for (const framework of FRAMEWORKS) {
    const [name] = framework

    it(`${name}: a wording that says only what the plan says is the reply; the cards are the core's`, async () => {
      const reference = await runtime.then(({ core }) => core.handleTurn({ message: MESSAGE }))
      const { agent, log, sessions } = await setUp(framework, recording('grounded'))
      const result = await lastReply(agent.handleTurn({ message: MESSAGE }))
      expect(result.reply).toBe(
        'I have prepared the unlock of the Active Directory account maria.garcia. This is a dry run, so nothing has been changed yet.',
      )
      expect(result.plan).toEqual(reference.plan)
      expect(result.results.map((each) => each.status)).toEqual(
        reference.results.map((each) => each.status),
      )
      expect(log).toEqual([])
      // The conversation remembers the reply that was given.
      const session = await sessions.get(result.sessionId)
      expect(session?.history.at(-1)?.text).toBe(result.reply)
    })

    it(`${name}: a wording that mentions a value not in the plan is dropped for the plan's reply`, async () => {
      const reference = await runtime.then(({ core }) => core.handleTurn({ message: MESSAGE }))
      const { agent, log } = await setUp(framework, recording('ungrounded'))
      const result = await lastReply(agent.handleTurn({ message: MESSAGE }))
      expect(result.reply).toBe(reference.reply)
      expect(result.plan).toEqual(reference.plan)
      expect(log).toEqual([
        `reply writing rejected, the plan's reply stands: the written reply mentions "admin01", which is not in the plan`,
      ])
    })
  }
})
