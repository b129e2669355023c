/**
 * The real server with `DATABASE_URL` set: a chat turn asks for an unlock, a technician approves
 * it, it runs against the Samba AD DC, and the audit chain that recorded it lives in PostgreSQL
 * (not in the SQLite file) and verifies there. The password in the URL never reaches the log.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAuditKey } from '../src/audit/audit-key.ts'
import { PostgresAuditLog } from '../src/audit/postgres-audit-log.ts'
import { DEFAULT_SCHEMA, openPostgresDatabase } from '../src/store/postgres/postgres-database.ts'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../src/store/postgres/testing/postgres-test-database.ts'
import { type HelpdeskProcess, startHelpdesk } from './support/helpdesk-process.ts'
import { startTestService } from './support/test-services.ts'

const run = promisify(execFile)
const UNLOCK = 'account_locked.unlock_ad_account'
let environment: Record<string, string> = {}
let dataDirectory = ''
let postgres: PostgresTestServer
let server: HelpdeskProcess
const tokens: Record<string, string> = {}

function serve(): Promise<HelpdeskProcess> {
  return startHelpdesk('serve', environment, { timeoutMs: 180_000 })
}

async function api(who: string, method: string, route: string, body?: unknown) {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
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

const dropSchema = async () => {
  await postgres.query('public', `DROP SCHEMA IF EXISTS ${DEFAULT_SCHEMA} CASCADE`)
  // With DATABASE_URL alone, the LangGraph checkpoints are in the same database too.
  await postgres.query('public', 'DROP SCHEMA IF EXISTS helpdesk_langgraph CASCADE')
}

beforeAll(async () => {
  postgres = await startPostgresTestServer()
  await dropSchema()
  const directory = await startTestService('samba-dc')
  dataDirectory = mkdtempSync(path.join(tmpdir(), 'server-postgres-'))
  environment = {
    HELPDESK_DATA_DIR: dataDirectory,
    CHROMA_RUNTIME_DIR: path.resolve('.helpdesk/runtime'),
    DATABASE_URL: postgres.url,
    AD_URL: directory.LDAP_URL ?? '',
    AD_BASE_DN: directory.LDAP_BASE_DN ?? '',
    AD_BIND_DN: directory.LDAP_BIND_DN ?? '',
    AD_BIND_CREDENTIAL: `file:${directory.LDAP_BIND_PASSWORD_FILE}`,
    AD_CA_FILE: directory.LDAP_CA_FILE ?? '',
    AD_TLS_SERVERNAME: directory.LDAP_TLS_SERVERNAME ?? '',
  }
  server = await serve()
  tokens.admin = readFileSync(path.join(dataDirectory, 'admin-token'), 'utf8').trim()
  tokens.carol = await addUser('carol', 'requester')
  tokens.tech = await addUser('tech.anna', 'technician')
}, 300_000)

afterAll(async () => {
  await server?.stop()
  if (postgres) {
    await dropSchema()
    await postgres.dropAll()
  }
})

describe('the server on PostgreSQL (DATABASE_URL)', () => {
  it('a chat turn, an approval and its run are kept in PostgreSQL, and the audit chain verifies there', async () => {
    await run(process.execPath, ['scripts/lab.ts', 'lock', 'carol'])
    const turn = await api('carol', 'POST', '/api/chat', {
      message: 'user carol is locked out of active directory',
    })
    expect(turn.status).toBe(200)
    const approvals = turn.body.approvals as Array<{ id: string; stepIds: string[] }>
    expect(approvals).toHaveLength(1)
    const id = approvals[0]?.id ?? ''

    const approved = await api('tech', 'POST', `/api/approvals/${id}/approve`, {})
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    const results = approved.body.results as Array<{ stepId: string; status: string }>
    expect(results.find((each) => each.stepId === UNLOCK)?.status).toBe('succeeded')
    const again = await api('tech', 'POST', `/api/approvals/${id}/approve`, {})
    expect(again.status).toBe(409)

    // The request, its ledger entries and the audit records are in PostgreSQL...
    const [request] = await postgres.query<{ status: string; version: number }>(
      DEFAULT_SCHEMA,
      'SELECT status, version FROM approval_requests WHERE id = $1',
      [id],
    )
    expect(request?.status).toBe('executed')
    const ledger = await postgres.query<{ step_id: string }>(
      DEFAULT_SCHEMA,
      'SELECT step_id FROM approval_step_executions WHERE approval_id = $1',
      [id],
    )
    expect(ledger.map((row) => row.step_id)).toContain(UNLOCK)
    // ...and not in the SQLite file.
    const file = new DatabaseSync(path.join(dataDirectory, 'helpdesk.sqlite'))
    const sqliteTables = (
      file.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{
        name: string
      }>
    ).map((row) => row.name)
    file.close()
    expect(sqliteTables).not.toContain('approval_requests')
    expect(sqliteTables).not.toContain('audit_records')
    expect(sqliteTables).not.toContain('helpdesk_users')
    expect(sqliteTables).not.toContain('chat_sessions')
    expect(sqliteTables).not.toContain('runbook_versions')
    expect(sqliteTables).not.toContain('langgraph_approval_threads')
    const [conversation] = await postgres.query<{ owner: string; state: string }>(
      DEFAULT_SCHEMA,
      'SELECT owner, state FROM chat_sessions WHERE id = $1',
      [String(turn.body.sessionId)],
    )
    expect(conversation?.owner).toBe('carol')
    expect(conversation?.state).toContain('locked out of active directory')
    // The users `helpdesk users add` made (and the first admin) are in PostgreSQL too.
    const users = await postgres.query<{ username: string }>(
      DEFAULT_SCHEMA,
      'SELECT username FROM helpdesk_users ORDER BY position',
    )
    expect(users.map((row) => row.username)).toEqual(['admin', 'carol', 'tech.anna'])

    await server.stop()
    // Verified with the key and the checkpoints the server kept outside the database.
    const database = await openPostgresDatabase({ url: postgres.url })
    const audit = await PostgresAuditLog.open({
      database,
      key: parseAuditKey(readFileSync(path.join(dataDirectory, 'audit.key'), 'utf8'), 'audit.key'),
      checkpointFile: path.join(dataDirectory, 'audit-checkpoints.jsonl'),
      ownsDatabase: true,
    })
    const records = await audit.list({ limit: 10_000 })
    expect(
      records.filter(
        (record) => record.action === 'step-execute' && record.detail.stepId === UNLOCK,
      ),
    ).toHaveLength(1)
    expect(records.some((record) => record.action === 'approval-grant')).toBe(true)
    const verification = await audit.verify()
    expect(verification).toMatchObject({ ok: true, count: records.length })
    expect(verification.ok && verification.checkpointed).toBe(records.length)
    await audit.close()

    // `helpdesk audit verify` finds the chain in PostgreSQL through DATABASE_URL.
    const verified = await run(process.execPath, ['bin/helpdesk.js', 'audit', 'verify'], {
      env: { ...process.env, ...environment, LOG_LEVEL: 'silent' },
    })
    expect(verified.stdout).toContain(`audit log ok: ${records.length} records`)
    expect(verified.stdout + verified.stderr).not.toContain(postgres.password)

    expect(server.log()).toContain(
      'stores: audit chain, approvals, the step execution ledger, users, conversations, reply ratings, tickets, runbooks, browser sessions, paused agent runs and jobs in PostgreSQL at 127.0.0.1',
    )
    expect(server.log()).not.toContain(postgres.password)
    expect(server.log()).not.toContain(encodeURIComponent(postgres.password))
  })
})
