import { describe, expect, it } from 'vitest'
import type { TurnResult } from './core/turn.ts'
import { lastReply } from './event-stream.ts'
import type { AgentEvent, HelpdeskAgent } from './helpdesk-agent.ts'

/** What each adapter's test supplies: a fresh agent over the same runbooks, router and executors. */
export interface AgentConformanceInitializer {
  name: string
  create(): Promise<HelpdeskAgent>
  /** The framework-free reference the adapter must agree with. */
  reference(): Promise<HelpdeskAgent>
  skip?: Array<{ scenario: string; reason: string }>
}

export interface Scenario {
  name: string
  /** Turns of one conversation; each may check its own result. */
  turns: Array<{ message: string; requester?: string; check?: (result: TurnResult) => void }>
}

/** The outcome compared across adapters: tasks, plans, executed steps and their statuses. */
function outcome(result: TurnResult) {
  return {
    tasks: result.tasks,
    plans: result.plan.map((plan) => ({
      taskType: plan.taskType,
      parameters: plan.parameters,
      steps: plan.steps.map((step) => step.id),
    })),
    results: result.results.map((each) => `${each.stepId}:${each.status}`),
    missing: result.missing.map((each) => each.parameter),
    outOfScope: result.outOfScope?.topic ?? (result.outOfScope ? 'generic' : null),
    reply: result.reply,
  }
}

async function converse(agent: HelpdeskAgent, scenario: Scenario) {
  const outcomes: Array<ReturnType<typeof outcome>> = []
  const eventTypes: string[][] = []
  let sessionId: string | undefined
  for (const turn of scenario.turns) {
    const events: AgentEvent[] = []
    const result = await lastReply(
      agent.handleTurn({
        message: turn.message,
        ...(sessionId ? { sessionId } : {}),
        ...(turn.requester ? { requester: turn.requester } : {}),
      }),
      events,
    )
    sessionId = result.sessionId
    turn.check?.(result)
    outcomes.push(outcome(result))
    eventTypes.push(events.map((event) => event.type))
  }
  return { outcomes, eventTypes }
}

export function runAgentConformance(
  initializer: AgentConformanceInitializer,
  scenarios: readonly Scenario[],
): void {
  describe(`HelpdeskAgent conformance: ${initializer.name}`, () => {
    const skipped = new Map((initializer.skip ?? []).map((each) => [each.scenario, each.reason]))
    it('declares version helpdesk-agent-v1 and its framework', async () => {
      const agent = await initializer.create()
      expect(agent.specificationVersion).toBe('helpdesk-agent-v1')
      expect(agent.framework).toMatch(/^[a-z-]+$/)
      await agent.close()
    })
    for (const scenario of scenarios) {
      const reason = skipped.get(scenario.name)
      ;(reason ? it.skip : it)(
        `${scenario.name}${reason ? ` (skipped: ${reason})` : ''}`,
        async () => {
          const [agent, reference] = [await initializer.create(), await initializer.reference()]
          const mine = await converse(agent, scenario)
          const theirs = await converse(reference, scenario)
          expect(mine.outcomes).toEqual(theirs.outcomes)
          for (const types of mine.eventTypes) expect(types.at(-1)).toBe('reply-end')
          await agent.close()
          await reference.close()
        },
      )
    }
  })
}
