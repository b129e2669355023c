import { beforeAll, describe, expect, it } from 'vitest'
import type { TurnInput } from '../agent/core/core-types.ts'
import { MemorySessionStore } from '../agent/core/memory-session-store.ts'
import type { TurnResult } from '../agent/core/turn.ts'
import { eventStream } from '../agent/event-stream.ts'
import type { AgentEvent } from '../agent/helpdesk-agent.ts'
import { buildEvaluationAgents } from '../app/build-evaluation-agents.ts'
import { loadConfig } from '../config/load-config.ts'
import { HashingEmbeddingFunction } from '../embeddings/hashing-embedding-function.ts'
import { KnowledgeBase, loadKnowledgeSources } from '../knowledge/knowledge-base.ts'
import { MemoryVectorStore } from '../knowledge/memory-vector-store.ts'
import {
  type ConversationAgent,
  evaluateConversations,
  formatConversationReport,
  playConversation,
} from './conversation-evaluation.ts'
import { type Conversation, parseConversations } from './conversation-script.ts'

/** An adapter that answers every turn from a table, recording what it was given. */
function scriptedAgent(
  framework: string,
  answer: (message: string) => Partial<TurnResult> | Error,
): ConversationAgent & { inputs: TurnInput[] } {
  const inputs: TurnInput[] = []
  return {
    framework,
    inputs,
    handleTurn(input: TurnInput): AsyncIterable<AgentEvent> {
      inputs.push(input)
      return eventStream(async (emit) => {
        const given = answer(input.message)
        if (given instanceof Error) throw given
        emit({
          type: 'reply-end',
          result: {
            sessionId: input.sessionId ?? '',
            reply: '',
            tasks: [],
            plan: [],
            results: [],
            missing: [],
            ranked: [],
            ...given,
          },
        })
      })
    },
  }
}

const conversations: Conversation[] = parseConversations(
  [
    {
      id: 'slow',
      as: { username: 'alice', role: 'requester' },
      turns: [
        { message: 'my laptop is slow', expect: { tasks: ['laptop_running_slow'], asks: true } },
        { message: 'LT-0423', expect: { plan: true } },
      ],
    },
    {
      id: 'hello',
      as: { username: 'tom', role: 'technician' },
      note: 'a greeting gets a human answer',
      turns: [{ message: 'hello', expect: { plan: false, replyExcludes: ['out of scope'] } }],
    },
  ]
    .map((each) => JSON.stringify(each))
    .join('\n'),
  'inline.jsonl',
)

const slowAsks = {
  tasks: ['laptop_running_slow'],
  missing: [{ taskType: 'laptop_running_slow', parameter: 'device', question: 'Which?' }],
}
const planned = {
  plan: [
    {
      taskType: 'laptop_running_slow',
      title: 'Slow',
      risk: 'low' as const,
      parameters: { device: 'LT-0423' },
      steps: [],
    },
  ],
}

describe('playing conversations', () => {
  it('plays each turn in one fresh session signed in as the person, requester and owner', async () => {
    const sessions = new MemorySessionStore()
    const agent = scriptedAgent('core', (message) => (message === 'LT-0423' ? planned : slowAsks))
    const first = conversations[0] as Conversation
    const outcome = await playConversation(first, agent, sessions)
    const again = await playConversation(first, agent, sessions)
    expect(outcome).toMatchObject({ id: 'slow', framework: 'core', passed: true })
    const [one, two, three] = agent.inputs
    expect(one?.actor).toEqual({ username: 'alice', role: 'requester' })
    expect(two?.sessionId).toBe(one?.sessionId)
    expect(three?.sessionId).not.toBe(one?.sessionId)
    const session = await sessions.get(one?.sessionId ?? '')
    expect(session).toMatchObject({ requester: 'alice', owner: 'alice' })
    expect(again.passed).toBe(true)
  })

  it('fails a conversation when any expectation of any turn fails', async () => {
    const agent = scriptedAgent('core', () => slowAsks)
    const outcome = await playConversation(
      conversations[0] as Conversation,
      agent,
      new MemorySessionStore(),
    )
    expect(outcome.passed).toBe(false)
    expect(outcome.turns[0]?.mismatches).toEqual([])
    expect(outcome.turns[1]?.mismatches).toEqual([{ expectation: 'plan', expected: true, got: 0 }])
  })

  it('a turn that throws fails with its error, and the turns after it are not played', async () => {
    const agent = scriptedAgent('mastra', () => new Error('model endpoint down'))
    const outcome = await playConversation(
      conversations[0] as Conversation,
      agent,
      new MemorySessionStore(),
    )
    expect(outcome.passed).toBe(false)
    expect(outcome.turns.map((each) => each.error)).toEqual([
      'the turn threw: model endpoint down',
      'not played: turn 1 failed',
    ])
    expect(agent.inputs).toHaveLength(1)
  })

  it('summarises per adapter: pass rates of conversations and turns, and each failing turn', async () => {
    const good = scriptedAgent('core', (message) =>
      message === 'LT-0423' ? planned : message === 'hello' ? { reply: 'Hello Tom!' } : slowAsks,
    )
    const bad = scriptedAgent('langgraph', (message) =>
      message === 'hello' ? { reply: 'That is out of scope.' } : slowAsks,
    )
    const report = await evaluateConversations(conversations, [good, bad], new MemorySessionStore())
    expect(report.conversations).toBe(2)
    expect(report.adapters.map(({ failures, ...rest }) => rest)).toEqual([
      {
        framework: 'core',
        conversations: 2,
        passed: 2,
        passRate: 1,
        turns: 3,
        turnsPassed: 3,
        turnPassRate: 1,
      },
      {
        framework: 'langgraph',
        conversations: 2,
        passed: 0,
        passRate: 0,
        turns: 3,
        turnsPassed: 1,
        turnPassRate: 0.333,
      },
    ])
    expect(report.adapters[1]?.failures.map((each) => [each.conversation, each.turn])).toEqual([
      ['slow', 2],
      ['hello', 1],
    ])
    const text = formatConversationReport(report, { errors: true })
    expect(text).toContain('core: 2/2 conversations passed (100%); turns 3/3 (100%)')
    expect(text).toContain('langgraph: 0/2 conversations passed (0%); turns 1/3 (33.3%)')
    expect(text).toContain(
      '  langgraph hello turn 1: "hello"\n    note: a greeting gets a human answer\n',
    )
    expect(text).toContain(
      '    replyExcludes: expected ["out of scope"], got {"found":["out of scope"]}',
    )
    expect(text).toContain('    reply: "That is out of scope."')
    expect(formatConversationReport(report)).not.toContain('turn 1:')
  })
})

describe('the evaluation helpdesk: the real core, the inventory and account map, dry runs', () => {
  let evaluation: Awaited<ReturnType<typeof buildEvaluationAgents>>

  beforeAll(async () => {
    const sources = await loadKnowledgeSources({
      instructionsDirectory: 'data/instructions',
      outOfScopeFile: 'data/routing/out-of-scope.yaml',
    })
    const knowledge = new KnowledgeBase({
      ...sources,
      store: new MemoryVectorStore(),
      embedding: new HashingEmbeddingFunction(),
    })
    await knowledge.ingest()
    evaluation = await buildEvaluationAgents(knowledge, loadConfig({}), {
      inventoryFile: 'tests/fixtures/conversations-inventory.yaml',
      accountMapFile: 'tests/fixtures/conversations-account-map.yaml',
      log: () => {},
    })
    return () => evaluation.close()
  })

  const ownership = parseConversations(
    [
      {
        id: 'own-laptop',
        as: { username: 'bob', role: 'requester' },
        turns: [
          {
            message: 'my laptop is really slow',
            expect: {
              tasks: ['laptop_running_slow'],
              plan: true,
              values: ['LT-0424', 'linux'],
              notValues: ['windows'],
            },
          },
        ],
      },
      {
        id: 'not-his-laptop',
        as: { username: 'bob', role: 'requester' },
        turns: [{ message: 'LT-0423 is really slow', expect: { refused: true, plan: false } }],
      },
      {
        // Turns go the way /api/chat sends them: a technician's operation is previewed by the
        // operations desk, not planned from an employee runbook.
        id: 'technician-operation',
        as: { username: 'tina', role: 'technician' },
        turns: [
          {
            message: 'restart the Spooler service on WS-FIN-12',
            expect: { refused: false, plan: false, replyIncludes: ['WS-FIN-12', 'Spooler'] },
          },
        ],
      },
      {
        id: 'technician-may',
        as: { username: 'tina', role: 'technician' },
        turns: [
          {
            message: 'LT-0423 is really slow',
            expect: { refused: false, plan: true, values: ['windows'] },
          },
        ],
      },
    ]
      .map((each) => JSON.stringify(each))
      .join('\n'),
    'ownership.jsonl',
  )

  it.each(['core', 'langgraph'])(
    'on %s: a machine comes with its owner and operating system from the inventory',
    async (framework) => {
      const agent = await evaluation.agent(framework)
      const report = await evaluateConversations(ownership, [agent], evaluation.sessions)
      expect(report.adapters[0]?.failures).toEqual([])
      expect(report.adapters[0]?.passRate).toBe(1)
    },
  )

  it('an unknown framework is refused naming the valid ones', async () => {
    await expect(evaluation.agent('crewai')).rejects.toThrow(
      /unknown agent framework "crewai"; valid: langgraph/,
    )
  })
})
