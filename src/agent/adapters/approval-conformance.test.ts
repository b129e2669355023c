import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import { assembleHelpdesk } from '../../app/assemble-helpdesk.ts'
import { liveSteps } from '../../app/chat-step-runner.ts'
import { approvalRequester } from '../../approvals/pending-approval.ts'
import { openApprovalStack, RecordingExecutor } from '../../approvals/testing/approval-fixture.ts'
import { ExecutorRegistry } from '../../executors/executor-registry.ts'
import { modelEndpointFromEnvironment } from '../../models/model-endpoint.ts'
import { AgentToolbox } from '../agent-toolbox.ts'
import { lastReply } from '../event-stream.ts'
import type { HelpdeskAgent } from '../helpdesk-agent.ts'
import { NodeSqliteCheckpointSaver } from '../langgraph/node-sqlite-checkpoint-saver.ts'
import { CoreAgent } from './core-agent.ts'
import { LangChainAgent } from './langchain-agent.ts'
import { LangGraphAgent } from './langgraph-agent.ts'
import { MastraAgent } from './mastra-agent.ts'
import { OpenAiAgentsAgent } from './openai-agents-agent.ts'

const runtime = buildMemoryRuntime()
const ADAPTERS: Array<[string, (toolbox: AgentToolbox, database: DatabaseSync) => HelpdeskAgent]> =
  [
    ['core', (toolbox) => new CoreAgent(toolbox)],
    [
      'langgraph',
      (toolbox, database) =>
        new LangGraphAgent(toolbox, new NodeSqliteCheckpointSaver(database), database),
    ],
    ['langchain', (toolbox) => new LangChainAgent(toolbox, modelEndpointFromEnvironment({}))],
    [
      'openai-agents',
      (toolbox) => new OpenAiAgentsAgent(toolbox, modelEndpointFromEnvironment({})),
    ],
    ['mastra', (toolbox) => new MastraAgent(toolbox, modelEndpointFromEnvironment({}))],
  ]
const TECHNICIAN = { username: 'tech.anna', role: 'technician' as const }
const UNLOCK = 'account_locked.unlock_ad_account'

/** A live stack per test: recording executor, approvals and audit on a fresh SQLite file. */
async function live(
  adapter: (toolbox: AgentToolbox, database: DatabaseSync) => HelpdeskAgent,
  now?: () => Date,
) {
  const { knowledge, router } = await runtime
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'approval-conformance-')), 'store.sqlite')
  const executor = new RecordingExecutor()
  const stack = openApprovalStack({
    file,
    instructions: knowledge.instructions,
    executor,
    ...(now ? { now } : {}),
  })
  const runStep = liveSteps(stack.execution, new ExecutorRegistry().register(executor))
  const { core } = assembleHelpdesk(knowledge, {
    maxMessageCharacters: 4000,
    runStep,
    requestApproval: approvalRequester(stack.service),
  })
  const toolbox = new AgentToolbox({
    core,
    router,
    instructions: knowledge.instructions,
    runStep,
    approvals: stack.service,
  })
  const agent = adapter(toolbox, new DatabaseSync(file, { timeout: 5000 }))
  const turn = await lastReply(
    agent.handleTurn({
      message: 'user maria.garcia is locked out of active directory',
      requester: 'maria.garcia',
    }),
  )
  const approvalId = turn.approvals?.[0]?.id ?? ''
  let resumedByAdapter = false
  /** What the API does on a decision: the adapter resumes its paused run, or the plan runs here. */
  const decide = async (outcome: 'approved' | 'denied') => {
    if (outcome === 'denied') {
      await stack.service.deny(approvalId, TECHNICIAN, 'not during the audit freeze')
      await agent.resumeApproval?.(approvalId, { outcome, actor: TECHNICIAN.username })
      return undefined
    }
    await stack.service.approve(approvalId, TECHNICIAN)
    const resumed = await agent.resumeApproval?.(approvalId, {
      outcome,
      actor: TECHNICIAN.username,
    })
    resumedByAdapter = resumed !== undefined
    return (
      resumed ?? (await stack.service.executeApproved(approvalId, { actor: TECHNICIAN.username }))
    )
  }
  return { turn, approvalId, executor, stack, decide, resumed: () => resumedByAdapter }
}

/** Audit actions of the approved scenario, per adapter: they must be the same for all. */
const auditTrails = new Map<string, string[]>()

for (const [name, adapter] of ADAPTERS) {
  describe(`approval scenarios: ${name}`, () => {
    it('a held unlock opens one request; approved by a technician it runs exactly once', async () => {
      const { turn, approvalId, executor, stack, decide, resumed } = await live(adapter)
      expect(turn.results.find((result) => result.stepId === UNLOCK)?.status).toBe(
        'awaiting_approval',
      )
      expect(turn.approvals?.[0]?.stepIds).toEqual([UNLOCK])
      expect(executor.count(UNLOCK)).toBe(0)
      const run = await decide('approved')
      expect(run?.results.find((result) => result.stepId === UNLOCK)?.status).toBe('succeeded')
      // LangGraph's interrupted thread carried it out; the others hand it to the service.
      expect(resumed()).toBe(name === 'langgraph')
      await stack.service.executeApproved(approvalId).catch(() => undefined)
      expect(executor.count(UNLOCK)).toBe(1)
      const audit = await stack.audit.list({ limit: 1000 })
      expect(
        audit.filter(
          (record) => record.action === 'step-execute' && record.detail.stepId === UNLOCK,
        ),
      ).toHaveLength(1)
      expect((await stack.audit.verify()).ok).toBe(true)
      auditTrails.set(
        name,
        audit.map(
          (record) =>
            `${record.action} ${String(record.detail.stepId ?? '')} ${String(record.detail.status ?? '')}`,
        ),
      )
      await stack.close()
    })

    it('denied: nothing runs and the reason is recorded', async () => {
      const { approvalId, executor, stack, decide } = await live(adapter)
      await decide('denied')
      expect(executor.count(UNLOCK)).toBe(0)
      const request = await stack.service.get(approvalId)
      expect(request.status).toBe('denied')
      expect(request.decisions.at(-1)?.reason).toBe('not during the audit freeze')
      await stack.close()
    })

    it('expired: it can no longer be approved and nothing runs', async () => {
      let clock = Date.parse('2026-11-21T10:00:00Z')
      const { approvalId, executor, stack } = await live(adapter, () => new Date(clock))
      clock += 61 * 60_000
      await expect(stack.service.approve(approvalId, TECHNICIAN)).rejects.toMatchObject({
        code: 'APPROVAL_EXPIRED',
      })
      expect(executor.count(UNLOCK)).toBe(0)
      await stack.close()
    })
  })
}

describe('approval scenarios: the same audit trail whatever the framework', () => {
  it('every adapter wrote the same audit records, in the same order, as the core', () => {
    const reference = auditTrails.get('core')
    expect(reference?.length).toBeGreaterThan(4)
    for (const [name] of ADAPTERS) expect(auditTrails.get(name), name).toEqual(reference)
  })
})
