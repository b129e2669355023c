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
import { ModelUnderstanding } from './model-understanding.ts'

/**
 * Every model-driven adapter with a configured LLM (a loopback server speaking chat
 * completions): the understanding answers are recorded ones (tests/fixtures/llm-recordings/
 * understanding-*.json); the frameworks' own tool-calling turns are answered by the offline
 * model's policy through the same server, so each adapter runs its real client code.
 */
const runtime = buildMemoryRuntime()
const recording = (name: string) =>
  JSON.parse(
    readFileSync(`tests/fixtures/llm-recordings/understanding-${name}.json`, 'utf8'),
  ) as RecordedAnswer[]

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

async function setUp(framework: (typeof FRAMEWORKS)[number], understanding: RecordedAnswer[]) {
  const server = await startRecordedLlmServer([], { understanding, otherwise: offlineModelFetch })
  closeServer = server.close
  const { core, router, knowledge } = await runtime
  const endpoint = modelEndpointFromEnvironment({
    LLM_BASE_URL: server.baseURL,
    LLM_MODEL: 'llama3.1',
    LLM_API_KEY: 'sk-local-test',
    LLM_MAX_RETRIES: '0',
  })
  const log: string[] = []
  const toolbox = new AgentToolbox({
    core,
    router,
    instructions: knowledge.instructions,
    runStep: dryRunSteps(),
    understanding: new ModelUnderstanding({
      endpoint,
      instructions: knowledge.instructions,
      log: (line) => log.push(line),
    }),
  })
  const understandingRequests = () =>
    server.requests.filter((request) =>
      request.body.tools?.some((tool) => tool.function.name === 'understand_request'),
    )
  return { agent: framework[1](toolbox, endpoint), core, log, understandingRequests }
}

describe('an LLM that understands: it chooses among the candidates, the core decides', () => {
  for (const framework of FRAMEWORKS) {
    const [name] = framework

    it(`${name}: a username the rules miss, read from the conversation, is validated and planned`, async () => {
      const opener = "hi, maria.garcia here, what's the weather tomorrow?"
      const request = 'my account is locked, can you unlock it'
      // The rules alone: the earlier turn was out of scope, so the account is asked for.
      const rulesFirst = await runtime.then(({ core }) => core.handleTurn({ message: opener }))
      const rules = await runtime.then(({ core }) =>
        core.handleTurn({ sessionId: rulesFirst.sessionId, message: request }),
      )
      expect(rules.plan).toEqual([])
      expect(rules.missing.map((each) => each.parameter)).toEqual(['username'])

      const { agent, log, understandingRequests } = await setUp(
        framework,
        recording('value-from-conversation'),
      )
      const first = await lastReply(agent.handleTurn({ message: opener }))
      expect(first.outOfScope).toBeDefined()
      const result = await lastReply(
        agent.handleTurn({ sessionId: first.sessionId, message: request }),
      )
      expect(result.tasks).toEqual(['account_locked'])
      expect(result.plan.map((plan) => [plan.taskType, plan.parameters.username])).toEqual([
        ['account_locked', 'maria.garcia'],
      ])
      expect(result.missing).toEqual([])
      expect(log).toEqual([])
      // Asked once (the opener had no candidates): the conversation and the candidates only.
      const asked = understandingRequests()
      expect(asked).toHaveLength(1)
      const sent = JSON.stringify(asked[0]?.body.messages)
      expect(sent).toContain('maria.garcia here')
      expect(sent).toContain('\\"id\\":\\"account_locked\\"')
      expect(sent).toContain('\\"scope\\":')
      expect(sent).not.toMatch(/\\"(script|actions|executor|invocation|target)\\"/)
    })

    it(`${name}: a runbook outside the candidates is rejected and the router's decision stands`, async () => {
      const message = 'please unlock the account of the new intern in finance'
      const rules = await runtime.then(({ core }) => core.handleTurn({ message }))
      const { agent, log } = await setUp(framework, recording('outside-candidates'))
      const result = await lastReply(agent.handleTurn({ message }))
      expect(result.tasks).toEqual(rules.tasks)
      expect(result.plan).toEqual(rules.plan)
      expect(result.missing).toEqual(rules.missing)
      expect(result.reply).toBe(rules.reply)
      expect(log).toEqual([
        expect.stringMatching(
          /^understanding rejected, the router's decision stands: the model chose "add_to_domain_admins", which is not among the candidates \(account_locked, /,
        ),
      ])
    })

    it(`${name}: an invalid value is asked for with the reason, never used nor replaced`, async () => {
      const message = 'the guy at the front desk is locked out, please unlock him'
      // The rules alone would unlock the requester herself.
      const rules = await runtime.then(({ core }) =>
        core.handleTurn({ message, requester: 'alice' }),
      )
      expect(rules.plan[0]?.parameters.username).toBe('alice')

      const { agent, log } = await setUp(framework, recording('invalid-value'))
      const result = await lastReply(agent.handleTurn({ message, requester: 'alice' }))
      expect(result.tasks).toEqual(['account_locked'])
      expect(result.plan).toEqual([])
      expect(result.missing[0]).toMatchObject({
        parameter: 'username',
        problem: expect.stringContaining('"jdoe;rm -rf /"'),
      })
      expect(result.reply).toContain('jdoe;rm -rf /')
      expect(log).toEqual([
        expect.stringContaining("the model's value for username was refused and is asked for"),
      ])
      // The answer replaces it; the refused value never reaches a plan.
      const answered = await lastReply(
        agent.handleTurn({ sessionId: result.sessionId, message: 'jdoe', requester: 'alice' }),
      )
      expect(answered.plan.map((plan) => plan.parameters.username)).toEqual(['jdoe'])
      expect(JSON.stringify(answered)).not.toContain('rm -rf')
    })
  }
})
