/**
 * The whole application with the instruction manager over in-memory parts: the real runbooks
 * seeded into a SQLite runbook store, the in-memory vector store, a SQLite audit log, and a
 * requester, two technicians and an admin. Chroma-backed variants live in the int tests.
 * @module
 */
import { readFileSync } from 'node:fs'
import { assembleHelpdesk } from '../../src/app/assemble-helpdesk.ts'
import { SqliteAuditLog } from '../../src/audit/sqlite-audit-log.ts'
import { HashingEmbeddingFunction } from '../../src/embeddings/hashing-embedding-function.ts'
import { SqliteUserStore } from '../../src/identity/sqlite-user-store.ts'
import type { Role } from '../../src/identity/user.ts'
import { KnowledgeBase, loadKnowledgeSources } from '../../src/knowledge/knowledge-base.ts'
import { RunbookLibrary } from '../../src/knowledge/library/runbook-library.ts'
import { SqliteRunbookStore } from '../../src/knowledge/library/sqlite-runbook-store.ts'
import { MemoryVectorStore } from '../../src/knowledge/memory-vector-store.ts'
import type { VectorStore } from '../../src/knowledge/vector-store.ts'
import { createApp } from '../../src/server/create-app.ts'

export const SMARTBOARD = readFileSync(
  'tests/fixtures/runbooks/smartboard_not_projecting.md',
  'utf8',
)
export const MANAGER_PEOPLE = {
  rita: 'requester',
  tom: 'technician',
  tina: 'technician',
  ada: 'admin',
} as const satisfies Record<string, Role>
export type ManagerPerson = keyof typeof MANAGER_PEOPLE

export async function buildInstructionManagerWorld(
  options: { store?: VectorStore; file?: string } = {},
) {
  const sources = await loadKnowledgeSources({
    instructionsDirectory: 'data/instructions',
    outOfScopeFile: 'data/routing/out-of-scope.yaml',
  })
  const knowledge = new KnowledgeBase({
    ...sources,
    store: options.store ?? new MemoryVectorStore(),
    embedding: new HashingEmbeddingFunction(),
  })
  const file = options.file ?? ':memory:'
  const audit = new SqliteAuditLog({ file })
  const runbooks = new SqliteRunbookStore({ file })
  const { core, sessions, router } = assembleHelpdesk(knowledge, { maxMessageCharacters: 4000 })
  const library = new RunbookLibrary({
    store: runbooks,
    knowledge,
    router,
    audit,
    seed: {
      instructionsDirectory: 'data/instructions',
      outOfScopeFile: 'data/routing/out-of-scope.yaml',
    },
  })
  await library.start()
  const users = new SqliteUserStore({ file: ':memory:' })
  const tokens = {} as Record<ManagerPerson, string>
  for (const [name, role] of Object.entries(MANAGER_PEOPLE) as [ManagerPerson, Role][]) {
    tokens[name] = (await users.add(name, role)).token
  }
  const app = createApp({
    core,
    sessions,
    authentication: { mode: 'token', users },
    instructions: knowledge.instructions,
    library,
    readiness: () => knowledge.readiness(),
    log: () => {},
  })
  const as = (person: ManagerPerson, headers: Record<string, string> = {}) => ({
    authorization: `Bearer ${tokens[person]}`,
    ...headers,
  })
  return {
    app,
    knowledge,
    library,
    router,
    audit,
    runbooks,
    tokens,
    as,
    /** One chat turn as the requester: the tasks it routed to. */
    async chatTasks(message: string): Promise<string[]> {
      const response = await app.request('/api/chat', {
        method: 'POST',
        headers: as('rita', { 'content-type': 'application/json' }),
        body: JSON.stringify({ message }),
      })
      if (response.status !== 200)
        throw new Error(`chat: ${response.status} ${await response.text()}`)
      return ((await response.json()) as { tasks: string[] }).tasks
    },
    async close() {
      await runbooks.close()
      await audit.close()
      await users.close()
    },
  }
}
