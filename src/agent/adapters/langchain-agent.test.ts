import { describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import { dryRunSteps } from '../../app/chat-step-runner.ts'
import { modelEndpointFromEnvironment } from '../../models/model-endpoint.ts'
import { runAgentConformance } from '../agent-conformance.case.test.ts'
import { SCENARIOS } from '../agent-scenarios.ts'
import { AgentToolbox } from '../agent-toolbox.ts'
import { lastReply } from '../event-stream.ts'
import type { AgentEvent } from '../helpdesk-agent.ts'
import { CoreAgent } from './core-agent.ts'
import { LangChainAgent } from './langchain-agent.ts'

const runtime = buildMemoryRuntime()

async function toolbox(): Promise<AgentToolbox> {
  const { core, router, knowledge } = await runtime
  return new AgentToolbox({
    core,
    router,
    instructions: knowledge.instructions,
    runStep: dryRunSteps(),
  })
}

runAgentConformance(
  {
    name: 'langchain (createAgent, offline model over chat completions)',
    create: async () => new LangChainAgent(await toolbox(), modelEndpointFromEnvironment({})),
    reference: async () => new CoreAgent(await toolbox()),
  },
  SCENARIOS,
)

describe('LangChainAgent with the offline model', () => {
  it('is driven by the model calling the tools in order', async () => {
    const agent = new LangChainAgent(await toolbox(), modelEndpointFromEnvironment({}))
    const events: AgentEvent[] = []
    const result = await lastReply(
      agent.handleTurn({ message: 'user maria.garcia is locked out of active directory' }),
      events,
    )
    expect(result.tasks).toEqual(['account_locked'])
    // The model drove the turn: finish() had nothing left to do.
    expect(agent.lastToolCalls).toEqual([
      'route_request',
      'plan_tasks',
      'execute_steps',
      'write_reply',
    ])
    expect(events.map((event) => event.type)).toEqual([
      'route-end',
      'plan-end',
      ...result.results.flatMap(() => ['step-start', 'step-end']),
      'reply-end',
    ])
  })
})

describe('LangChainAgent model context', () => {
  it('sends the conversation so far, trimmed, with the new message last', async () => {
    const bodies: string[] = []
    const endpoint = modelEndpointFromEnvironment({})
    const recording = {
      ...endpoint,
      fetch: (async (input, init) => {
        bodies.push(String(init?.body ?? ''))
        return endpoint.fetch(input, init)
      }) as typeof fetch,
    }
    const agent = new LangChainAgent(await toolbox(), recording)
    const first = await lastReply(
      agent.handleTurn({ message: 'user maria.garcia is locked out of active directory' }),
    )
    bodies.length = 0
    await lastReply(
      agent.handleTurn({
        sessionId: first.sessionId,
        message: 'and please reset her password too',
      }),
    )
    const messages = (
      JSON.parse(bodies[0] ?? '{}') as { messages: Array<{ role: string; content: string }> }
    ).messages
    const said = messages.filter((message) => message.role !== 'system')
    expect(said.at(-1)).toMatchObject({
      role: 'user',
      content: 'and please reset her password too',
    })
    expect(said[0]).toMatchObject({
      role: 'user',
      content: 'user maria.garcia is locked out of active directory',
    })
    expect(said[1]?.role).toBe('assistant')
    expect(said.every((message) => message.content.length <= 600)).toBe(true)
  })
})
