import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import {
  type RecordedAnswer,
  startRecordedLlmServer,
} from '../../../tests/support/recorded-llm-server.ts'
import { assembleHelpdesk } from '../../app/assemble-helpdesk.ts'
import { dryRunSteps } from '../../app/chat-step-runner.ts'
import { openApprovalStack, RecordingExecutor } from '../../approvals/testing/approval-fixture.ts'
import { modelEndpointFromEnvironment } from '../../models/model-endpoint.ts'
import { AgentToolbox } from '../agent-toolbox.ts'
import { lastReply } from '../event-stream.ts'
import { LangChainAgent } from './langchain-agent.ts'
import { MastraAgent } from './mastra-agent.ts'
import { OpenAiAgentsAgent } from './openai-agents-agent.ts'

const runtime = buildMemoryRuntime()
let closeServer: (() => Promise<void>) | undefined
afterEach(async () => {
  await closeServer?.()
})

let answerNumber = 0
// Each answer its own id, as a real server gives: LangChain merges messages that share one.
const answer = (message: Record<string, unknown>, finish: string): RecordedAnswer => ({
  status: 200,
  body: {
    id: `chatcmpl-recorded-${++answerNumber}`,
    object: 'chat.completion',
    created: 1795295641,
    model: 'llama3.1',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, ...message },
        finish_reason: finish,
      },
    ],
  },
})
const call = (name: string, args: unknown) =>
  answer(
    {
      tool_calls: [
        {
          id: `call_${name}`,
          type: 'function',
          function: { name, arguments: JSON.stringify(args) },
        },
      ],
    },
    'tool_calls',
  )

type Framework = 'langchain' | 'openai-agents' | 'mastra'

async function setUp(script: string, framework: Framework) {
  const proposal = call('propose_script', {
    language: 'bash',
    script,
    target: 'LT-0423',
    reason: 'rotate the huge application log; no runbook covers it',
  })
  const done = () => answer({ content: 'A technician will review the script.' }, 'stop')
  // Mastra's crew: the dispatcher routes and proposes, then the writer replies (the
  // technician sits out an out-of-scope request); the others are one agent loop.
  const answers =
    framework === 'mastra'
      ? [call('route_request', {}), proposal, done(), call('write_reply', {}), done()]
      : [call('route_request', {}), proposal, call('write_reply', {}), done()]
  const server = await startRecordedLlmServer(answers)
  closeServer = server.close
  const { knowledge, router } = await runtime
  const executor = new RecordingExecutor()
  const stack = openApprovalStack({
    file: path.join(mkdtempSync(path.join(tmpdir(), 'proposal-')), 'store.sqlite'),
    instructions: knowledge.instructions,
    executor,
  })
  const { core } = assembleHelpdesk(knowledge, { maxMessageCharacters: 4000 })
  const toolbox = new AgentToolbox({
    core,
    router,
    instructions: knowledge.instructions,
    runStep: dryRunSteps(),
    approvals: stack.service,
  })
  const endpoint = modelEndpointFromEnvironment({
    LLM_BASE_URL: server.baseURL,
    LLM_MODEL: 'llama3.1',
    LLM_API_KEY: 'sk-local',
  })
  const agent =
    framework === 'langchain'
      ? new LangChainAgent(toolbox, endpoint)
      : framework === 'mastra'
        ? new MastraAgent(toolbox, endpoint)
        : new OpenAiAgentsAgent(toolbox, endpoint)
  return { agent, stack, executor }
}

const MESSAGE =
  'our app server LT-0423 has a 40 GB application log in /var/log/app, can you rotate it'

for (const framework of ['langchain', 'openai-agents', 'mastra'] as const)
  describe(`an LLM proposes a script for a request no runbook covers (${framework})`, () => {
    it('a script the policy allows becomes a level-3 request shown in full; nothing runs before approval', async () => {
      const { agent, stack, executor } = await setUp(
        'ls -lh /var/log/app\ngzip -9 /var/log/app/app.log.1\n',
        framework,
      )
      const result = await lastReply(
        agent.handleTurn({ message: MESSAGE, requester: 'maria.garcia' }),
      )
      expect(result.approvals).toHaveLength(1)
      expect(result.reply).toMatch(/A technician other than you must approve this step/)
      const request = await stack.service.get(result.approvals?.[0]?.id ?? '')
      expect(request).toMatchObject({
        level: 3,
        status: 'pending',
        requester: 'maria.garcia',
        taskType: 'proposed_script',
      })
      expect(request.steps[0]?.wouldRun).toContain('gzip -9 /var/log/app/app.log.1')
      expect(executor.ran).toEqual([])
    })

    it('a script the deny-list refuses never becomes a request; the model is told why', async () => {
      const { agent, stack } = await setUp('rm -rf / --no-preserve-root', framework)
      const result = await lastReply(
        agent.handleTurn({ message: MESSAGE, requester: 'maria.garcia' }),
      )
      expect(result.approvals ?? []).toEqual([])
      expect(await stack.service.list()).toEqual([])
      expect(agent.lastToolCalls).toContain('propose_script')
    })
  })
