/**
 * Replicas sharing one Chroma server (CHROMA_URL) and one PostgreSQL (DATABASE_URL), as issue 12
 * asks: two real `helpdesk serve` processes, a real Chroma server on loopback, ingest at start and
 * re-indexing after an edit under the collection's advisory lock in PostgreSQL.
 * - The replica that starts second finds the collection current and embeds nothing.
 * - A runbook created through replica A is routed to by replica B's very next turn: B checks the
 *   runbook store's revision before each turn (one query), reads the new set, and finds the
 *   shared collection already holding it (A indexed it), so B embeds nothing either.
 * - Runbooks created on both replicas at the same moment: each chunk is embedded once, and the
 *   collection ends with both (neither replica's older set is put back over the newer one).
 * - The CLI commands that ingest (`helpdesk ingest`, `route`) on the same DATABASE_URL and
 *   CHROMA_URL take the same lock (waiting while another holds it) and read the same mark: they
 *   index the store's runbooks, so the ones made through the API are kept, and embed nothing.
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_CHECKPOINT_SCHEMA } from '../src/agent/langgraph/checkpointer-from-config.ts'
import { ChromaVectorStore } from '../src/knowledge/chroma/chroma-vector-store.ts'
import { EmbeddedChromaServer } from '../src/knowledge/chroma/embedded-chroma-server.ts'
import { DEFAULT_SCHEMA } from '../src/store/postgres/postgres-database.ts'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../src/store/postgres/testing/postgres-test-database.ts'
import { addUsers, type HelpdeskProcess, startHelpdesk } from './support/helpdesk-process.ts'
import { RUNTIME_CACHE_DIRECTORY } from './support/temporary-directory.ts'

const run = promisify(execFile)
const SMARTBOARD = readFileSync('tests/fixtures/runbooks/smartboard_not_projecting.md', 'utf8')
const REQUEST = 'the smartboard in room 4.12 says no signal from my laptop'
const COLLECTION = `replicas_${Date.now().toString(36)}`
let postgres: PostgresTestServer
let chroma: EmbeddedChromaServer
let collection: ChromaVectorStore
let environment: Record<string, string> = {}
let first: HelpdeskProcess
let second: HelpdeskProcess
const tokens: Record<string, string> = {}

const dropSchemas = async () => {
  await postgres.query('public', `DROP SCHEMA IF EXISTS ${DEFAULT_SCHEMA} CASCADE`)
  await postgres.query('public', `DROP SCHEMA IF EXISTS ${DEFAULT_CHECKPOINT_SCHEMA} CASCADE`)
}

/** "knowledge ingested…: N added, M updated" and "re-indexed: N added, M updated" lines, summed. */
function embedded(log: string): number {
  let total = 0
  for (const match of log.matchAll(/(\d+) added, (\d+) updated/g))
    total += Number(match[1]) + Number(match[2])
  return total
}

async function chunkIds(prefix: string): Promise<string[]> {
  return [...(await collection.listHashes()).keys()].filter((id) => id.startsWith(`${prefix}:`))
}

async function chat(replica: HelpdeskProcess, message: string): Promise<string[]> {
  const response = await fetch(`${replica.url}/api/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.rita}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message }),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { tasks: string[] }).tasks
}

async function create(replica: HelpdeskProcess, markdown: string): Promise<Response> {
  return fetch(`${replica.url}/api/instructions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'text/markdown' },
    body: markdown,
  })
}

beforeAll(async () => {
  postgres = await startPostgresTestServer()
  await dropSchemas()
  const shared = mkdtempSync(path.join(tmpdir(), 'shared-chroma-'))
  chroma = new EmbeddedChromaServer({
    dataDirectory: path.join(shared, 'chroma'),
    runtimeCacheDirectory: RUNTIME_CACHE_DIRECTORY,
  })
  const chromaUrl = (await chroma.start()).url
  collection = new ChromaVectorStore({ url: chromaUrl, collectionName: COLLECTION })
  const keyFile = path.join(shared, 'audit.key')
  writeFileSync(keyFile, `${'3c'.repeat(32)}\n`, { mode: 0o600 })
  environment = {
    DATABASE_URL: postgres.url,
    CHROMA_URL: chromaUrl,
    CHROMA_COLLECTION: COLLECTION,
    HELPDESK_AUDIT_KEY_FILE: keyFile,
    // No background refresh within the test: only the check before each turn can explain B's
    // routing to a runbook created on A.
    HELPDESK_RUNBOOK_REFRESH_SECONDS: '3600',
  }
  const firstDirectory = mkdtempSync(path.join(tmpdir(), 'shared-chroma-a-'))
  first = await startHelpdesk(
    'serve',
    { ...environment, HELPDESK_DATA_DIR: firstDirectory },
    { timeoutMs: 240_000 },
  )
  second = await startHelpdesk(
    'serve',
    { ...environment, HELPDESK_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'shared-chroma-b-')) },
    { timeoutMs: 240_000 },
  )
  tokens.admin = readFileSync(path.join(firstDirectory, 'admin-token'), 'utf8').trim()
  Object.assign(
    tokens,
    await addUsers({ ...environment, HELPDESK_DATA_DIR: firstDirectory }, [['rita', 'requester']]),
  )
}, 600_000)

afterAll(async () => {
  await first?.stop()
  await second?.stop()
  await chroma?.stop()
  if (postgres) {
    await dropSchemas()
    await postgres.dropAll()
  }
}, 60_000)

describe('two replicas sharing one Chroma server and one PostgreSQL', () => {
  it('the replica that starts second finds the collection current and embeds nothing', async () => {
    for (const replica of [first, second])
      expect(replica.log()).toContain(
        `vector index: Chroma at ${new URL(environment.CHROMA_URL ?? '').host} is shared by the replicas`,
      )
    const stored = await collection.count()
    expect(stored).toBeGreaterThan(100)
    expect(embedded(first.log())).toBe(stored)
    expect(second.log()).toMatch(
      /knowledge ingested \(the shared collection already holds revision \d+; nothing embedded\): 0 added, 0 updated/,
    )
    expect(embedded(second.log())).toBe(0)
    const [mark] = await postgres.query<{ revision: string; chunks: number }>(
      DEFAULT_SCHEMA,
      'SELECT revision, chunks FROM vector_index_marks WHERE collection = $1',
      [COLLECTION],
    )
    expect(mark?.chunks).toBe(stored)
  })

  it("a runbook created through A is routed to by B's very next turn; B embeds nothing", async () => {
    expect(await chat(second, REQUEST)).not.toContain('smartboard_not_projecting')
    const before = { first: embedded(first.log()), second: embedded(second.log()) }
    const created = await create(first, SMARTBOARD)
    expect(created.status, await created.clone().text()).toBe(201)
    expect(await created.json()).toMatchObject({ id: 'smartboard_not_projecting', indexed: true })
    const chunks = await chunkIds('smartboard_not_projecting')
    expect(chunks.length).toBeGreaterThan(12)
    // No waiting: the turn itself notices the store's new revision.
    expect(await chat(second, REQUEST)).toEqual(['smartboard_not_projecting'])
    expect(embedded(first.log()) - before.first).toBe(chunks.length)
    expect(embedded(second.log())).toBe(before.second)
    expect(second.log()).toMatch(/the shared collection already holds it; nothing embedded/)
  })

  it('runbooks created on both replicas at once: each chunk embedded once, both kept', async () => {
    const before = embedded(first.log()) + embedded(second.log())
    const stored = await collection.count()
    const variant = (id: string) => SMARTBOARD.replaceAll('smartboard_not_projecting', id)
    const answers = await Promise.all([
      create(first, variant('smartboard_room_a')),
      create(second, variant('smartboard_room_b')),
    ])
    expect(answers.map((answer) => answer.status)).toEqual([201, 201])
    const [roomA, roomB] = [
      await chunkIds('smartboard_room_a'),
      await chunkIds('smartboard_room_b'),
    ]
    expect(roomA.length).toBeGreaterThan(12)
    expect(roomB.length).toBe(roomA.length)
    expect(await collection.count()).toBe(stored + roomA.length + roomB.length)
    expect(embedded(first.log()) + embedded(second.log()) - before).toBe(
      roomA.length + roomB.length,
    )
    // Each replica's next turn sees both, whichever indexed them.
    for (const replica of [first, second]) {
      await chat(replica, 'my laptop is slow')
      const list = await fetch(`${replica.url}/api/instructions`, {
        headers: { authorization: `Bearer ${tokens.admin}` },
      })
      const ids = JSON.stringify(await list.json())
      expect(ids).toContain('smartboard_room_a')
      expect(ids).toContain('smartboard_room_b')
    }
  })

  it('`helpdesk ingest` and `route` wait for the lock, read the mark and keep the API-made runbooks', async () => {
    const stored = await collection.count()
    const roomA = await chunkIds('smartboard_room_a')
    const [mark] = await postgres.query<{ revision: string }>(
      DEFAULT_SCHEMA,
      'SELECT revision FROM vector_index_marks WHERE collection = $1',
      [COLLECTION],
    )
    const cliEnvironment = {
      ...process.env,
      ...environment,
      HELPDESK_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'shared-chroma-cli-')),
      LOG_LEVEL: 'info',
    }
    // Another process holds the collection's lock (the key the servers take).
    const holder = new pg.Client({ connectionString: postgres.url })
    await holder.connect()
    const key = `helpdesk.vector-index:${COLLECTION}`
    await holder.query('SELECT pg_advisory_lock(hashtext($1))', [key])
    const ingest = spawn(process.execPath, ['bin/helpdesk.js', 'ingest'], {
      env: cliEnvironment,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    ingest.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
    })
    ingest.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk
    })
    const exited = new Promise<number | null>((resolve) => ingest.once('exit', resolve))
    try {
      for (let wait = 0; wait < 1200 && !stderr.includes('waiting for it'); wait++) {
        if (ingest.exitCode !== null) break
        await sleep(50)
      }
      expect(stderr).toContain(`vector index: another replica is indexing ${COLLECTION}; waiting`)
      await sleep(500)
      expect(ingest.exitCode, stderr).toBeNull()
    } finally {
      await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [key])
      await holder.end()
    }
    expect(await exited, stderr).toBe(0)
    expect(stderr).toContain('is shared by the replicas; ingest and re-indexing take turns')
    // The store's revision, already in the collection: nothing embedded, nothing deleted.
    expect(JSON.parse(stdout)).toMatchObject({
      skipped: 'current',
      markedRevision: Number(mark?.revision),
      added: 0,
      updated: 0,
      deleted: 0,
      stored,
    })
    expect(await chunkIds('smartboard_room_a')).toEqual(roomA)
    expect(await collection.count()).toBe(stored)

    // `route` ingests first too, then routes with the store's runbooks, not the files'.
    const input = path.join(cliEnvironment.HELPDESK_DATA_DIR, 'requests.jsonl')
    writeFileSync(input, `${JSON.stringify({ id: 'r1', text: REQUEST })}\n`)
    const routed = await run(process.execPath, ['bin/helpdesk.js', 'route', '--input', input], {
      env: cliEnvironment,
    })
    expect(routed.stderr).toMatch(
      /the shared collection already holds revision \d+; nothing embedded/,
    )
    // Only the store has the smartboard runbooks (three of the same text, made above).
    const tasks = (JSON.parse(routed.stdout) as { tasks: string[] }).tasks
    expect(
      tasks.filter((task) => task.startsWith('smartboard_')),
      tasks.join(', '),
    ).toHaveLength(1)
    expect(await collection.count()).toBe(stored)
  }, 180_000)
})
