import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TurnResult } from '../src/agent/core/turn.ts'
import { assembleHelpdesk } from '../src/app/assemble-helpdesk.ts'
import { liveSteps } from '../src/app/chat-step-runner.ts'
import { approvalRequester } from '../src/approvals/pending-approval.ts'
import {
  type ApprovalStack,
  openApprovalStack,
  RecordingExecutor,
} from '../src/approvals/testing/approval-fixture.ts'
import { HashingEmbeddingFunction } from '../src/embeddings/hashing-embedding-function.ts'
import { ExecutorRegistry } from '../src/executors/executor-registry.ts'
import { SqliteUserStore } from '../src/identity/sqlite-user-store.ts'
import { KnowledgeBase, loadKnowledgeSources } from '../src/knowledge/knowledge-base.ts'
import { MemoryVectorStore } from '../src/knowledge/memory-vector-store.ts'
import { AccessPolicy } from '../src/policy/access-policy.ts'
import { AccountMap } from '../src/policy/account-map.ts'
import { createApp } from '../src/server/create-app.ts'

/**
 * Separation of duties through the HTTP API, with the real approval service, store, ledger and
 * audit log on one SQLite file: whoever sends a turn can never approve what it asked for, even
 * when it was for someone else, and only people who exist can be acted for.
 */
let app: ReturnType<typeof createApp>
let stack: ApprovalStack
const users = new SqliteUserStore({ file: ':memory:' })
const tokens: Record<string, string> = {}
const executor = new RecordingExecutor()

beforeAll(async () => {
  for (const [name, role] of [
    ['tom', 'technician'],
    ['tina', 'technician'],
    ['carol', 'requester'],
    ['alice', 'requester'],
  ] as const) {
    tokens[name] = (await users.add(name, role)).token
  }
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
  stack = openApprovalStack({ file: ':memory:', instructions: knowledge.instructions, executor })
  const { core, sessions } = assembleHelpdesk(knowledge, {
    maxMessageCharacters: 4000,
    runStep: liveSteps(stack.execution, new ExecutorRegistry().register(executor)),
    requestApproval: approvalRequester(stack.service),
    access: new AccessPolicy({ accounts: new AccountMap() }),
  })
  app = createApp({
    core,
    sessions,
    authentication: { mode: 'token', users },
    instructions: knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    approvals: stack.service,
  })
})

afterAll(async () => {
  await stack.close()
})

const post = (username: string, path: string, body: unknown) =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[username]}` },
    body: JSON.stringify(body),
  })

async function lockoutFor(asker: string, requester?: string): Promise<TurnResult> {
  const response = await post(asker, '/api/chat', {
    message: 'user carol is locked out of active directory',
    ...(requester ? { requester } : {}),
  })
  expect(response.status).toBe(200)
  return (await response.json()) as TurnResult
}

describe('separation of duties through the API', () => {
  it('a technician acting for carol cannot approve the request he caused; another can', async () => {
    const turn = await lockoutFor('tom', 'carol')
    const approval = turn.approvals?.[0]
    expect(approval).toBeDefined()
    const own = await post('tom', `/api/approvals/${approval?.id}/approve`, {})
    expect(own.status).toBe(403)
    expect(await own.text()).toMatch(/tom asked for this plan and cannot approve it/)
    const other = await post('tina', `/api/approvals/${approval?.id}/approve`, {})
    expect(other.status).toBe(200)
    expect(((await other.json()) as { approval: { status: string } }).approval.status).toBe(
      'executed',
    )
  })

  it('the same when the technician names carol only in the message', async () => {
    const turn = await lockoutFor('tom')
    const own = await post('tom', `/api/approvals/${turn.approvals?.[0]?.id}/approve`, {})
    expect(own.status).toBe(403)
  })

  it('refuses to act for someone who does not exist, and records nothing', async () => {
    const before = (await stack.audit.list()).length
    const response = await post('tom', '/api/chat', {
      message: 'user carol is locked out of active directory',
      requester: 'ghostuser',
    })
    expect(response.status).toBe(400)
    const text = await response.text()
    expect(text).toMatch(/there is no user or directory account \\"ghostuser\\"/)
    expect((await stack.audit.list()).length).toBe(before)
  })

  it('takes a requester name in any letter case as the same person', async () => {
    const turn = await lockoutFor('tom', 'CAROL')
    const request = await stack.service.get(turn.approvals?.[0]?.id ?? '')
    expect(request.requester).toBe('carol')
    expect(request.actor).toBe('tom')
  })

  it('the audit trail names both the actor and the person acted for', async () => {
    const turn = await lockoutFor('tom', 'carol')
    const id = turn.approvals?.[0]?.id ?? ''
    await post('tina', `/api/approvals/${id}/approve`, {})
    const records = (await stack.audit.list()).filter((record) => record.requestId === id)
    const opened = records.find((record) => record.action === 'approval-request')
    expect(opened).toMatchObject({ actor: 'tom', detail: { requester: 'carol', causedBy: 'tom' } })
    const executed = records.find((record) => record.action === 'step-execute')
    expect(executed).toMatchObject({
      actor: 'tina',
      detail: { requester: 'carol', causedBy: 'tom' },
    })
  })

  it('a requester cannot open a request for another person by naming them', async () => {
    const response = await post('alice', '/api/chat', {
      message: 'please reset the active directory password for user carol',
    })
    const turn = (await response.json()) as TurnResult
    expect(turn.approvals).toBeUndefined()
    expect(turn.refused?.[0]).toMatch(/only help with your own account \(alice\)/)
  })
})
