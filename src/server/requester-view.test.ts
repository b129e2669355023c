import { beforeAll, describe, expect, it } from 'vitest'
import type { TurnResult } from '../agent/core/turn.ts'
import { assembleHelpdesk } from '../app/assemble-helpdesk.ts'
import { HashingEmbeddingFunction } from '../embeddings/hashing-embedding-function.ts'
import { describeInvocation } from '../executors/describe-invocation.ts'
import { failedStep } from '../executors/step-results.ts'
import { SqliteUserStore } from '../identity/sqlite-user-store.ts'
import { KnowledgeBase, loadKnowledgeSources } from '../knowledge/knowledge-base.ts'
import { MemoryVectorStore } from '../knowledge/memory-vector-store.ts'
import { createApp } from './create-app.ts'

/** A step on a machine fails the way a refused SSH connection does, naming address and port. */
const FAILURE =
  'ssh 10.1.2.3:2222 ECONNREFUSED after 3 attempts (request 0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b)'

let app: ReturnType<typeof createApp>
const users = new SqliteUserStore({ file: ':memory:' })
const tokens: Record<string, string> = {}

beforeAll(async () => {
  tokens.jdoe = (await users.add('jdoe', 'requester')).token
  tokens.tom = (await users.add('tom', 'technician')).token
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
  const { core, sessions } = assembleHelpdesk(knowledge, {
    maxMessageCharacters: 4000,
    runStep: async (_plan, step) => ({
      ...failedStep(step, describeInvocation(step.invocation), 'SSH_CONNECT_FAILED', FAILURE),
      stderr: FAILURE,
    }),
  })
  app = createApp({
    core,
    sessions,
    authentication: { mode: 'token', users },
    instructions: knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
  })
})

async function chat(username: string): Promise<TurnResult> {
  const response = await app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[username]}` },
    body: JSON.stringify({ message: 'my laptop LT-0423 is running really slow, it is windows' }),
  })
  expect(response.status).toBe(200)
  return (await response.json()) as TurnResult
}

describe('what a requester receives of a failed step', () => {
  it('carries no address, port, error code or id, in the reply or the results', async () => {
    const turn = await chat('jdoe')
    expect(turn.results.length).toBeGreaterThan(0)
    const text = JSON.stringify({ reply: turn.reply, results: turn.results })
    for (const secret of ['10.1.2.3', '2222', 'ECONNREFUSED', '0f1e2d3c-4b5a']) {
      expect(text).not.toContain(secret)
    }
  })

  it('is given in full to a technician', async () => {
    const turn = await chat('tom')
    expect(turn.results[0]?.errorMessage).toBe(FAILURE)
  })
})
