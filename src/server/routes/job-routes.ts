import { Hono } from 'hono'
import { HelpdeskError } from '../../errors/index.ts'
import type { JobHistory } from '../../jobs/job-history.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'

/**
 * `GET /api/jobs?limit=N` (newest first) and `GET /api/jobs/:id`: what ran for whom, from the
 * audit trail. A requester sees their own jobs only (another's is a 404, as if it did not
 * exist); technicians and admins see everyone's.
 */
export function jobRoutes(jobs: JobHistory | undefined): Hono<AuthenticatedEnvironment> {
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

  app.get('/jobs', async (context) => {
    const caller = context.get('caller')
    const raw = context.req.query('limit')
    const limit = raw === undefined ? 50 : Number(raw)
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: 'limit: expected a whole number from 1 to 500',
      })
    }
    const list = await history().list({ ...scope(caller.role, caller.username), limit })
    return context.json({ jobs: list })
  })

  app.get('/jobs/:id', async (context) => {
    const caller = context.get('caller')
    const id = context.req.param('id')
    const job = await history().get(id, scope(caller.role, caller.username))
    if (!job) {
      throw new HelpdeskError({ code: 'JOB_NOT_FOUND', message: `no job "${id.slice(0, 60)}"` })
    }
    return context.json(job)
  })

  return app
}
