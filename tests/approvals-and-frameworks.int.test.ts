import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer } from '../bench/bench-support.ts'
import { SqliteAuditLog } from '../src/audit/sqlite-audit-log.ts'
import { startTestService } from './support/test-services.ts'

const run = promisify(execFile)
let environment: Record<string, string> = {}
let dataDirectory = ''
let server: Awaited<ReturnType<typeof startServer>> | undefined
const tokens: Record<string, string> = {}

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
    {
      env: { ...process.env, ...environment, LOG_LEVEL: 'silent' },
    },
  )
  return stdout.trim()
}

beforeAll(async () => {
  const directory = await startTestService('samba-dc')
  dataDirectory = mkdtempSync(path.join(tmpdir(), 'approvals-'))
  environment = {
    HELPDESK_DATA_DIR: dataDirectory,
    CHROMA_RUNTIME_DIR: path.resolve('.helpdesk/runtime'),
    AD_URL: directory.LDAP_URL ?? '',
    AD_BASE_DN: directory.LDAP_BASE_DN ?? '',
    AD_BIND_DN: directory.LDAP_BIND_DN ?? '',
    AD_BIND_CREDENTIAL: `file:${directory.LDAP_BIND_PASSWORD_FILE}`,
    AD_CA_FILE: directory.LDAP_CA_FILE ?? '',
    AD_TLS_SERVERNAME: directory.LDAP_TLS_SERVERNAME ?? '',
  }
  server = await startServer(environment)
  tokens.admin = readFileSync(path.join(dataDirectory, 'admin-token'), 'utf8').trim()
  tokens.carol = await addUser('carol', 'requester')
  tokens.tech = await addUser('tech.anna', 'technician')
})

afterAll(async () => {
  await server?.stop()
})

async function unlockCount(): Promise<number> {
  const audit = new SqliteAuditLog({ file: path.join(dataDirectory, 'helpdesk.sqlite') })
  const records = await audit.list({ limit: 10_000 })
  await audit.close()
  return records.filter(
    (record) =>
      record.action === 'step-execute' &&
      record.detail.stepId === 'account_locked.unlock_ad_account',
  ).length
}

/**
 * A held unlock, the server killed while it waits, started again (with the same framework and
 * store), approved: the framework's paused run resumes and the unlock runs exactly once.
 */
async function killWhilePendingThenApprove(
  framework: string,
  extra: Record<string, string> = {},
  whilePending: () => Promise<void> = async () => {},
) {
  await run(process.execPath, ['scripts/lab.ts', 'lock', 'carol'])
  const unlocksBefore = await unlockCount()
  await server?.stop()
  server = await startServer({ ...environment, AGENT_FRAMEWORK: framework, ...extra })
  const turn = await api('carol', 'POST', '/api/chat', {
    message: 'user carol is locked out of active directory',
  })
  expect(turn.status).toBe(200)
  const approvals = turn.body.approvals as Array<{ id: string; stepIds: string[] }>
  expect(approvals).toHaveLength(1)
  const id = approvals[0]?.id ?? ''
  expect(approvals[0]?.stepIds).toEqual(['account_locked.unlock_ad_account'])

  const pending = await api('tech', 'GET', '/api/approvals?status=pending')
  expect((pending.body.approvals as Array<{ id: string }>).map((each) => each.id)).toContain(id)
  const byRequester = await api('carol', 'POST', `/api/approvals/${id}/approve`, {})
  expect(byRequester.status).toBe(403)
  expect(byRequester.body.error?.message).toMatch(/requester|technician/i)

  await whilePending()
  // Kill the server with the approval pending, then start it again on the same store.
  server?.child.kill('SIGKILL')
  await new Promise((resolve) => server?.child.once('exit', resolve))
  server = await startServer({ ...environment, AGENT_FRAMEWORK: framework, ...extra })

  const approved = await api('tech', 'POST', `/api/approvals/${id}/approve`, {})
  expect(approved.status, JSON.stringify(approved.body)).toBe(200)
  // The run the framework paused before the kill was resumed from its stored state.
  expect(approved.body.resumedBy).toBe(framework)
  const results = approved.body.results as Array<{ stepId: string; status: string }>
  expect(results.find((each) => each.stepId === 'account_locked.unlock_ad_account')?.status).toBe(
    'succeeded',
  )
  const again = await api('tech', 'POST', `/api/approvals/${id}/approve`, {})
  expect(again.status).toBeGreaterThanOrEqual(400)
  // The employee reads the outcome in the conversation they asked in.
  const conversation = await api('carol', 'GET', `/api/sessions/${String(turn.body.sessionId)}`)
  const history = conversation.body.history as Array<{ role: string; text: string }>
  expect(history.at(-1)?.role).toBe('assistant')
  expect(history.at(-1)?.text).toMatch(
    /approved by tech\.anna and carried out\.\n- Unlock .*: succeeded/,
  )

  const audit = new SqliteAuditLog({ file: path.join(dataDirectory, 'helpdesk.sqlite') })
  const unlocks = (await audit.list({ limit: 10_000 })).filter(
    (record) =>
      record.action === 'step-execute' &&
      record.detail.stepId === 'account_locked.unlock_ad_account',
  )
  expect((await audit.verify()).ok).toBe(true)
  await audit.close()
  expect(unlocks).toHaveLength(unlocksBefore + 1)
  expect(unlocks.at(-1)?.detail.approval).toMatchObject({ approver: 'tech.anna' })

  const after = await api('carol', 'POST', '/api/chat', {
    message: 'user carol is locked out of active directory',
  })
  const status = (
    after.body.results as Array<{ stepId: string; data?: { locked?: boolean } }>
  ).find((each) => each.stepId === 'account_locked.check_ad_status')
  expect(status?.data?.locked).toBe(false)
}

describe('approvals across a server restart, and switching frameworks at run time', () => {
  it('a held unlock waits for a technician, survives a kill, runs exactly once when approved', async () => {
    await killWhilePendingThenApprove('langgraph')
  })

  it("GET /api/jobs: a requester sees their own jobs, a technician everyone's", async () => {
    tokens.dave = tokens.dave ?? (await addUser('dave', 'requester'))
    const mine = await api('carol', 'GET', '/api/jobs?limit=5')
    expect(mine.status).toBe(200)
    const jobs = mine.body.jobs as Array<{
      id: string
      requester: string
      status: string
      approvals: string[]
      steps: Array<{ stepId: string; status: string }>
    }>
    expect(jobs.length).toBeGreaterThan(0)
    expect(jobs.every((job) => job.requester === 'carol')).toBe(true)
    // The first turn's job: its unlock was held, then run by the approval after the restart.
    const approved = jobs.find((job) => job.approvals.length > 0 && job.status === 'succeeded')
    expect(
      approved?.steps.find((step) => step.stepId === 'account_locked.unlock_ad_account')?.status,
    ).toBe('succeeded')
    const id = approved?.id ?? ''
    expect((await api('carol', 'GET', `/api/jobs/${id}`)).body.id).toBe(id)
    expect((await api('tech', 'GET', `/api/jobs/${id}`)).status).toBe(200)
    const other = await api('dave', 'GET', `/api/jobs/${id}`)
    expect(other.status).toBe(404)
    expect(other.body.error?.code).toBe('JOB_NOT_FOUND')
    expect((await api('dave', 'GET', '/api/jobs')).body.jobs).toEqual([])
    const bad = await api('carol', 'GET', '/api/jobs?limit=0')
    expect(bad.status).toBe(400)
    expect(bad.body.error?.message).toMatch(/^limit: expected a whole number/)
  })

  it('the same with LangChain (human-in-the-loop middleware) and OpenAI Agents (needsApproval)', async () => {
    await killWhilePendingThenApprove('langchain')
    await killWhilePendingThenApprove('openai-agents')
  })

  it('the same with LangGraph checkpoints in PostgreSQL (LANGGRAPH_CHECKPOINT_URL)', async () => {
    const postgres = await startTestService('postgres')
    const password = readFileSync(postgres.PG_PASSWORD_FILE ?? '', 'utf8').trim()
    // The password by the standard PGPASSWORD reference, not in the URL.
    const url = `postgresql://${postgres.PG_USER}@${postgres.PG_HOST}:${postgres.PG_PORT}/${postgres.PG_DATABASE}`
    const checkpointRows = async () => {
      const client = new pg.Client({
        host: postgres.PG_HOST,
        port: Number(postgres.PG_PORT),
        user: postgres.PG_USER,
        database: postgres.PG_DATABASE,
        password,
      })
      await client.connect()
      try {
        const { rows } = await client.query<{ count: string }>(
          'SELECT COUNT(*) AS count FROM helpdesk_langgraph.checkpoints',
        )
        return Number(rows[0]?.count)
      } finally {
        await client.end()
      }
    }
    // One server per data directory: a second one refuses to start next to the running one.
    await server?.stop()
    await startServer({ ...environment, LANGGRAPH_CHECKPOINT_URL: url, PGPASSWORD: password }).then(
      (started) => started.stop(),
    )
    const rowsBefore = await checkpointRows()
    await killWhilePendingThenApprove(
      'langgraph',
      { LANGGRAPH_CHECKPOINT_URL: url, PGPASSWORD: password },
      async () => {
        // The paused thread went to PostgreSQL.
        expect(await checkpointRows()).toBeGreaterThan(rowsBefore)
      },
    )
    await server?.stop()
    server = await startServer(environment)
  })

  it('an admin switches the agent framework at run time; others may not; unknown names are listed', async () => {
    expect((await api('admin', 'GET', '/api/admin/agent')).body.framework).toBe('langgraph')
    expect((await api('tech', 'PUT', '/api/admin/agent', { framework: 'mastra' })).status).toBe(403)
    const unknown = await api('admin', 'PUT', '/api/admin/agent', { framework: 'autogen' })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error?.message).toContain(
      'valid: langgraph, langchain, openai-agents, mastra, core',
    )
    for (const framework of ['openai-agents', 'mastra', 'langchain', 'langgraph']) {
      const switched = await api('admin', 'PUT', '/api/admin/agent', { framework })
      expect(switched.body.framework).toBe(framework)
      const turn = await api('carol', 'POST', '/api/chat', { message: 'my printer is not working' })
      expect(turn.body.tasks).toEqual(['printer_not_working'])
    }
    // Every switch is in the audit trail: who, from which, to which.
    const audited = await api('admin', 'GET', '/api/audit?action=agent-framework-switch&limit=10')
    expect(audited.status).toBe(200)
    const switches = (audited.body.records as Array<{ actor: string; detail: { to: string } }>)
      .map((record) => `${record.actor}:${record.detail.to}`)
      .sort()
    expect(switches).toEqual(
      ['openai-agents', 'mastra', 'langchain', 'langgraph'].map((to) => `admin:${to}`).sort(),
    )
  })
})
