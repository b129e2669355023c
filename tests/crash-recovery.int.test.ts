/**
 * The real server killed (SIGKILL) at points of an approved run against the Samba AD DC, started
 * again on the same store: the run is found interrupted, the step that was running is unknown and
 * not re-run, the rest waits for a technician, the conversation and the job say so, and a
 * technician's resume carries it on. A TCP relay in front of the DC holds one LDAP connection of
 * the run (the executor opens one per operation), so the kill lands inside a chosen step.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer } from '../bench/bench-support.ts'
import { SqliteAuditLog } from '../src/audit/sqlite-audit-log.ts'
import {
  asAdministrator,
  userDn,
} from '../src/executors/active-directory/testing/samba-directory.ts'
import { startTestService } from './support/test-services.ts'

const run = promisify(execFile)
const CHECK = 'account_locked.check_ad_status'
const UNLOCK = 'account_locked.unlock_ad_account'
const USER = 'bob'

let environment: Record<string, string> = {}
let dataDirectory = ''
let server: Awaited<ReturnType<typeof startServer>> | undefined
const tokens: Record<string, string> = {}

/**
 * Relays TCP to the DC's LDAPS port. `holdFrom(n)`: from the n-th connection after the call on,
 * connections are accepted and never relayed (the client waits for its bind answer).
 */
class HoldingRelay {
  readonly server: net.Server
  private seen = 0
  private holdAt = Number.POSITIVE_INFINITY
  private readonly held: net.Socket[] = []

  constructor(upstreamPort: number) {
    this.server = net.createServer((socket) => {
      this.seen += 1
      if (this.seen >= this.holdAt) {
        this.held.push(socket)
        socket.on('error', () => {})
        return
      }
      const upstream = net.connect(upstreamPort, '127.0.0.1')
      socket.pipe(upstream).pipe(socket)
      socket.on('error', () => upstream.destroy())
      upstream.on('error', () => socket.destroy())
    })
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return (this.server.address() as net.AddressInfo).port
  }

  get holding(): number {
    return this.held.length
  }

  holdFrom(connection: number): void {
    this.holdAt = this.seen + connection
  }

  release(): void {
    this.holdAt = Number.POSITIVE_INFINITY
    for (const socket of this.held.splice(0)) socket.destroy()
  }
}

let relay: HoldingRelay
let currentFramework = 'langgraph'

async function api(who: string, method: string, route: string, body?: unknown) {
  const response = await fetch(`${server?.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & {
      error?: { code: string; message: string }
    },
  }
}

async function addUser(name: string, role: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['bin/helpdesk.js', 'users', 'add', name, '--role', role],
    { env: { ...process.env, ...environment, LOG_LEVEL: 'silent' } },
  )
  return stdout.trim()
}

async function auditRecords() {
  const audit = new SqliteAuditLog({ file: path.join(dataDirectory, 'helpdesk.sqlite') })
  try {
    return await audit.list({ limit: 10_000 })
  } finally {
    await audit.close()
  }
}

async function executions(stepId: string): Promise<number> {
  return (await auditRecords()).filter(
    (record) => record.action === 'step-execute' && record.detail.stepId === stepId,
  ).length
}

async function lockedOut(username: string): Promise<boolean> {
  return asAdministrator(async (client) => {
    const { searchEntries } = await client.search(await userDn(client, username), {
      scope: 'base',
      attributes: ['lockoutTime'],
    })
    return Number(searchEntries[0]?.lockoutTime ?? 0) > 0
  })
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

beforeAll(async () => {
  const directory = await startTestService('samba-dc')
  relay = new HoldingRelay(Number(new URL(directory.LDAP_URL ?? '').port || 636))
  const relayPort = await relay.listen()
  dataDirectory = mkdtempSync(path.join(tmpdir(), 'crash-recovery-'))
  environment = {
    HELPDESK_DATA_DIR: dataDirectory,
    CHROMA_RUNTIME_DIR: path.resolve('.helpdesk/runtime'),
    AD_URL: `ldaps://127.0.0.1:${relayPort}`,
    AD_BASE_DN: directory.LDAP_BASE_DN ?? '',
    AD_BIND_DN: directory.LDAP_BIND_DN ?? '',
    AD_BIND_CREDENTIAL: `file:${directory.LDAP_BIND_PASSWORD_FILE}`,
    AD_CA_FILE: directory.LDAP_CA_FILE ?? '',
    AD_TLS_SERVERNAME: directory.LDAP_TLS_SERVERNAME ?? '',
    // A held connection must outlast the kill, not time out into a "failed" first.
    AD_TIMEOUT_MS: '60000',
  }
  server = await startServer(environment)
  tokens.admin = readFileSync(path.join(dataDirectory, 'admin-token'), 'utf8').trim()
  tokens.bob = await addUser(USER, 'requester')
  tokens.tech = await addUser('tech.anna', 'technician')
}, 180_000)

afterAll(async () => {
  relay?.release()
  await server?.stop()
  relay?.server.close()
})

/**
 * bob, locked out, asks; a technician approves; the relay holds the `holdFrom`-th LDAP connection
 * of the run and the server is killed once `stepId` has started. Then it is started again.
 */
async function killDuring(stepId: string, holdFrom: number, framework = 'langgraph') {
  if (server?.child.exitCode === null && framework !== currentFramework) {
    await server?.stop()
    server = await startServer({ ...environment, AGENT_FRAMEWORK: framework })
  }
  currentFramework = framework
  await run(process.execPath, ['scripts/lab.ts', 'lock', USER])
  const turn = await api('bob', 'POST', '/api/chat', {
    message: `user ${USER} is locked out of active directory`,
  })
  expect(turn.status, JSON.stringify(turn.body)).toBe(200)
  const id = (turn.body.approvals as Array<{ id: string }>)[0]?.id ?? ''
  expect(id).not.toBe('')
  const before = await executions(stepId)
  relay.holdFrom(holdFrom)
  const approving = api('tech', 'POST', `/api/approvals/${id}/approve`, {}).catch(() => undefined)
  await until(`${stepId} to start`, async () => (await executions(stepId)) > before)
  await until('the relay to hold a connection', async () => relay.holding > 0)
  server?.child.kill('SIGKILL')
  await new Promise((resolve) => server?.child.once('exit', resolve))
  await approving
  relay.release()
  server = await startServer({ ...environment, AGENT_FRAMEWORK: framework })
  return { id, sessionId: String(turn.body.sessionId) }
}

describe('a server killed during an approved run (Samba AD DC)', () => {
  it('killed inside the unlock (after the directory change): unknown, never re-run; resumed as done', async () => {
    // Connections of the run: 1 the check, 2 the unlock, 3 its verification (held: the unlock
    // reached the directory, its result never came back).
    const { id, sessionId } = await killDuring(UNLOCK, 3)
    expect(await lockedOut(USER)).toBe(false)
    const unlocksBefore = await executions(UNLOCK)

    const found = await api('tech', 'GET', `/api/approvals/${id}`)
    expect(found.body).toMatchObject({
      status: 'interrupted',
      interruption: { unknownSteps: [UNLOCK] },
    })
    const listed = await api('tech', 'GET', '/api/approvals?status=interrupted')
    expect((listed.body.approvals as Array<{ id: string }>).map((each) => each.id)).toContain(id)

    // Approve and deny say what happened and what to do, not a bare conflict.
    const approve = await api('tech', 'POST', `/api/approvals/${id}/approve`, {})
    expect(approve.status).toBe(409)
    expect(approve.body.error?.code).toBe('APPROVAL_INTERRUPTED')
    expect(approve.body.error?.message).toMatch(
      /server stopped while carrying it out; the outcome of account_locked.unlock_ad_account is unknown.*\/resume/,
    )
    const deny = await api('tech', 'POST', `/api/approvals/${id}/deny`, { reason: 'no' })
    expect(deny.body.error?.code).toBe('APPROVAL_INTERRUPTED')

    // The employee reads it in their conversation; the job says interrupted, the unlock unknown.
    const conversation = await api('bob', 'GET', `/api/sessions/${sessionId}`)
    const history = conversation.body.history as Array<{ role: string; text: string }>
    expect(history.at(-1)?.text).toMatch(
      /server stopped while it was carrying this out[\s\S]*Unlock .*not known whether it finished/,
    )
    const jobs = (await api('bob', 'GET', '/api/jobs')).body.jobs as Array<{
      approvals: string[]
      status: string
      steps: Array<{ stepId: string; status: string }>
    }>
    const job = jobs.find((each) => each.approvals.includes(id))
    expect(job?.status).toBe('interrupted')
    expect(job?.steps.find((step) => step.stepId === UNLOCK)?.status).toBe('unknown')

    // Only a technician resumes, and only saying what the unknown step did.
    const byRequester = await api('bob', 'POST', `/api/approvals/${id}/resume`, {
      resolve: { [UNLOCK]: 'succeeded' },
      reason: 'I think it worked',
    })
    expect(byRequester.status).toBe(403)
    const unresolved = await api('tech', 'POST', `/api/approvals/${id}/resume`, {
      reason: 'checked',
    })
    expect(unresolved.status).toBe(400)
    expect(unresolved.body.error?.message).toMatch(/missing: account_locked.unlock_ad_account/)

    const resumed = await api('tech', 'POST', `/api/approvals/${id}/resume`, {
      resolve: { [UNLOCK]: 'succeeded' },
      reason: 'lockoutTime is 0 in the directory',
    })
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200)
    expect(resumed.body.approval).toMatchObject({
      status: 'executed',
      execution: { outcome: 'succeeded' },
    })
    expect(await executions(UNLOCK)).toBe(unlocksBefore)
    const after = (await api('bob', 'GET', '/api/jobs')).body.jobs as typeof jobs
    expect(after.find((each) => each.approvals.includes(id))?.status).toBe('succeeded')
  }, 180_000)

  it('killed inside the first step (before any change): resumed, the unlock runs once', async () => {
    const { id } = await killDuring(CHECK, 1)
    expect(await lockedOut(USER)).toBe(true)
    const found = await api('tech', 'GET', `/api/approvals/${id}`)
    expect(found.body).toMatchObject({
      status: 'interrupted',
      interruption: { unknownSteps: [CHECK], waitingSteps: expect.arrayContaining([UNLOCK]) },
    })
    const unlocksBefore = await executions(UNLOCK)
    const resumed = await api('tech', 'POST', `/api/approvals/${id}/resume`, {
      resolve: { [CHECK]: 'succeeded' },
      reason: 'a read; nothing to undo',
    })
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200)
    const results = resumed.body.results as Array<{ stepId: string; status: string }>
    expect(results.find((each) => each.stepId === UNLOCK)?.status).toBe('succeeded')
    expect(await executions(UNLOCK)).toBe(unlocksBefore + 1)
    expect(await lockedOut(USER)).toBe(false)
    // Once: a second resume changes nothing.
    const again = await api('tech', 'POST', `/api/approvals/${id}/resume`, {
      resolve: {},
      reason: 'again',
    })
    expect(again.status).toBe(409)
    expect(await executions(UNLOCK)).toBe(unlocksBefore + 1)
  }, 180_000)

  it.each(['langchain', 'openai-agents'])(
    'the same under %s: its paused run, killed inside the first step, is resumed by a technician',
    async (framework) => {
      const { id } = await killDuring(CHECK, 1, framework)
      const unlocksBefore = await executions(UNLOCK)
      const resumed = await api('tech', 'POST', `/api/approvals/${id}/resume`, {
        resolve: { [CHECK]: 'succeeded' },
        reason: 'a read; nothing to undo',
      })
      expect(resumed.status, JSON.stringify(resumed.body)).toBe(200)
      expect(resumed.body.approval).toMatchObject({ execution: { outcome: 'succeeded' } })
      expect(await executions(UNLOCK)).toBe(unlocksBefore + 1)
      expect(await lockedOut(USER)).toBe(false)
    },
    180_000,
  )

  it('killed inside an unlock, then stopped: nothing after it runs, the audit trail verifies', async () => {
    const { id } = await killDuring(UNLOCK, 2)
    const stopped = await api('tech', 'POST', `/api/approvals/${id}/resume`, {
      resolve: { [UNLOCK]: 'failed' },
      stop: true,
      reason: 'still locked; will handle it by phone',
    })
    expect(stopped.status, JSON.stringify(stopped.body)).toBe(200)
    expect(stopped.body.approval).toMatchObject({
      status: 'executed',
      execution: { outcome: 'failed' },
    })
    const audit = new SqliteAuditLog({ file: path.join(dataDirectory, 'helpdesk.sqlite') })
    try {
      const actions = (await audit.list({ limit: 10_000 }))
        .filter((record) => record.requestId === id)
        .map((record) => record.action)
      expect(actions).toEqual(
        expect.arrayContaining(['approval-interrupt', 'approval-resume', 'approval-execute']),
      )
      expect((await audit.verify()).ok).toBe(true)
    } finally {
      await audit.close()
    }
  }, 180_000)
})
