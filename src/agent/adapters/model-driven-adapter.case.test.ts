import { describe, expect, it } from 'vitest'
import { memoryToolbox } from '../../../tests/support/agent-toolbox.ts'
import { type ModelEndpoint, modelEndpointFromEnvironment } from '../../models/model-endpoint.ts'
import { runAgentConformance } from '../agent-conformance.case.test.ts'
import { SCENARIOS } from '../agent-scenarios.ts'
import type { AgentToolbox } from '../agent-toolbox.ts'
import { lastReply } from '../event-stream.ts'
import type { AgentEvent, HelpdeskAgent } from '../helpdesk-agent.ts'
import { CoreAgent } from './core-agent.ts'

/** What a model-driven adapter's test supplies to the shared suite. */
export interface ModelDrivenAdapter<Agent extends HelpdeskAgent & { lastToolCalls: string[] }> {
  name: string
  create(toolbox: AgentToolbox, endpoint: ModelEndpoint): Agent
  /** The helpdesk tools its model calls for a single request, in order. */
  expectedCalls: string[]
  /** What else this framework must show after that turn (the specialist, the crew...). */
  check?(agent: Agent): void
}

/**
 * For every adapter whose turns a model drives (LangChain, OpenAI Agents, Mastra): the
 * conformance scenarios against the core, and a turn that the offline model really drove.
 */
export function runModelDrivenAdapterSuite<
  Agent extends HelpdeskAgent & { lastToolCalls: string[] },
>(adapter: ModelDrivenAdapter<Agent>): void {
  runAgentConformance(
    {
      name: `${adapter.name}, offline model over chat completions`,
      create: async () => adapter.create(await memoryToolbox(), modelEndpointFromEnvironment({})),
      reference: async () => new CoreAgent(await memoryToolbox()),
    },
    SCENARIOS,
  )

  describe(`${adapter.name} with the offline model`, () => {
    it('is driven by the model calling the tools in order', async () => {
      const agent = adapter.create(await memoryToolbox(), modelEndpointFromEnvironment({}))
      const events: AgentEvent[] = []
      const result = await lastReply(
        agent.handleTurn({ message: 'user maria.garcia is locked out of active directory' }),
        events,
      )
      expect(result.tasks).toEqual(['account_locked'])
      // The model drove the turn: finish() had nothing left to do.
      expect(agent.lastToolCalls).toEqual(adapter.expectedCalls)
      adapter.check?.(agent)
      expect(events.map((event) => event.type)).toEqual([
        'route-end',
        'plan-end',
        ...result.results.flatMap(() => ['step-start', 'step-end']),
        'reply-end',
      ])
    })
  })
}
