import { createHash } from 'node:crypto'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../tests/support/memory-runtime.ts'
import type { ApprovalService } from '../approvals/approval-service.ts'
import type { ApprovalRequest } from '../approvals/approval-store.ts'
import {
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
} from '../approvals/testing/approval-fixture.ts'
import { SqliteUserStore } from '../identity/sqlite-user-store.ts'
import { Inventory } from '../inventory/inventory.ts'
import type { Target } from '../inventory/inventory-schema.ts'
import { EmbeddedJobEngine } from '../jobs/embedded-job-engine.ts'
import type { JobRecord } from '../jobs/job-model.ts'
import { SqliteJobStore } from '../jobs/sqlite-job-store.ts'
import { WorkflowScriptRunner } from '../jobs/workflow-script-runner.ts'
import { AccessPolicy } from '../policy/access-policy.ts'
import { AccountMap } from '../policy/account-map.ts'
import type { ChatTurnResult } from '../server/chat-turns.ts'
import { createApp } from '../server/create-app.ts'
import type {
  RemoteCommand,
  RemoteCommandResult,
  RemoteSession,
  RemoteShell,
} from '../transports/remote-shell.ts'
import { FilesDirectory } from './files-directory.ts'
import { OperationCatalog } from './operation-catalog.ts'
import { OperationsDesk } from './operations-desk.ts'

/**
 * Issue 10, the whole session through the API: a technician's operation in words -> preview ->
 * (read-only) a job at once, or (changing) a pending approval request carrying the workflow ->
 * the approval by whoever the level allows -> the job, started with that approval as its record
 * -> the asker's conversation gets the job id. The machines are a recording shell (every script
 * exits 0) so that nothing of the catalog runs on this computer; the real scripts on a real sshd
 * are the job engine's and the templates' int tests.
 */

/** Records every command line and answers exit 0 at once. */
class RecordingShell implements RemoteShell {
  readonly transport = 'ssh'
  readonly ran: Array<{ target: string; commandLine: string }> = []
  async run(target: Target, command: RemoteCommand): Promise<RemoteCommandResult> {
    this.ran.push({ target: target.name, commandLine: command.commandLine })
    return {
      exitCode: 0,
      stdout: '',
      stderr: '',
      stdoutTruncated: false,
      stderrTruncated: false,
      timedOut: false,
      durationMs: 1,
    }
  }
  async openSession(target: Target): Promise<RemoteSession> {
    return { run: (command) => this.run(target, command), close: () => undefined }
  }
  async close(): Promise<void> {}
}

const PEOPLE = { tom: 'technician', tina: 'technician', ada: 'admin', alice: 'requester' } as const
type Person = keyof typeof PEOPLE
const tokens = {} as Record<Person, string>
const shell = new RecordingShell()
let app: ReturnType<typeof createApp>
let withoutApprovals: ReturnType<typeof createApp>
let engine: EmbeddedJobEngine
let closeAll: () => Promise<void>
let approvals: ApprovalService
let auditActions: () => Promise<Array<{ actor: string; action: string; detail: unknown }>>

beforeAll(async () => {
  const users = new SqliteUserStore({ file: ':memory:' })
  for (const [name, role] of Object.entries(PEOPLE) as Array<[Person, (typeof PEOPLE)[Person]]>)
    tokens[name] = (await users.add(name, role)).token
  const inventory = await Inventory.load('tests/fixtures/operations-inventory.yaml')
  const access = new AccessPolicy({ accounts: new AccountMap(), machines: inventory })
  const runtime = await buildMemoryRuntime({ access })
  const stack = openApprovalStack({
    file: ':memory:',
    instructions: await loadTestInstructions(),
    executor: new RecordingExecutor(),
  })
  approvals = stack.service
  const store = new SqliteJobStore({ file: ':memory:' })
  engine = new EmbeddedJobEngine({
    store,
    audit: stack.audit,
    runner: new WorkflowScriptRunner({ shells: { ssh: shell }, audit: stack.audit }),
    inventory,
  })
  auditActions = async () =>
    (await stack.audit.list({ limit: 1000 })).map((entry) => ({
      actor: entry.actor,
      action: entry.action,
      detail: entry.detail,
    }))
  app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
    approvals: stack.service,
    jobEngine: engine,
    operations: new OperationsDesk({
      catalog: await OperationCatalog.load(),
      inventory,
      access,
      files: filesDirectory(),
    }),
  })
  // The same, without approvals: a changing workflow cannot be held, so it is not started.
  withoutApprovals = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
    jobEngine: engine,
    operations: new OperationsDesk({ catalog: await OperationCatalog.load(), inventory, access }),
  })
  closeAll = async () => {
    await engine.close()
    await store.close()
    await stack.close()
  }
})

afterAll(async () => {
  await closeAll()
})

const MOTD = 'Welcome to the web servers\n'

/** The server's files directory for copies: one file, motd.txt. */
function filesDirectory(): FilesDirectory {
  const root = mkdtempSync(path.join(tmpdir(), 'operation-jobs-files-'))
  chmodSync(root, 0o755)
  writeFileSync(path.join(root, 'motd.txt'), MOTD)
  return new FilesDirectory({ directory: root })
}

async function call(person: Person, method: string, path: string, body?: unknown) {
  const response = await app.request(path, {
    method,
    headers: {
      authorization: `Bearer ${tokens[person]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

async function chat(person: Person, message: string): Promise<ChatTurnResult> {
  const answer = await call(person, 'POST', '/api/chat', { message })
  expect(answer.status).toBe(200)
  return answer.body as unknown as ChatTurnResult
}

async function finished(jobId: string): Promise<JobRecord> {
  const record = await engine.settled(jobId)
  if (!record) throw new Error(`no job ${jobId}`)
  return record
}

async function conversation(person: Person, sessionId: string): Promise<string> {
  const answer = await call(person, 'GET', `/api/sessions/${sessionId}`)
  expect(answer.status).toBe(200)
  return JSON.stringify(answer.body)
}

describe('operations: preview -> approval -> job', () => {
  it('starts a read-only workflow as a job at once, recorded as an automatic level-0 approval', async () => {
    const result = await chat('tom', 'check disk space on server web01')
    expect(result.operation?.plan?.workflow.steps[0]?.operation).toBe('disk.usage')
    expect(result.approvals).toBeUndefined()
    expect(result.jobId).toMatch(/^[0-9a-f-]{36}$/)
    expect(result.reply).toContain(`running now as job ${result.jobId}`)
    const record = await finished(result.jobId ?? '')
    expect(record.status).toBe('succeeded')
    expect(record.approval).toMatchObject({ level: 0, via: 'automatic (read-only workflow)' })
    expect(record.sessionId).toBe(result.sessionId)
    expect(shell.ran.some((each) => each.target === 'web01')).toBe(true)
    const job = await call('tom', 'GET', `/api/jobs/${result.jobId}`)
    expect(job.status).toBe(200)
  })

  it('holds a level-2 workflow for another technician: the asker and a requester cannot approve it', async () => {
    const before = shell.ran.length
    const result = await chat('tom', 'update nginx to the latest version on all web servers')
    expect(result.jobId).toBeUndefined()
    const pending = result.approvals?.[0]
    expect(pending?.level).toBe(2)
    expect(result.reply).toContain(`Waiting for approval ${pending?.id}`)
    expect(result.reply).toContain('you cannot approve your own request')
    // The technicians' panel lists it with the exact scripts and the targets.
    const listed = await call('tina', 'GET', '/api/approvals?status=pending')
    const request = (listed.body.approvals as ApprovalRequest[]).find(
      (each) => each.id === pending?.id,
    )
    expect(request?.taskType).toBe('operation')
    expect(request?.workflow?.targets).toEqual(['web01', 'web02', 'web03', 'web04'])
    expect(request?.steps[0]?.wouldRun).toContain('# Linux (Bash), run:')
    expect(request?.steps[0]?.target).toBe('web01, web02, web03, web04')

    const own = await call('tom', 'POST', `/api/approvals/${pending?.id}/approve`, {})
    expect(own.status).toBe(403)
    expect(JSON.stringify(own.body)).toContain('tom asked for this plan and cannot approve it')
    // A requester does not even see another person's request.
    const requester = await call('alice', 'POST', `/api/approvals/${pending?.id}/approve`, {})
    expect(requester.status).toBe(404)
    expect(shell.ran.length).toBe(before)

    const approved = await call('tina', 'POST', `/api/approvals/${pending?.id}/approve`, {})
    expect(approved.status).toBe(200)
    const jobId = approved.body.jobId as string
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/)
    expect((approved.body.approval as ApprovalRequest).status).toBe('executed')
    const record = await finished(jobId)
    expect(record.status).toBe('succeeded')
    expect(record.requester).toBe('tom')
    expect(record.actor).toBe('tina')
    expect(record.approval).toMatchObject({
      id: pending?.id,
      approver: 'tina',
      level: 2,
      scope: 'plan',
    })
    expect(shell.ran.filter((each) => each.target.startsWith('web0')).length).toBeGreaterThan(3)
    // Never run a second time as a runbook plan: the job is its only run.
    await expect(approvals.executeApproved(pending?.id ?? '')).rejects.toThrow(
      /runs as a background job/,
    )
    // The asker reads in their conversation that it runs, with the job id.
    expect(await conversation('tom', result.sessionId)).toContain(`running now as job ${jobId}`)
    // Every decision is in the audit trail: the request, the grant, the hand-over to the job.
    const actions = await auditActions()
    const about = actions.filter((entry) =>
      JSON.stringify(entry.detail).includes(pending?.id ?? '?'),
    )
    expect(about.map((entry) => `${entry.actor}:${entry.action}`)).toEqual(
      expect.arrayContaining([
        'tom:approval-request',
        'tina:approval-grant',
        'tina:approval-job-start',
        'tina:job-start',
      ]),
    )
  })

  it('holds a file copy at level 2 with the file named by size and SHA-256 for the approver', async () => {
    const before = shell.ran.length
    const result = await chat('tom', 'copy motd.txt to /etc/motd on web01')
    const sha256 = createHash('sha256').update(MOTD).digest('hex')
    expect(result.jobId).toBeUndefined()
    expect(result.reply).toContain(
      `File: motd.txt from the files directory, ${MOTD.length} bytes, SHA-256 ${sha256} -> /etc/motd`,
    )
    const pending = result.approvals?.[0]
    expect(pending?.level).toBe(2)
    const listed = await call('tina', 'GET', '/api/approvals?status=pending')
    const request = (listed.body.approvals as ApprovalRequest[]).find(
      (each) => each.id === pending?.id,
    )
    expect(request?.steps[0]?.wouldRun).toContain(
      `# File: motd.txt from the files directory, ${MOTD.length} bytes, SHA-256 ${sha256}`,
    )
    expect(request?.workflow?.steps[0]?.transfer).toEqual({
      source: 'motd.txt',
      destination: '/etc/motd',
      size: MOTD.length,
      sha256,
    })
    expect(shell.ran.length).toBe(before)
    // A file outside the files directory is refused with the reason, and nothing is held.
    const outside = await chat('tom', 'copy /etc/shadow to /tmp/shadow on web01')
    expect(outside.approvals ?? []).toEqual([])
    expect(outside.reply).toContain('is not a valid source')
  })

  it('lets the asker confirm a level-1 workflow themselves', async () => {
    const result = await chat(
      'tom',
      'Stop the dataprocessor service on all servers in the Data Processing group',
    )
    const pending = result.approvals?.[0]
    expect(pending?.level).toBe(1)
    expect(result.reply).toContain('you confirm it in the approvals panel')
    const confirmed = await call('tom', 'POST', `/api/approvals/${pending?.id}/approve`, {})
    expect(confirmed.status).toBe(200)
    const record = await finished(confirmed.body.jobId as string)
    expect(record.approval).toMatchObject({ approver: 'tom', level: 1 })
    expect(record.workflow.targets).toEqual(['dp01', 'dp02', 'dp03'])
  })

  it('needs each step of a level-3 workflow named by another technician; an admin approves it', async () => {
    const result = await chat('tom', 'reboot web01')
    const pending = result.approvals?.[0]
    expect(pending?.level).toBe(3)
    const whole = await call('ada', 'POST', `/api/approvals/${pending?.id}/approve`, {})
    expect(whole.status).toBe(400)
    const approved = await call('ada', 'POST', `/api/approvals/${pending?.id}/approve`, {
      stepIds: pending?.stepIds,
    })
    expect(approved.status).toBe(200)
    const record = await finished(approved.body.jobId as string)
    expect(record.approval).toMatchObject({
      approver: 'ada',
      level: 3,
      scope: 'step',
      stepIds: pending?.stepIds,
    })
  })

  it('keeps the preview and says why nothing started when approvals are not configured', async () => {
    const before = shell.ran.length
    const response = await withoutApprovals.request('/api/chat', {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.tom}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'update nginx to the latest version on all web servers' }),
    })
    expect(response.status).toBe(200)
    const result = (await response.json()) as ChatTurnResult
    expect(result.reply).toContain('Nothing has run yet')
    expect(result.reply).toContain(
      'Nothing was started: this workflow changes machines and needs an approval',
    )
    expect(result.jobId).toBeUndefined()
    expect(shell.ran.length).toBe(before)
  })

  it('starts nothing when the request is denied, and tells the asker', async () => {
    const jobsBefore = (await auditActions()).filter((entry) => entry.action === 'job-start').length
    const result = await chat('tom', 'update nginx to the latest version on all web servers')
    const pending = result.approvals?.[0]
    const denied = await call('tina', 'POST', `/api/approvals/${pending?.id}/deny`, {
      reason: 'not during business hours',
    })
    expect(denied.status).toBe(200)
    expect(denied.body.jobId).toBeUndefined()
    const again = await call('ada', 'POST', `/api/approvals/${pending?.id}/approve`, {})
    expect(again.status).toBe(409)
    const jobsAfter = (await auditActions()).filter((entry) => entry.action === 'job-start').length
    expect(jobsAfter).toBe(jobsBefore)
    expect(await conversation('tom', result.sessionId)).toContain(
      'tina did not approve it (\\"not during business hours\\")',
    )
  })
})
