import { expect } from 'vitest'
import { runModelDrivenAdapterSuite } from './model-driven-adapter.case.test.ts'
import { OpenAiAgentsAgent } from './openai-agents-agent.ts'

runModelDrivenAdapterSuite({
  name: 'openai-agents (triage and specialists)',
  create: (toolbox, endpoint) => new OpenAiAgentsAgent(toolbox, endpoint),
  expectedCalls: ['route_request', 'plan_tasks', 'execute_steps', 'write_reply'],
  check: (agent) => expect(agent.lastAgentName).toBe('access_specialist'),
})
