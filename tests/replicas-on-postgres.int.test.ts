/**
 * Two real server processes on one PostgreSQL database (`DATABASE_URL`), no restart between:
 * a runbook edited through the API of one is served, changed, by the other; and a LangGraph run
 * paused on an approval by one is resumed by the approval given on the other (its paused-run
 * record and its checkpoints are in PostgreSQL), the unlock running once against the Samba DC; a
 * conversation begun on one continues on the other; the audit chain both wrote verifies on each
 * from their shared checkpoint directory. Each process has its own data directory (and its own
 * embedded Chroma), sharing only the database, the audit key and the checkpoint directory, as
 * replicas do.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_CHECKPOINT_SCHEMA } from '../src/agent/langgraph/checkpointer-from-config.ts'
import { DEFAULT_SCHEMA } from '../src/store/postgres/postgres-database.ts'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../src/store/postgres/testing/postgres-test-database.ts'
import { type HelpdeskProcess, startHelpdesk } from './support/helpdesk-process.ts'
import { startTestService } from './support/test-services.ts'

const run = promisify(execFile)
const UNLOCK = 'account_locked.unlock_ad_account'
const RUNBOOK = 'excel_freezing'

let postgres: PostgresTestServer
let shared: Record<string, string> = {}
let first: HelpdeskProcess
let second: HelpdeskProcess
const tokens: Record<string, string> = {}

/** One replica: its own data directory, the shared database and settings. */
function serve(environment: Record<string, string>): Promise<HelpdeskProcess> {
  return startHelpdesk('serve', { ...shared, ...environment }, { timeoutMs: 240_000 })
}

async function api(
  replica: HelpdeskProcess,
  who: string,
  method: string,
  route: string,
  body?: { json?: unknown; markdown?: string; ifMatch?: string },
) {
  const headers: Record<string, string> = { authorization: `Bearer ${tokens[who]}` }
  if (body?.json !== undefined) headers['content-type'] = 'application/json'
  if (body?.markdown !== undefined) headers['content-type'] = 'text/markdown'
  if (body?.ifMatch !== undefined) headers['if-match'] = body.ifMatch
  const response = await fetch(`${replica.url}/api${route}`, {
    method,
    headers,
    ...(body?.json !== undefined ? { body: JSON.stringify(body.json) } : {}),
    ...(body?.markdown !== undefined ? { body: body.markdown } : {}),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

async function addUser(name: string, role: string, environment: Record<string, string>) {
  const { stdout } = await run(
    process.execPath,
    ['bin/helpdesk.js', 'users', 'add', name, '--role', role],
    { env: { ...process.env, ...shared, ...environment, LOG_LEVEL: 'silent' } },
  )
  return stdout.trim()
}

const dropSchemas = async () => {
  await postgres.query('public', `DROP SCHEMA IF EXISTS ${DEFAULT_SCHEMA} CASCADE`)
  await postgres.query('public', `DROP SCHEMA IF EXISTS ${DEFAULT_CHECKPOINT_SCHEMA} CASCADE`)
}

beforeAll(async () => {
  postgres = await startPostgresTestServer()
  await dropSchemas()
  const directory = await startTestService('samba-dc')
  shared = {
    CHROMA_RUNTIME_DIR: path.resolve('.helpdesk/runtime'),
    DATABASE_URL: postgres.url,
    AGENT_FRAMEWORK: 'langgraph',
    AD_URL: directory.LDAP_URL ?? '',
    AD_BASE_DN: directory.LDAP_BASE_DN ?? '',
    AD_BIND_DN: directory.LDAP_BIND_DN ?? '',
    AD_BIND_CREDENTIAL: `file:${directory.LDAP_BIND_PASSWORD_FILE}`,
    AD_CA_FILE: directory.LDAP_CA_FILE ?? '',
    AD_TLS_SERVERNAME: directory.LDAP_TLS_SERVERNAME ?? '',
    HELPDESK_AUDIT_CHECKPOINT_DIR: mkdtempSync(path.join(tmpdir(), 'replica-checkpoints-')),
  }
  const firstDirectory = mkdtempSync(path.join(tmpdir(), 'replica-a-'))
  const secondDirectory = mkdtempSync(path.join(tmpdir(), 'replica-b-'))
  first = await serve({ HELPDESK_DATA_DIR: firstDirectory })
  // One audit chain, so one key: the second replica signs with the first one's.
  second = await serve({
    HELPDESK_DATA_DIR: secondDirectory,
    HELPDESK_AUDIT_KEY_FILE: path.join(firstDirectory, 'audit.key'),
  })
  tokens.admin = readFileSync(path.join(firstDirectory, 'admin-token'), 'utf8').trim()
  tokens.carol = await addUser('carol', 'requester', { HELPDESK_DATA_DIR: firstDirectory })
  tokens.tech = await addUser('tech.anna', 'technician', { HELPDESK_DATA_DIR: firstDirectory })
}, 600_000)

afterAll(async () => {
  await first?.stop()
  await second?.stop()
  if (postgres) {
    await dropSchemas()
    await postgres.dropAll()
  }
})

describe('two server processes on one PostgreSQL database', () => {
  it("the second replica bootstrapped no admin of its own: the first one is everyone's", async () => {
    const users = await postgres.query<{ username: string }>(
      DEFAULT_SCHEMA,
      'SELECT username FROM helpdesk_users ORDER BY position',
    )
    expect(users.map((row) => row.username)).toEqual(['admin', 'carol', 'tech.anna'])
    expect(second.log()).toContain(
      'stores: audit chain, approvals, the step execution ledger, users, conversations, reply ratings, tickets, runbooks, browser sessions, paused agent runs and jobs in PostgreSQL at 127.0.0.1',
    )
    expect(second.log()).toContain(`checkpoints: PostgreSQL at 127.0.0.1`)
    expect(first.log() + second.log()).not.toContain(postgres.password)
  })

  it('a runbook edited through one replica is served, changed, by the other', async () => {
    const before = await api(second, 'tech', 'GET', `/instructions/${RUNBOOK}`)
    expect(before.status).toBe(200)
    const version = Number(before.body.version)
    const markdown = String(before.body.markdown)
    expect(markdown).toContain('Excel specifically hangs')
    const edited = markdown.replace(
      'Excel specifically hangs',
      'Excel specifically hangs (edited on replica A)',
    )
    const saved = await api(first, 'tech', 'PUT', `/instructions/${RUNBOOK}`, {
      markdown: edited,
      ifMatch: String(version),
    })
    expect(saved.status, JSON.stringify(saved.body)).toBe(200)

    // The second replica picks the change up by itself (it polls the store's revision).
    const deadline = Date.now() + 40_000
    let served: Record<string, unknown> = {}
    while (Date.now() < deadline) {
      served = (await api(second, 'tech', 'GET', `/instructions/${RUNBOOK}`)).body
      if (Number(served.version) === version + 1) break
      await sleep(500)
    }
    expect(served.version).toBe(version + 1)
    expect(String(served.summary)).toContain('edited on replica A')
    expect(served.changedBy).toBe('tech.anna')
    // A stale edit through the second replica is refused: both see the same latest version.
    const stale = await api(second, 'tech', 'PUT', `/instructions/${RUNBOOK}`, {
      markdown: edited.replace('replica A', 'replica B'),
      ifMatch: String(version),
    })
    expect(stale.status).toBe(409)
  })

  it('a run paused on an approval by one replica is resumed by the approval given on the other', async () => {
    await run(process.execPath, ['scripts/lab.ts', 'lock', 'carol'])
    const turn = await api(first, 'carol', 'POST', '/chat', {
      json: { message: 'user carol is locked out of active directory' },
    })
    expect(turn.status).toBe(200)
    const approvals = turn.body.approvals as Array<{ id: string }>
    expect(approvals).toHaveLength(1)
    const id = approvals[0]?.id ?? ''
    const [paused] = await postgres.query<{ framework: string; thread_id: string }>(
      DEFAULT_SCHEMA,
      'SELECT framework, thread_id FROM paused_run_approvals WHERE approval_id = $1',
      [id],
    )
    expect(paused?.framework).toBe('langgraph')
    const checkpoints = async () =>
      Number(
        (
          await postgres.query<{ count: string }>(
            DEFAULT_CHECKPOINT_SCHEMA,
            'SELECT COUNT(*) AS count FROM checkpoints WHERE thread_id = $1',
            [paused?.thread_id],
          )
        )[0]?.count,
      )
    expect(await checkpoints()).toBeGreaterThan(0)

    const approved = await api(second, 'tech', 'POST', `/approvals/${id}/approve`, { json: {} })
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    // Resumed by the paused LangGraph run, not run afresh by the API.
    expect(approved.body.resumedBy).toBe('langgraph')
    const results = approved.body.results as Array<{ stepId: string; status: string }>
    expect(results.find((each) => each.stepId === UNLOCK)?.status).toBe('succeeded')
    // Nothing is left paused: the record and the finished thread's checkpoints are gone.
    expect(
      await postgres.query(
        DEFAULT_SCHEMA,
        'SELECT 1 FROM paused_run_approvals WHERE approval_id = $1',
        [id],
      ),
    ).toEqual([])
    expect(await checkpoints()).toBe(0)
    // Approving again on the first replica: the request is decided (409), nothing runs twice.
    const again = await api(first, 'tech', 'POST', `/approvals/${id}/approve`, { json: {} })
    expect(again.status).toBe(409)
    const ledger = await postgres.query<{ step_id: string }>(
      DEFAULT_SCHEMA,
      'SELECT step_id FROM approval_step_executions WHERE approval_id = $1 AND step_id = $2',
      [id, UNLOCK],
    )
    expect(ledger).toHaveLength(1)
  })

  it('a conversation begun on one replica continues on the other: it answers the open question', async () => {
    const asked = await api(first, 'carol', 'POST', '/chat', {
      json: { message: 'I need a password reset' },
    })
    expect(asked.status).toBe(200)
    expect(asked.body.plan).toEqual([])
    expect(asked.body.reply).toMatch(/AWS/)
    const answered = await api(second, 'carol', 'POST', '/chat', {
      json: { message: 'the AWS one', sessionId: asked.body.sessionId },
    })
    expect(answered.status).toBe(200)
    expect(answered.body.sessionId).toBe(asked.body.sessionId)
    const [plan] = answered.body.plan as Array<{ parameters: Record<string, string> }>
    expect(plan?.parameters).toMatchObject({ username: 'carol', system: 'aws_iam' })
  })

  it('the audit chain both replicas wrote verifies on each, from their shared checkpoint directory', async () => {
    const directory = shared.HELPDESK_AUDIT_CHECKPOINT_DIR ?? ''
    expect(readdirSync(directory).filter((name) => name.endsWith('.jsonl')).length).toBeGreaterThan(
      0,
    )
    for (const replica of [first, second]) {
      const { status, body } = await api(replica, 'admin', 'GET', '/audit/verify')
      expect(status).toBe(200)
      const verification = body.verification as { ok: boolean; count: number; checkpointed: number }
      expect(verification).toMatchObject({ ok: true })
      expect(verification.count).toBeGreaterThan(0)
      expect(verification.checkpointed).toBe(verification.count)
    }
  })
})
