/**
 * Jobs on the distributed engine with everything apart, as issue 12 asks: two API servers
 * (`helpdesk serve`, HELPDESK_EMBEDDED_WORKER=false) and two workers (`helpdesk worker`), all
 * child processes of the real CLI on one loopback PostgreSQL (DATABASE_URL), the machines being
 * names on the loopback sshd (scripts/test-services/sshd.sh).
 * - A job started through a chat turn on one API is watched live through the other's SSE.
 * - A worker killed with SIGKILL while changes run on a fleet: the other worker takes the job
 *   over (pg-boss retries the entry once its heartbeat lapses), finishes it, and no changing step
 *   ran twice on any target (each change appends a line to a file; the ledger holds one claim).
 *   That job (the sample workflow, with slow changes) is put on the queue by an API-side engine
 *   in this test process: the HTTP API starts only catalog operations, whose scripts would act
 *   on this machine, not on per-name state files.
 * - One approval approved at once on both APIs: one 200 with a job, one 409; one job exists.
 * - Each worker serves its own job counters on its metrics port (HELPDESK_WORKER_METRICS_PORT).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../bench/bench-support.ts'
import { parseAuditKey } from '../src/audit/audit-key.ts'
import { PostgresAuditLog } from '../src/audit/postgres-audit-log.ts'
import { DistributedJobEngine } from '../src/jobs/distributed-job-engine.ts'
import type { JobView } from '../src/jobs/job-model.ts'
import { openJobQueue, queueSchemaOf } from '../src/jobs/job-queue.ts'
import { PostgresJobStore } from '../src/jobs/postgres-job-store.ts'
import { sampleWorkflow } from '../src/jobs/testing/sample-workflow.ts'
import { readEvents, type SseEvent } from '../src/jobs/testing/sse-client.ts'
import { factsOf, fleetInventory, sharedStateDirectory } from '../src/jobs/testing/sshd-fleet.ts'
import type { ChatTurnResult } from '../src/server/chat-turns.ts'
import { DEFAULT_SCHEMA, openPostgresDatabase } from '../src/store/postgres/postgres-database.ts'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../src/store/postgres/testing/postgres-test-database.ts'
import { addUsers, type HelpdeskProcess, startHelpdesk } from './support/helpdesk-process.ts'
import { startTestService } from './support/test-services.ts'

const NAMES = Array.from({ length: 12 }, (_, index) => `web${String(index + 1).padStart(2, '0')}`)
const SLOW = NAMES.slice(0, 4)
let postgres: PostgresTestServer
let environment: Record<string, string> = {}
let apiA: HelpdeskProcess
let apiB: HelpdeskProcess
const workers: HelpdeskProcess[] = []
/** Each worker's /metrics port, in the order of `workers`. */
const workerMetricsPorts: number[] = []
const METRICS_TOKEN = 'c0ffee'.repeat(8)
const tokens: Record<string, string> = {}
let keyFile = ''

const dropSchemas = async () => {
  await postgres.query('public', `DROP SCHEMA IF EXISTS ${DEFAULT_SCHEMA} CASCADE`)
  await postgres.query('public', `DROP SCHEMA IF EXISTS ${queueSchemaOf(DEFAULT_SCHEMA)} CASCADE`)
}

function api(server: HelpdeskProcess, who: string) {
  return async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
}

beforeAll(async () => {
  postgres = await startPostgresTestServer()
  await dropSchemas()
  const facts = factsOf(await startTestService('sshd'))
  const shared = mkdtempSync(path.join(tmpdir(), 'distributed-jobs-'))
  const inventory = fleetInventory(facts, NAMES)
  const inventoryFile = path.join(shared, 'inventory.yaml')
  // JSON is YAML: the inventory the fleet helper builds, as a file for every process.
  writeFileSync(
    inventoryFile,
    JSON.stringify({ targets: inventory.list(), groups: { fleet: NAMES } }, null, 2),
  )
  keyFile = path.join(shared, 'audit.key')
  writeFileSync(keyFile, `${'5a'.repeat(32)}\n`, { mode: 0o600 })
  environment = {
    DATABASE_URL: postgres.url,
    HELPDESK_INVENTORY: inventoryFile,
    HELPDESK_AUDIT_KEY_FILE: keyFile,
    HELPDESK_EMBEDDED_WORKER: 'false',
    HELPDESK_WORKER_HEARTBEAT_SECONDS: '10',
    CHROMA_RUNTIME_DIR: path.resolve('.helpdesk/runtime'),
  }
  const metricsTokenFile = path.join(shared, 'metrics-token')
  writeFileSync(metricsTokenFile, `${METRICS_TOKEN}\n`, { mode: 0o600 })
  workerMetricsPorts.push(await freePort(), await freePort())
  const workerMetrics = (index: number) => ({
    HELPDESK_METRICS_TOKEN_FILE: metricsTokenFile,
    HELPDESK_WORKER_METRICS_PORT: String(workerMetricsPorts[index]),
  })
  const dataDirectory = (name: string) => mkdtempSync(path.join(tmpdir(), `distributed-${name}-`))
  // The first API makes the schema and the first admin; the rest start together.
  const directoryA = dataDirectory('api-a')
  apiA = await startHelpdesk('serve', { ...environment, HELPDESK_DATA_DIR: directoryA })
  const started = await Promise.all([
    startHelpdesk('serve', { ...environment, HELPDESK_DATA_DIR: dataDirectory('api-b') }),
    startHelpdesk('worker', {
      ...environment,
      ...workerMetrics(0),
      HELPDESK_DATA_DIR: dataDirectory('worker-1'),
    }),
    startHelpdesk('worker', {
      ...environment,
      ...workerMetrics(1),
      HELPDESK_DATA_DIR: dataDirectory('worker-2'),
    }),
  ])
  apiB = started[0]
  workers.push(started[1], started[2])
  tokens.admin = readFileSync(path.join(directoryA, 'admin-token'), 'utf8').trim()
  Object.assign(
    tokens,
    await addUsers({ ...environment, HELPDESK_DATA_DIR: directoryA }, [
      ['tom', 'technician'],
      ['tina', 'technician'],
    ]),
  )
}, 240_000)

afterAll(async () => {
  for (const each of [apiA, apiB, ...workers]) await each?.stop()
  if (postgres) {
    await dropSchemas()
    await postgres.dropAll()
  }
}, 60_000)

describe('distributed jobs: 2 API servers, 2 workers, one PostgreSQL', () => {
  it('a job started by a chat turn on one API is watched live through the other', async () => {
    const turn = await api(apiA, 'tom')('POST', '/api/chat', {
      message: 'check disk space on server web01',
    })
    expect(turn.status, JSON.stringify(turn.body)).toBe(200)
    const jobId = (turn.body as unknown as ChatTurnResult).jobId ?? ''
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/)
    const events: SseEvent[] = []
    await readEvents(`${apiB.url}/api/jobs/${jobId}/events`, {
      headers: { authorization: `Bearer ${tokens.tom}` },
      onEvent: (event) => events.push(event),
    })
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1))
    expect(events.at(-1)?.event).toBe('job-ended')
    expect(events.some((event) => event.event === 'log')).toBe(true)
    const view = (await api(apiA, 'tom')('GET', `/api/jobs/${jobId}`)).body as unknown as JobView
    expect(view.status).toBe('succeeded')
    // Run by one of the workers, not by an API server.
    const ranBy = workers.filter((worker) => worker.log().includes(`running job ${jobId}`))
    expect(ranBy).toHaveLength(1)
    expect(apiA.log() + apiB.log()).not.toContain(`running job ${jobId}`)
    // The worker that ran it counts it on its own /metrics port (no API replica could).
    const port = workerMetricsPorts[workers.indexOf(ranBy[0] as HelpdeskProcess)]
    const scrape = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    })
    expect(scrape.status).toBe(200)
    const text = await scrape.text()
    expect(text).toMatch(/^helpdesk_jobs_total\{status="succeeded"\} [1-9]/m)
    expect(text).toMatch(
      /^helpdesk_job_target_steps_total\{executor="bash",state="succeeded"\} [1-9]/m,
    )
  }, 60_000)

  it('SIGKILL of the worker running a fleet: the other finishes it, no change runs twice', async () => {
    const directory = sharedStateDirectory('distributed-fleet-')
    for (const name of SLOW) writeFileSync(path.join(directory, `${name}.slowchange`), '')
    for (const name of NAMES.slice(4, 8)) writeFileSync(path.join(directory, `${name}.running`), '')
    // An API-side engine of this process puts the job on the queue (see the header).
    const database = await openPostgresDatabase({ url: postgres.url, log: () => {} })
    const queue = await openJobQueue({ database, heartbeatSeconds: 10 })
    const audit = await PostgresAuditLog.open({
      database,
      key: parseAuditKey(readFileSync(keyFile, 'utf8'), 'audit.key'),
      checkpointFile: path.join(directory, 'checkpoints'),
    })
    const engine = await DistributedJobEngine.open({
      store: new PostgresJobStore({ database }),
      database,
      queue,
      audit,
      inventory: fleetInventory({ port: 22, user: 'x', keyFile: 'x', hostKey: 'x' }, NAMES),
    })
    try {
      const jobId = await engine.start(
        sampleWorkflow({ directory, targets: NAMES, slowChangeSeconds: 8 }),
        {
          requester: 'tom',
          actor: 'tina',
          approval: {
            id: 'distributed-test',
            approver: 'tina',
            approvedAt: new Date().toISOString(),
            level: 2,
            scope: 'plan',
            via: 'test',
          },
          concurrency: 6,
        },
      )
      const url = `${apiB.url}/api/jobs/${jobId}/events`
      const headers = { authorization: `Bearer ${tokens.tina}` }
      // Through API B until the slow changes are running on the machines.
      const running = new Set<string>()
      const before: SseEvent[] = []
      const last = await readEvents(url, {
        headers,
        onEvent: (event) => before.push(event),
        until: (event) => {
          const data = event.data as {
            type: string
            target?: string
            stepIndex?: number
            cell?: { state: string; phase?: string }
          }
          if (data.type === 'cell' && data.stepIndex === 2 && data.cell?.phase === 'run')
            if (data.cell.state === 'running' && data.target) running.add(data.target)
          return SLOW.every((name) => running.has(name))
        },
      })
      const changes = () =>
        readFileSync(path.join(directory, 'changes'), 'utf8').trim().split('\n').filter(Boolean)
      for (let wait = 0; wait < 100; wait++) {
        if (SLOW.every((name) => changes().includes(`${name} step-3`))) break
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      const holder = workers.find((worker) => worker.log().includes(`running job ${jobId}`))
      const other = workers.find((worker) => worker !== holder)
      if (!holder || !other) throw new Error('no worker says it runs the job')
      await holder.kill('SIGKILL')
      // The rest through API A, from where API B's stream stopped.
      const after: SseEvent[] = []
      await readEvents(`${apiA.url}/api/jobs/${jobId}/events`, {
        headers,
        lastEventId: last,
        onEvent: (event) => after.push(event),
      })
      expect(after.at(-1)?.event).toBe('job-ended')
      expect(after.some((event) => event.event === 'job-resumed')).toBe(true)
      expect(other.log()).toContain(`running job ${jobId} (taken over)`)
      const all = [...before, ...after]
      expect(all.map((event) => event.id)).toEqual(all.map((_, index) => index + 1))
      const view = (await api(apiB, 'tina')('GET', `/api/jobs/${jobId}`)).body as unknown as JobView
      expect(view.status).toBe('failed')
      for (const name of SLOW) {
        const cells = view.cells.filter((cell) => cell.target === name)
        expect(cells[2]?.state, name).toBe('unknown')
        expect(
          cells.slice(3).every((cell) => cell.state === 'skipped'),
          name,
        ).toBe(true)
      }
      // The machines in flight when the worker died (the slow four and up to two more) have one
      // cell of unknown outcome and their later steps skipped; every other one finished.
      let finished = 0
      for (const name of NAMES) {
        const cells = view.cells.filter((cell) => cell.target === name)
        const unknown = cells.findIndex((cell) => cell.state === 'unknown')
        if (unknown < 0) {
          expect(cells.at(-1)?.state, name).toBe('succeeded')
          finished++
        } else {
          expect(
            cells.slice(unknown + 1).every((cell) => cell.state === 'skipped'),
            name,
          ).toBe(true)
        }
      }
      expect(finished).toBeGreaterThanOrEqual(NAMES.length - 6)
      // No changing step ran twice on any machine; each that finished got its copy once.
      const lines = changes()
      expect(new Set(lines).size).toBe(lines.length)
      for (const name of NAMES) {
        const copies = lines.filter((line) => line === `${name} step-3`).length
        const done = view.cells.filter((cell) => cell.target === name).at(-1)?.state === 'succeeded'
        expect(copies, name).toBe(done || SLOW.includes(name) ? 1 : copies > 0 ? 1 : 0)
      }
      // The ledger holds a claim for every change that reached a machine; a change claimed by the
      // killed worker just before it left has a claim and no line (its cell is `unknown`, never re-run).
      const claims = await postgres.query<{ count: string }>(
        DEFAULT_SCHEMA,
        'SELECT count(*) FROM approval_step_executions WHERE approval_id = $1',
        [`job-${jobId}`],
      )
      const unknownCells = view.cells.filter((cell) => cell.state === 'unknown').length
      expect(Number(claims[0]?.count)).toBeGreaterThanOrEqual(lines.length)
      expect(Number(claims[0]?.count)).toBeLessThanOrEqual(lines.length + unknownCells)
      // Bring a second worker back for the next test.
      workers.splice(workers.indexOf(holder), 1)
    } finally {
      await engine.close()
      await queue.stop({ graceful: false })
      await audit.close()
      await database.close()
    }
  }, 120_000)

  it('one approval approved on both APIs at once: one job, the other gets 409', async () => {
    const turn = await api(apiA, 'tom')('POST', '/api/chat', {
      message: 'Stop the dataprocessor service on all servers in the fleet group',
    })
    expect(turn.status, JSON.stringify(turn.body)).toBe(200)
    const pending = (turn.body as unknown as ChatTurnResult).approvals?.[0]
    expect(pending?.id, JSON.stringify(turn.body)).toBeTruthy()
    const id = pending?.id ?? ''
    const approver = pending?.level === 1 ? 'tom' : 'tina'
    const answers = await Promise.all([
      api(apiA, approver)('POST', `/api/approvals/${id}/approve`, {}),
      api(apiB, approver)('POST', `/api/approvals/${id}/approve`, {}),
    ])
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409])
    const jobId = answers.find((answer) => answer.status === 200)?.body.jobId as string
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/)
    const jobs = await postgres.query<{ id: string }>(
      DEFAULT_SCHEMA,
      `SELECT id FROM workflow_jobs WHERE record::jsonb -> 'approval' ->> 'id' = $1`,
      [id],
    )
    expect(jobs.map((row) => row.id)).toEqual([jobId])
    // The job runs to its end on the remaining worker.
    const events: SseEvent[] = []
    await readEvents(`${apiB.url}/api/jobs/${jobId}/events`, {
      headers: { authorization: `Bearer ${tokens[approver]}` },
      onEvent: (event) => events.push(event),
    })
    expect(events.at(-1)?.event).toBe('job-ended')
  }, 90_000)
})
