import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { HelpdeskError } from '../../errors/index.ts'
import { samePerson } from '../../identity/user.ts'
import type { JobEngine } from '../../jobs/job-engine.ts'
import type { Job, JobHistory } from '../../jobs/job-history.ts'
import type { JobRecord, JobStatus } from '../../jobs/job-model.ts'
import { isTechnician } from '../../policy/access-policy.ts'
import type { AuthenticatedEnvironment, Caller } from '../authentication.ts'
import {
  checkRange,
  instant,
  MACHINE,
  matching,
  oneOf,
  readQuery,
  USERNAME,
  wholeNumber,
} from '../query-parameters.ts'

const HISTORY_STATUSES = [
  'running',
  'succeeded',
  'failed',
  'awaiting_approval',
  'denied',
  'refused',
  'interrupted',
] as const satisfies readonly Job['status'][]
const ENGINE_STATUSES = [
  'running',
  'cancelling',
  'succeeded',
  'failed',
  'cancelled',
] as const satisfies readonly JobStatus[]

/** The jobs list's filters: `task` is a chat job's task type or a workflow step's operation. */
const LIST_PARAMETERS = {
  status: oneOf([...new Set([...HISTORY_STATUSES, ...ENGINE_STATUSES])]),
  requester: USERNAME,
  task: matching(/^[A-Za-z0-9._-]{1,80}$/, 'a task type or operation (letters, digits, . _ -)'),
  machine: MACHINE,
  from: instant,
  to: instant,
  limit: wholeNumber(1, 500),
}

/**
 * `GET /api/jobs?status=&requester=&task=&machine=&from=&to=&limit=` (newest first: `jobs`, the
 * chat plans' runs from the audit trail, and `workflows`, the engine's background jobs) and `GET /api/jobs/:id`: what ran for whom, from the
 * audit trail, or for a background workflow job its steps x targets from the job engine.
 * `GET /api/jobs/:id/events`: the job's progress as server-sent events, numbered; a client that
 * reconnects with `Last-Event-ID` gets every event after it. `POST /api/jobs/:id/cancel` stops it.
 *
 * A requester sees and cancels their own jobs only (another's is a 404, as if it did not exist);
 * technicians and admins see and cancel everyone's.
 */
export function jobRoutes(
  jobs: JobHistory | undefined,
  engine?: JobEngine,
): Hono<AuthenticatedEnvironment> {
  const app = new Hono<AuthenticatedEnvironment>()
  const history = (): JobHistory => {
    if (!jobs) {
      throw new HelpdeskError({
        code: 'NOT_CONFIGURED',
        message:
          'jobs need executors (an inventory, Active Directory or AWS IAM): without them nothing runs, every plan is a dry run',
      })
    }
    return jobs
  }
  const scope = (role: string, username: string) =>
    role === 'technician' || role === 'admin' ? {} : { requester: username }
  /** The engine's job this caller may see, or undefined (none, or not theirs). */
  const visibleJob = async (id: string, caller: Caller): Promise<JobRecord | undefined> => {
    const record = await engine?.record(id)
    if (!record) return undefined
    if (isTechnician(caller.role)) return record
    return samePerson(record.requester, caller.username) ? record : undefined
  }
  const notFound = (id: string) =>
    new HelpdeskError({ code: 'JOB_NOT_FOUND', message: `no job "${id.slice(0, 60)}"` })

  app.get('/jobs', async (context) => {
    const caller = context.get('caller')
    if (!jobs && !engine) history()
    const query = readQuery(context.req.url, LIST_PARAMETERS)
    checkRange(query.from, query.to)
    const limit = query.limit ?? 50
    // A requester's list is their own whatever they ask; technicians and admins filter freely.
    const requester = isTechnician(caller.role) ? query.requester : caller.username
    const shared = {
      ...(requester !== undefined ? { requester } : {}),
      ...(query.machine !== undefined ? { target: query.machine } : {}),
      ...(query.from !== undefined ? { from: query.from } : {}),
      ...(query.to !== undefined ? { to: query.to } : {}),
      limit,
    }
    const status = query.status
    const historyStatus = HISTORY_STATUSES.find((each) => each === status)
    const engineStatus = ENGINE_STATUSES.find((each) => each === status)
    // The audit-trail jobs (chat plans) need executors; the engine's only the engine.
    const list =
      jobs && (status === undefined || historyStatus)
        ? await jobs.list({
            ...shared,
            ...(historyStatus ? { status: historyStatus } : {}),
            ...(query.task !== undefined ? { taskType: query.task } : {}),
            // The engine's jobs are audited too (task type `workflow`): with the engine they are
            // listed once, as workflows, where their live view is.
            ...(engine ? { exceptTaskType: 'workflow' } : {}),
          })
        : []
    const workflows =
      engine && (status === undefined || engineStatus)
        ? await engine.list({
            ...shared,
            ...(engineStatus ? { status: engineStatus } : {}),
            ...(query.task !== undefined ? { operation: query.task } : {}),
          })
        : []
    return context.json({ jobs: list, workflows })
  })

  app.get('/jobs/:id', async (context) => {
    const caller = context.get('caller')
    const id = context.req.param('id')
    if (await visibleJob(id, caller)) return context.json(await engine?.view(id))
    if (!jobs && engine) throw notFound(id)
    const job = await history().get(id, scope(caller.role, caller.username))
    if (!job) throw notFound(id)
    return context.json(job)
  })

  app.get('/jobs/:id/events', async (context) => {
    const caller = context.get('caller')
    const id = context.req.param('id')
    if (!engine || !(await visibleJob(id, caller))) throw notFound(id)
    const raw = context.req.header('last-event-id') ?? context.req.query('after') ?? '0'
    const after = /^\d{1,12}$/.test(raw) ? Number(raw) : Number.NaN
    if (!Number.isSafeInteger(after)) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: 'Last-Event-ID: expected the number of the last event received',
      })
    }
    context.header('Cache-Control', 'no-store')
    return streamSSE(context, async (stream) => {
      const stop = new AbortController()
      stream.onAbort(() => stop.abort())
      for await (const event of engine.follow(id, after, stop.signal)) {
        const { id: number, ...body } = event
        await stream.writeSSE({ id: String(number), event: body.type, data: JSON.stringify(body) })
        if (stream.aborted) break
      }
    })
  })

  app.post('/jobs/:id/cancel', async (context) => {
    const caller = context.get('caller')
    const id = context.req.param('id')
    if (!engine || !(await visibleJob(id, caller))) throw notFound(id)
    const cancelled = await engine.cancel(id, caller.username)
    return context.json({ id, cancelled, job: await engine.view(id) })
  })

  return app
}
