/**
 * One API process on PostgreSQL that also works the jobs (`HELPDESK_EMBEDDED_WORKER=true`, the
 * default): no `helpdesk worker` anywhere, and a job started through the chat still goes through
 * the pg-boss queue in the database and is run by the server's own worker, its progress read
 * live through the same server. The machines are names on the loopback sshd.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobView } from '../src/jobs/job-model.ts'
import { queueSchemaOf } from '../src/jobs/job-queue.ts'
import { readEvents, type SseEvent } from '../src/jobs/testing/sse-client.ts'
import { factsOf, fleetInventory } from '../src/jobs/testing/sshd-fleet.ts'
import type { ChatTurnResult } from '../src/server/chat-turns.ts'
import { DEFAULT_SCHEMA } from '../src/store/postgres/postgres-database.ts'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../src/store/postgres/testing/postgres-test-database.ts'
import { addUsers, type HelpdeskProcess, startHelpdesk } from './support/helpdesk-process.ts'
import { startTestService } from './support/test-services.ts'

const NAMES = ['web01', 'web02', 'web03']
let postgres: PostgresTestServer
let server: HelpdeskProcess
const tokens: Record<string, string> = {}

const dropSchemas = async () => {
  await postgres.query('public', `DROP SCHEMA IF EXISTS ${DEFAULT_SCHEMA} CASCADE`)
  await postgres.query('public', `DROP SCHEMA IF EXISTS ${queueSchemaOf(DEFAULT_SCHEMA)} CASCADE`)
}

function api(who: string) {
  return async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
}

/** The job's events through the server, to its end. */
async function watch(jobId: string, who: string): Promise<SseEvent[]> {
  const events: SseEvent[] = []
  await readEvents(`${server.url}/api/jobs/${jobId}/events`, {
    headers: { authorization: `Bearer ${tokens[who]}` },
    onEvent: (event) => events.push(event),
  })
  return events
}

/**
 * The job's entries in pg-boss's table: the queue, not an in-process engine, carried it. The
 * entry is completed just after the job's last event, so this waits a little for that.
 */
async function queueEntries(jobId: string): Promise<string[]> {
  let states: string[] = []
  for (let attempt = 0; attempt < 50; attempt++) {
    const rows = await postgres.query<{ state: string }>(
      queueSchemaOf(DEFAULT_SCHEMA),
      `SELECT state FROM job WHERE data ->> 'jobId' = $1`,
      [jobId],
    )
    states = rows.map((row) => row.state)
    if (states.length > 0 && states.every((state) => state === 'completed')) break
    await sleep(100)
  }
  return states
}

beforeAll(async () => {
  postgres = await startPostgresTestServer()
  await dropSchemas()
  const facts = factsOf(await startTestService('sshd'))
  const shared = mkdtempSync(path.join(tmpdir(), 'embedded-worker-'))
  const inventoryFile = path.join(shared, 'inventory.yaml')
  // JSON is YAML: the inventory the fleet helper builds, as a file.
  writeFileSync(
    inventoryFile,
    JSON.stringify(
      { targets: fleetInventory(facts, NAMES).list(), groups: { fleet: NAMES } },
      null,
      2,
    ),
  )
  const dataDirectory = path.join(shared, 'data')
  const environment = {
    DATABASE_URL: postgres.url,
    HELPDESK_DATA_DIR: dataDirectory,
    HELPDESK_INVENTORY: inventoryFile,
    HELPDESK_EMBEDDED_WORKER: 'true',
    CHROMA_RUNTIME_DIR: path.resolve('.helpdesk/runtime'),
  }
  server = await startHelpdesk('serve', environment, { timeoutMs: 180_000 })
  tokens.admin = readFileSync(path.join(dataDirectory, 'admin-token'), 'utf8').trim()
  Object.assign(
    tokens,
    await addUsers(environment, [
      ['tom', 'technician'],
      ['tina', 'technician'],
    ]),
  )
}, 240_000)

afterAll(async () => {
  await server?.stop()
  if (postgres) {
    await dropSchemas()
    await postgres.dropAll()
  }
}, 60_000)

describe('one server on PostgreSQL with HELPDESK_EMBEDDED_WORKER=true', () => {
  it('says it runs jobs itself, from the queue in PostgreSQL', () => {
    const pid = server.child.pid
    expect(server.log()).toContain('(this server also runs jobs: HELPDESK_EMBEDDED_WORKER=true)')
    expect(server.log()).toContain(`embedded worker ${pid}: taking jobs from the queue`)
  })

  it('a read-only job started by a chat turn is run by the server and watched through it', async () => {
    const turn = await api('tom')('POST', '/api/chat', {
      message: 'check disk space on server web01',
    })
    expect(turn.status, JSON.stringify(turn.body)).toBe(200)
    const jobId = (turn.body as unknown as ChatTurnResult).jobId ?? ''
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/)
    const events = await watch(jobId, 'tom')
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1))
    expect(events.at(-1)?.event).toBe('job-ended')
    expect(events.some((event) => event.event === 'log')).toBe(true)
    const view = (await api('tom')('GET', `/api/jobs/${jobId}`)).body as unknown as JobView
    expect(view.status).toBe('succeeded')
    expect(server.log()).toContain(`embedded worker ${server.child.pid}: running job ${jobId}`)
    expect(await queueEntries(jobId)).toEqual(['completed'])
  }, 90_000)

  it('an approved change on a group runs once, on the same server, to its end', async () => {
    const turn = await api('tom')('POST', '/api/chat', {
      message: 'Stop the dataprocessor service on all servers in the fleet group',
    })
    expect(turn.status, JSON.stringify(turn.body)).toBe(200)
    const pending = (turn.body as unknown as ChatTurnResult).approvals?.[0]
    expect(pending?.id, JSON.stringify(turn.body)).toBeTruthy()
    const approver = pending?.level === 1 ? 'tom' : 'tina'
    const approved = await api(approver)('POST', `/api/approvals/${pending?.id}/approve`, {})
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    const jobId = approved.body.jobId as string
    const events = await watch(jobId, approver)
    expect(events.at(-1)?.event).toBe('job-ended')
    const view = (await api(approver)('GET', `/api/jobs/${jobId}`)).body as unknown as JobView
    expect(new Set(view.cells.map((cell) => cell.target))).toEqual(new Set(NAMES))
    expect(server.log()).toContain(`running job ${jobId}`)
    expect(await queueEntries(jobId)).toEqual(['completed'])
    // Approving again: decided already, nothing more runs.
    const again = await api(approver)('POST', `/api/approvals/${pending?.id}/approve`, {})
    expect(again.status).toBe(409)
    const jobs = await postgres.query<{ id: string }>(
      DEFAULT_SCHEMA,
      `SELECT id FROM workflow_jobs WHERE record::jsonb -> 'approval' ->> 'id' = $1`,
      [pending?.id],
    )
    expect(jobs.map((row) => row.id)).toEqual([jobId])
  }, 120_000)
})
