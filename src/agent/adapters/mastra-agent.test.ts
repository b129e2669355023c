import { expect } from 'vitest'
import { MastraAgent } from './mastra-agent.ts'
import { runModelDrivenAdapterSuite } from './model-driven-adapter.case.test.ts'

runModelDrivenAdapterSuite({
  name: 'mastra (a crew of role agents)',
  create: (toolbox, endpoint) => new MastraAgent(toolbox, endpoint),
  // The crew checks the route once more to decide whether the technician sits out.
  expectedCalls: ['route_request', 'route_request', 'plan_tasks', 'execute_steps', 'write_reply'],
  check: (agent) => expect(agent.lastCrew).toEqual(['dispatcher', 'technician', 'writer']),
})
