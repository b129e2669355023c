import { describe, expect, it } from 'vitest'
import { memoryToolbox } from '../../../tests/support/agent-toolbox.ts'
import { modelEndpointFromEnvironment } from '../../models/model-endpoint.ts'
import { lastReply } from '../event-stream.ts'
import { LangChainAgent } from './langchain-agent.ts'
import { runModelDrivenAdapterSuite } from './model-driven-adapter.case.test.ts'

runModelDrivenAdapterSuite({
  name: 'langchain (createAgent)',
  create: (toolbox, endpoint) => new LangChainAgent(toolbox, endpoint),
  expectedCalls: ['route_request', 'plan_tasks', 'execute_steps', 'write_reply'],
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
    const agent = new LangChainAgent(await memoryToolbox(), recording)
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
