/**
 * Two API replicas (`helpdesk serve`, each with its embedded worker, the default) on one loopback
 * PostgreSQL; the machines are names on the loopback sshd. A technician asks the chat of one
 * replica, in plain words, for the uptime of every server of a group: the job goes on the pg-boss
 * queue and one replica's worker runs it, FLEET_CONCURRENCY machines at a time. That replica is
 * killed with SIGKILL mid-fleet, and the other takes the job over and finishes it:
 * - every machine ran exactly once on the host: none twice, none left out;
 * - the machines in flight at the kill are `unknown` and never run again (the engine's rule for
 *   any step; the catalog marks no operation idempotent), the rest `succeeded`, some of them run
 *   by the survivor after the kill;
 * - the job's status read over HTTP from the survivor is `failed` (outcomes unknown), with a
 *   `job-resumed` event, and the audit chain verifies there with one `step-execute` per run.
 *
 * The replicas share one Chroma server (CHROMA_URL, as replicas do), started here: a replica's
 * own embedded Chroma would outlive the replica killed.
 *
 * The fixture: the product's operations catalog (OPERATIONS_DIR) with `system.uptime`'s Linux
 * script made to take 2 s and to write each run's start and end, with the machine's inventory
 * name, to a file on the test host, so the runs are counted where they happen.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import type { AuditRecord } from '../src/audit/audit-log.ts'
import type { JobView } from '../src/jobs/job-model.ts'
import { queueSchemaOf } from '../src/jobs/job-queue.ts'
import { readEvents, type SseEvent } from '../src/jobs/testing/sse-client.ts'
import { factsOf, fleetInventory, sharedStateDirectory } from '../src/jobs/testing/sshd-fleet.ts'
import { EmbeddedChromaServer } from '../src/knowledge/chroma/embedded-chroma-server.ts'
import type { ChatTurnResult } from '../src/server/chat-turns.ts'
import { DEFAULT_SCHEMA } from '../src/store/postgres/postgres-database.ts'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../src/store/postgres/testing/postgres-test-database.ts'
import { addUsers, type HelpdeskProcess, startHelpdesk } from './support/helpdesk-process.ts'
import { RUNTIME_CACHE_DIRECTORY } from './support/temporary-directory.ts'
import { startTestService } from './support/test-services.ts'

const NAMES = Array.from({ length: 9 }, (_, index) => `web${String(index + 1).padStart(2, '0')}`)
const AT_ONCE = 3
const RUN_SECONDS = 2
let postgres: PostgresTestServer
let chroma: EmbeddedChromaServer | undefined
let replicas: HelpdeskProcess[] = []
let tokens: Record<string, string> = {}
let runsFile = ''

const dropSchemas = async () => {
  await postgres.query('public', `DROP SCHEMA IF EXISTS ${DEFAULT_SCHEMA} CASCADE`)
  await postgres.query('public', `DROP SCHEMA IF EXISTS ${queueSchemaOf(DEFAULT_SCHEMA)} CASCADE`)
}

async function api(server: HelpdeskProcess, who: string, route: string, body?: unknown) {
  const response = await fetch(`${server.url}${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** The runs on the host so far, in order: `web03 start`, `web03 end`, ... */
function runLines(): string[] {
  return readFileSync(runsFile, 'utf8').split('\n').filter(Boolean)
}
const count = (lines: readonly string[], line: string) =>
  lines.filter((each) => each === line).length

/**
 * The product's catalog, with `system.uptime` slow and recorded on the host. The rendered script
 * starts with `set --` (its parameters), so the machine's name, which the runner passes as
 * `bash -s -- NAME`, is read from the shell's own command line.
 */
function fixtureCatalog(directory: string): string {
  const catalog = path.join(directory, 'operations')
  mkdirSync(catalog)
  for (const file of readdirSync('data/operations')) {
    const text = readFileSync(path.join('data/operations', file), 'utf8')
    if (file !== 'system.uptime.yaml') {
      writeFileSync(path.join(catalog, file), text)
      continue
    }
    const operation = parseYaml(text) as { scripts: { linux: string } }
    operation.scripts.linux = [
      `name="$(tr '\\0' '\\n' < /proc/$$/cmdline | tail -n 1)"`,
      `echo "$name start" >> ${runsFile}`,
      `sleep ${RUN_SECONDS}`,
      `echo "$name end" >> ${runsFile}`,
      'uptime',
      '',
    ].join('\n')
    writeFileSync(path.join(catalog, file), stringifyYaml(operation))
  }
  return catalog
}

beforeAll(async () => {
  postgres = await startPostgresTestServer()
  await dropSchemas()
  const facts = factsOf(await startTestService('sshd'))
  // Written by the ssh user's scripts: a directory it may write.
  const shared = sharedStateDirectory('fleet-replica-killed-')
  runsFile = path.join(shared, 'runs')
  writeFileSync(runsFile, '')
  chmodSync(runsFile, 0o666)
  const inventoryFile = path.join(shared, 'inventory.yaml')
  // JSON is YAML: the inventory the fleet helper builds, as a file for both replicas.
  writeFileSync(
    inventoryFile,
    JSON.stringify({ targets: fleetInventory(facts, NAMES).list(), groups: { fleet: NAMES } }),
  )
  chroma = new EmbeddedChromaServer({
    dataDirectory: path.join(shared, 'chroma'),
    runtimeCacheDirectory: RUNTIME_CACHE_DIRECTORY,
  })
  const chromaUrl = (await chroma.start()).url
  const keyFile = path.join(shared, 'audit.key')
  writeFileSync(keyFile, `${'6b'.repeat(32)}\n`, { mode: 0o600 })
  const environment = {
    DATABASE_URL: postgres.url,
    HELPDESK_INVENTORY: inventoryFile,
    HELPDESK_AUDIT_KEY_FILE: keyFile,
    OPERATIONS_DIR: fixtureCatalog(shared),
    FLEET_CONCURRENCY: String(AT_ONCE),
    HELPDESK_WORKER_HEARTBEAT_SECONDS: '10',
    CHROMA_URL: chromaUrl,
    CHROMA_COLLECTION: `fleet_killed_${Date.now().toString(36)}`,
  }
  const dataDirectory = (name: string) => {
    const directory = path.join(shared, name)
    mkdirSync(directory)
    return { ...environment, HELPDESK_DATA_DIR: directory }
  }
  // The first replica makes the schema and the first admin; then the second.
  const first = dataDirectory('replica-a')
  replicas.push(await startHelpdesk('serve', first, { timeoutMs: 180_000 }))
  replicas.push(await startHelpdesk('serve', dataDirectory('replica-b'), { timeoutMs: 180_000 }))
  tokens = await addUsers(first, [
    ['tom', 'technician'],
    ['ada', 'admin'],
  ])
}, 300_000)

afterAll(async () => {
  for (const replica of replicas) await replica.stop()
  replicas = []
  await chroma?.stop()
  if (postgres) {
    await dropSchemas()
    await postgres.dropAll()
  }
}, 60_000)

describe('a fleet job on two replicas, the one running it killed with SIGKILL', () => {
  it('the other finishes it: every machine ran once, those in flight unknown', async () => {
    const [first, second] = replicas
    if (!first || !second) throw new Error('two replicas expected')
    for (const replica of replicas)
      expect(replica.log()).toContain(`embedded worker ${replica.child.pid}: taking jobs`)

    const turn = await api(first, 'tom', '/api/chat', {
      message: 'Check the uptime of every server in the fleet group',
    })
    expect(turn.status, JSON.stringify(turn.body)).toBe(200)
    const jobId = (turn.body as unknown as ChatTurnResult).jobId ?? ''
    expect(jobId, JSON.stringify(turn.body)).toMatch(/^[0-9a-f-]{36}$/)

    // Mid-fleet: the first wave done and every slot running on the host, so each machine marked
    // running has reached the host (a slot frees only when its script ends).
    const onHost = () => {
      const lines = runLines()
      const ended = lines.filter((line) => line.endsWith(' end')).length
      return { ended, running: lines.length - 2 * ended }
    }
    for (let wait = 0; wait < 2400; wait++) {
      const { ended, running } = onHost()
      if (ended >= AT_ONCE && running === AT_ONCE) break
      await sleep(25)
    }
    const holder = replicas.find((replica) => replica.log().includes(`running job ${jobId}`))
    const survivor = replicas.find((replica) => replica !== holder)
    if (!holder || !survivor) throw new Error(`no replica says it runs job ${jobId}`)
    await holder.kill('SIGKILL')
    // What had started and not ended when it died (its scripts go on alone, so read it now).
    const atKill = runLines()
    const inFlight = NAMES.filter(
      (name) => count(atKill, `${name} start`) === 1 && count(atKill, `${name} end`) === 0,
    )
    expect(inFlight.length, atKill.join(', ')).toBeGreaterThanOrEqual(1)
    expect(atKill.filter((line) => line.endsWith(' end')).length).toBeLessThan(NAMES.length)

    const events: SseEvent[] = []
    await readEvents(`${survivor.url}/api/jobs/${jobId}/events`, {
      headers: { authorization: `Bearer ${tokens.tom}` },
      onEvent: (event) => events.push(event),
    })
    expect(events.at(-1)?.event).toBe('job-ended')
    expect(events.some((event) => event.event === 'job-resumed')).toBe(true)
    expect(survivor.log()).toContain(`running job ${jobId} (taken over)`)

    const view = (await api(survivor, 'tom', `/api/jobs/${jobId}`)).body as unknown as JobView
    expect(view.status).toBe('failed')
    expect(view.cells).toHaveLength(NAMES.length)
    // Let the killed replica's orphaned scripts write their end before the last count.
    await sleep(RUN_SECONDS * 1000 + 500)
    const lines = runLines()
    const startedAfterKill = new Set(
      lines.slice(atKill.length).flatMap((line) => (line.endsWith(' start') ? [line] : [])),
    )
    for (const name of NAMES) {
      const cell = view.cells.find((each) => each.target === name)
      const starts = count(lines, `${name} start`)
      expect(starts, `${name} ran ${starts} times: ${lines.join(', ')}`).toBeLessThanOrEqual(1)
      if (cell?.state === 'succeeded') {
        expect(starts, name).toBe(1)
        expect(count(lines, `${name} end`), name).toBe(1)
      } else {
        // Running when its replica died: unknown, never run again (none that had not started).
        expect(cell?.state, `${name}: ${JSON.stringify(cell)}`).toBe('unknown')
        expect(cell?.reason).toContain('not run again')
        expect(startedAfterKill.has(`${name} start`), name).toBe(false)
        expect(inFlight.includes(name) || starts === 0, name).toBe(true)
      }
    }
    // Those in flight at the kill are the unknown ones; the survivor ran the machines not reached.
    for (const name of inFlight)
      expect(view.cells.find((cell) => cell.target === name)?.state, name).toBe('unknown')
    expect(startedAfterKill.size).toBeGreaterThanOrEqual(1)
    // FLEET_CONCURRENCY held on the host: never more than that many running at once (the
    // killed replica's last ones had ended before the survivor took the job over).
    let running = 0
    let most = 0
    for (const line of lines) {
      running += line.endsWith(' start') ? 1 : -1
      most = Math.max(most, running)
    }
    expect(most).toBe(AT_ONCE)
    expect(NAMES.every((name) => count(lines, `${name} start`) === 1)).toBe(true)

    // The audit chain, read on the survivor: whole, one execution record per run on the host.
    const verified = await api(survivor, 'ada', '/api/audit/verify')
    expect(verified.status).toBe(200)
    expect(verified.body.verification).toMatchObject({ ok: true })
    const audit = await api(survivor, 'ada', '/api/audit?action=step-execute&actor=tom&limit=200')
    const executions = (audit.body.records as AuditRecord[]).filter(
      (record) => record.requestId === jobId,
    )
    for (const name of NAMES)
      expect(
        executions.filter((record) => record.target === name),
        name,
      ).toHaveLength(1)
  }, 180_000)
})
