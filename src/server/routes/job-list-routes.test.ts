import { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteAuditLog } from '../../audit/sqlite-audit-log.ts'
import type { Role } from '../../identity/user.ts'
import type { JobEngine } from '../../jobs/job-engine.ts'
import { JobHistory } from '../../jobs/job-history.ts'
import { type JobRecord, summarizeJob } from '../../jobs/job-model.ts'
import { SqliteJobStore } from '../../jobs/sqlite-job-store.ts'
import { sampleWorkflow } from '../../jobs/testing/sample-workflow.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'
import { errorResponse } from '../error-response.ts'
import { jobRoutes } from './job-routes.ts'

// GET /api/jobs with the jobs screen's filters: the engine's jobs filtered in the store (SQLite
// JSON functions), the audit-trail jobs by the history; bad values are 400s naming the field.

let store: SqliteJobStore
let audit: SqliteAuditLog

function record(id: string, overrides: Partial<JobRecord> & { targets?: string[] }): JobRecord {
  const workflow = sampleWorkflow({
    directory: '/tmp/x',
    targets: overrides.targets ?? ['WEB-001'],
  })
  return {
    id,
    workflow,
    requester: 'alice',
    actor: 'tom',
    concurrency: 5,
    status: 'running',
    createdAt: '2026-05-01T10:00:00.000Z',
    updatedAt: '2026-05-01T10:00:00.000Z',
    ...overrides,
  }
}

function appFor(role: Role, username = role === 'requester' ? 'alice' : 'tom') {
  const app = new Hono<AuthenticatedEnvironment>()
  app.use('/api/*', async (context, next) => {
    context.set('caller', { username, role, signedIn: true })
    await next()
  })
  // Only list is used by GET /api/jobs: the rest of the engine is not reached.
  const engine = { list: async (filter) => (await store.list(filter)).map(summarizeJob) } as Pick<
    JobEngine,
    'list'
  > as JobEngine
  app.route('/api', jobRoutes(new JobHistory(audit), engine))
  app.onError((error, context) => errorResponse(context, error, () => undefined))
  return app
}

async function list(query: string, role: Role = 'technician') {
  const response = await appFor(role).request(`/api/jobs${query}`)
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const ids = (body: Record<string, unknown>) =>
  (body.workflows as Array<{ id: string }>).map((each) => each.id)

beforeEach(async () => {
  store = new SqliteJobStore({ file: ':memory:' })
  audit = new SqliteAuditLog({ file: ':memory:' })
  await store.create(record('job-a', { targets: ['WEB-001', 'WEB-002'] }))
  await store.create(
    record('job-b', {
      requester: 'bob',
      createdAt: '2026-05-02T10:00:00.000Z',
      targets: ['DB-001'],
    }),
  )
  await store.create(record('job-c', { createdAt: '2026-05-03T10:00:00.000Z' }))
  await store.setStatus('job-c', 'succeeded', '2026-05-03T10:05:00.000Z')
  await audit.append({
    actor: 'alice',
    action: 'step-result',
    target: 'WEB-001',
    requestId: 'chat-1',
    detail: {
      requester: 'alice',
      taskType: 'unlock_account',
      stepId: 'unlock',
      status: 'succeeded',
    },
  })
})

afterEach(async () => {
  await store.close()
  await audit.close()
})

describe('GET /api/jobs filters', () => {
  it('lists every job newest first without filters', async () => {
    const { status, body } = await list('')
    expect(status).toBe(200)
    expect(ids(body)).toEqual(['job-c', 'job-b', 'job-a'])
    expect((body.jobs as unknown[]).length).toBe(1)
  })

  it('filters by status, requester, operation, machine and time', async () => {
    expect(ids((await list('?status=succeeded')).body)).toEqual(['job-c'])
    expect(ids((await list('?requester=BOB')).body)).toEqual(['job-b'])
    expect(ids((await list('?machine=web-002')).body)).toEqual(['job-a'])
    expect(ids((await list('?task=file.copy')).body)).toEqual(['job-c', 'job-b', 'job-a'])
    expect(ids((await list('?task=service.nothing')).body)).toEqual([])
    expect(ids((await list('?from=2026-05-02&to=2026-05-03')).body)).toEqual(['job-b'])
    expect(ids((await list('?limit=1')).body)).toEqual(['job-c'])
  })

  it('filters the audit-trail jobs by task type, machine and status', async () => {
    expect((await list('?task=unlock_account')).body.jobs).toHaveLength(1)
    expect((await list('?task=reset_password')).body.jobs).toHaveLength(0)
    expect((await list('?machine=web-001')).body.jobs).toHaveLength(1)
    expect((await list('?status=failed')).body.jobs).toHaveLength(0)
    // A status only workflows have leaves the audit-trail jobs out.
    expect((await list('?status=cancelled')).body.jobs).toHaveLength(0)
  })

  it("keeps a requester's list to their own jobs whatever they ask", async () => {
    const { status, body } = await list('?requester=bob', 'requester')
    expect(status).toBe(200)
    expect(ids(body)).toEqual(['job-c', 'job-a'])
  })

  it.each([
    ['?status=done', 'status: expected one of'],
    ['?requester=a%20b', 'requester: expected a username'],
    ['?machine=x;rm', 'machine: expected a machine name'],
    ['?task=%3Cscript%3E', 'task: expected a task type'],
    ['?from=yesterday', 'from: expected a date'],
    ['?to=2026-13-45', 'to: expected a date'],
    ['?from=2026-05-03&to=2026-05-02', 'to: expected a time after from'],
    ['?limit=0', 'limit: expected a whole number from 1 to 500'],
    ['?limit=5&limit=6', 'limit: expected one value'],
    ['?colour=red', 'colour: expected one of the parameters status, requester'],
  ])('refuses %s naming the field', async (query, message) => {
    const { status, body } = await list(query)
    expect(status).toBe(400)
    expect((body.error as { code: string; message: string }).code).toBe('INVALID_INPUT')
    expect((body.error as { message: string }).message).toContain(message)
  })
})
