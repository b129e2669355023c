import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
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
  await run(process.execPath, ['scripts/lab.ts', 'lock', 'carol'])
})

afterAll(async () => {
  await server?.stop()
})

describe('approvals across a server restart, and switching frameworks at run time', () => {
  it('a held unlock waits for a technician, survives a kill, runs exactly once when approved', async () => {
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

    // Kill the server with the approval pending, then start it again on the same store.
    server?.child.kill('SIGKILL')
    await new Promise((resolve) => server?.child.once('exit', resolve))
    server = await startServer(environment)

    const approved = await api('tech', 'POST', `/api/approvals/${id}/approve`, {})
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    // The LangGraph thread interrupted before the kill was resumed from its SQLite checkpoint.
    expect(approved.body.resumedBy).toBe('langgraph')
    const results = approved.body.results as Array<{ stepId: string; status: string }>
    expect(results.find((each) => each.stepId === 'account_locked.unlock_ad_account')?.status).toBe(
      'succeeded',
    )
    const again = await api('tech', 'POST', `/api/approvals/${id}/approve`, {})
    expect(again.status).toBeGreaterThanOrEqual(400)

    const audit = new SqliteAuditLog({ file: path.join(dataDirectory, 'helpdesk.sqlite') })
    const unlocks = (await audit.list({ limit: 10_000 })).filter(
      (record) =>
        record.action === 'step-execute' &&
        record.detail.stepId === 'account_locked.unlock_ad_account',
    )
    expect((await audit.verify()).ok).toBe(true)
    await audit.close()
    expect(unlocks).toHaveLength(1)
    expect(unlocks[0]?.detail.approval).toMatchObject({ approver: 'tech.anna' })

    const after = await api('carol', 'POST', '/api/chat', {
      message: 'user carol is locked out of active directory',
    })
    const status = (
      after.body.results as Array<{ stepId: string; data?: { locked?: boolean } }>
    ).find((each) => each.stepId === 'account_locked.check_ad_status')
    expect(status?.data?.locked).toBe(false)
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
  })
})
