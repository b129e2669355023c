/**
 * The distributed engine on the loopback PostgreSQL, in one process: an API-side engine, two
 * workers (each with its own pg-boss instance and LISTEN connection, as separate processes
 * have), machines run by the local bash. The multi-process test with the real CLI and the
 * loopback sshd is tests/distributed-jobs.int.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { PgBoss } from 'pg-boss'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostgresStepExecutionLedger } from '../approvals/postgres-step-execution-ledger.ts'
import { parseAuditKey } from '../audit/audit-key.ts'
import { PostgresAuditLog } from '../audit/postgres-audit-log.ts'
import { Inventory } from '../inventory/inventory.ts'
import type { Target } from '../inventory/inventory-schema.ts'
import type { ApprovalRecord } from '../policy/approval-record.ts'
import type { PostgresDatabase } from '../store/postgres/postgres-database.ts'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../store/postgres/testing/postgres-test-database.ts'
import { DistributedJobEngine } from './distributed-job-engine.ts'
import type { JobEvent } from './job-model.ts'
import { openJobQueue, queueSchemaOf } from './job-queue.ts'
import { JobWorker } from './job-worker.ts'
import { PostgresJobStore } from './postgres-job-store.ts'
import { LocalBashShell } from './testing/local-bash-shell.ts'
import { sampleWorkflow } from './testing/sample-workflow.ts'
import { WorkflowScriptRunner } from './workflow-script-runner.ts'

const NAMES = ['D-01', 'D-02', 'D-03', 'D-04', 'D-05', 'D-06']
const APPROVAL: ApprovalRecord = {
  id: 'distributed-test',
  approver: 'tom',
  approvedAt: new Date().toISOString(),
  level: 2,
  scope: 'plan',
  via: 'test',
}
const HOST_KEY = `ssh-ed25519 ${Buffer.alloc(51, 1).toString('base64')}`
const inventory = new Inventory({
  targets: NAMES.map(
    (name): Target => ({
      name,
      host: '127.0.0.1',
      os: 'linux',
      transport: 'ssh',
      username: 'nobody',
      credential: 'env:UNUSED',
      hostKey: HOST_KEY,
    }),
  ),
  groups: {},
})

let server: PostgresTestServer
let schema = ''
const closers: Array<() => Promise<void>> = []

interface Process {
  database: PostgresDatabase
  queue: PgBoss
  store: PostgresJobStore
  audit: PostgresAuditLog
  runner: WorkflowScriptRunner
}

/** What one process opens: its pool, its queue, its audit log. */
async function openProcess(): Promise<Process> {
  const database = await server.again(schema)
  const queue = await openJobQueue({ database, heartbeatSeconds: 10 })
  const audit = await PostgresAuditLog.open({
    database,
    key: parseAuditKey('07'.repeat(32), 'test key'),
    checkpointFile: path.join(mkdtempSync(path.join(tmpdir(), 'dist-audit-')), 'checkpoints'),
  })
  const runner = new WorkflowScriptRunner({ shells: { ssh: new LocalBashShell() }, audit })
  closers.push(async () => {
    await queue.stop({ graceful: false })
    await audit.close()
  })
  return { database, queue, store: new PostgresJobStore({ database }), audit, runner }
}

const workerLog: string[] = []

async function startWorker(process: Process, name: string): Promise<JobWorker> {
  const worker = await JobWorker.start({
    ...process,
    ledger: new PostgresStepExecutionLedger({ database: process.database }),
    inventory,
    name,
    log: (line) => workerLog.push(line),
  })
  closers.push(() => worker.close())
  return worker
}

let api: DistributedJobEngine
let otherApi: DistributedJobEngine
let apiProcess: Process

beforeAll(async () => {
  server = await startPostgresTestServer()
  schema = server.schemaName('distributed')
  await (await server.again(schema)).pool.query('SELECT 1')
  apiProcess = await openProcess()
  api = await DistributedJobEngine.open({ ...apiProcess, inventory })
  const second = await openProcess()
  otherApi = await DistributedJobEngine.open({ ...second, inventory })
  closers.push(async () => {
    await api.close()
    await otherApi.close()
  })
}, 60_000)

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined)
  await server?.query('public', `DROP SCHEMA IF EXISTS "${queueSchemaOf(schema)}" CASCADE`)
  await server?.dropAll()
})

async function collect(engine: DistributedJobEngine, id: string, after = 0) {
  const events: JobEvent[] = []
  for await (const event of engine.follow(id, after)) events.push(event)
  return events
}

describe('the distributed job engine (pg-boss, LISTEN/NOTIFY)', () => {
  it('a job started on one API runs on a worker and is followed live on the other API', async () => {
    const workerProcess = await openProcess()
    await startWorker(workerProcess, 'worker A')
    const directory = mkdtempSync(path.join(tmpdir(), 'dist-jobs-'))
    for (const name of ['D-02', 'D-03']) writeFileSync(path.join(directory, `${name}.running`), '')
    writeFileSync(path.join(directory, 'D-04.broken'), '')
    const started = Date.now()
    const id = await api.start(sampleWorkflow({ directory, targets: NAMES }), {
      requester: 'alice',
      actor: 'tom',
      approval: APPROVAL,
      concurrency: 3,
    })
    const live = await collect(otherApi, id)
    expect(live.at(-1)).toMatchObject({ type: 'job-ended', status: 'failed' })
    expect(live.map((event) => event.id)).toEqual(live.map((_, index) => index + 1))
    // Live, not polled: the whole job (about 30 scripts) in well under the 2 s poll per event.
    expect(Date.now() - started).toBeLessThan(20_000)
    // The worker stores `job-ended` a moment before the status (finishJob): wait for the status.
    await api.settled(id)
    const view = await api.view(id)
    expect(view?.status).toBe('failed')
    expect(
      view?.cells.filter((cell) => cell.target === 'D-04' && cell.state === 'failed'),
    ).toHaveLength(1)
    for (const name of ['D-01', 'D-05', 'D-06'])
      expect(readFileSync(path.join(directory, `${name}.conf`), 'utf8')).toBe('setting=new\n')
    // Replay after any number from either API.
    const tail = await collect(api, id, 5)
    expect(tail.map((event) => event.id)).toEqual(live.slice(5).map((event) => event.id))
    // Each changing step's change was claimed once in the ledger, under the job's key.
    const [ledger] = await server.query<{ count: string }>(
      schema,
      'SELECT count(*) FROM approval_step_executions WHERE approval_id = $1',
      [`job-${id}`],
    )
    const changes = readFileSync(path.join(directory, 'changes'), 'utf8').trim().split('\n')
    expect(Number(ledger?.count)).toBe(changes.length)
    expect(new Set(changes).size).toBe(changes.length)
  }, 60_000)

  it('cancel on another API stops the commands on the worker running the job', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'dist-cancel-'))
    for (const name of NAMES) writeFileSync(path.join(directory, `${name}.slow`), '')
    const id = await api.start(sampleWorkflow({ directory, targets: NAMES, slowSeconds: 20 }), {
      requester: 'alice',
      actor: 'tom',
      approval: APPROVAL,
      concurrency: 6,
    })
    for await (const event of api.follow(id, 0))
      if (event.type === 'cell' && event.cell.state === 'running') break
    const asked = Date.now()
    expect(await otherApi.cancel(id, 'alice')).toBe(true)
    const record = await api.settled(id)
    expect(record?.status).toBe('cancelled')
    expect(Date.now() - asked).toBeLessThan(10_000)
    expect(existsSync(path.join(directory, 'finished-slow'))).toBe(false)
    expect(await api.cancel(id, 'alice')).toBe(false)
  }, 60_000)

  it('two workers holding one job (a retried entry while the first still runs) never run a change twice', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'dist-twice-'))
    // Slow changes, so the two holders' runs overlap for sure.
    for (const name of NAMES) {
      writeFileSync(path.join(directory, `${name}.running`), '')
      writeFileSync(path.join(directory, `${name}.slowchange`), '')
    }
    const id = await api.start(
      sampleWorkflow({ directory, targets: NAMES, slowChangeSeconds: 2 }),
      {
        requester: 'alice',
        actor: 'tom',
        approval: APPROVAL,
        concurrency: 6,
      },
    )
    // A second copy of the entry, as pg-boss would hand out after a missed heartbeat.
    await apiProcess.queue.send('helpdesk-workflow-jobs', { jobId: id })
    const other = await openProcess()
    await startWorker(other, 'worker B')
    const record = await api.settled(id)
    expect(['succeeded', 'failed']).toContain(record?.status)
    // Both entries were run...
    for (let wait = 0; wait < 100; wait++) {
      if (workerLog.filter((line) => line.includes(`running job ${id}`)).length >= 2) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(workerLog.filter((line) => line.includes(`running job ${id}`))).toHaveLength(2)
    // ...let the later one end too, then: every change left for a machine once...
    await new Promise((resolve) => setTimeout(resolve, 4000))
    const changes = readFileSync(path.join(directory, 'changes'), 'utf8').trim().split('\n')
    expect(changes.length).toBeGreaterThan(0)
    expect(new Set(changes).size).toBe(changes.length)
    // ...because the second holder found the ledger's claims taken and did not run them.
    const events = await collect(api, id)
    const refused = events.filter(
      (event) => event.type === 'cell' && /by another worker/.test(event.cell.reason ?? ''),
    )
    expect(refused.length).toBeGreaterThan(0)
  }, 60_000)
})
