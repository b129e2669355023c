/**
 * The audit viewer's API, for admins only (anyone else: 403):
 * `GET /api/audit?actor=&action=&target=&from=&to=&before=&limit=` one page of matching records,
 * newest first (`nextBefore` goes on), and `GET /api/audit/verify` the chain's verification with
 * its last anchor: the newest record a signed checkpoint covers.
 * @module
 */
import { Hono } from 'hono'
import type { AuditLog } from '../../audit/audit-log.ts'
import { searchAudit } from '../../audit/audit-search.ts'
import { HelpdeskError } from '../../errors/index.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'
import {
  checkRange,
  instant,
  MACHINE,
  matching,
  readQuery,
  USERNAME,
  wholeNumber,
} from '../query-parameters.ts'

const SEARCH_PARAMETERS = {
  actor: USERNAME,
  action: matching(/^[a-z][a-z0-9-]{0,60}$/, 'an action (lower-case words joined by -)'),
  target: MACHINE,
  from: instant,
  to: instant,
  before: wholeNumber(1, Number.MAX_SAFE_INTEGER),
  limit: wholeNumber(1, 200),
}

export function auditRoutes(audit: AuditLog | undefined): Hono<AuthenticatedEnvironment> {
  const app = new Hono<AuthenticatedEnvironment>()
  const log = (): AuditLog => {
    if (!audit)
      throw new HelpdeskError({
        code: 'NOT_CONFIGURED',
        message: 'the audit trail needs executors (nothing runs, nothing is audited without them)',
      })
    return audit
  }
  const adminsOnly = async (
    context: { get: (key: 'caller') => { role: string } },
    next: () => Promise<void>,
  ) => {
    if (context.get('caller').role !== 'admin')
      throw new HelpdeskError({
        code: 'FORBIDDEN',
        message: 'only an admin may read the audit trail',
      })
    await next()
  }
  app.use('/audit', adminsOnly)
  app.use('/audit/*', adminsOnly)

  app.get('/audit', async (context) => {
    const query = readQuery(context.req.url, SEARCH_PARAMETERS)
    checkRange(query.from, query.to)
    return context.json(await searchAudit(log(), query))
  })

  app.get('/audit/verify', async (context) => {
    const store = log()
    const verification = await store.verify()
    const checkpointed = verification.ok ? verification.checkpointed : 0
    const [anchor] = checkpointed > 0 ? await store.list({ after: checkpointed - 1, limit: 1 }) : []
    return context.json({
      verification,
      anchor: anchor ? { sequence: anchor.sequence, at: anchor.at, hash: anchor.hash } : null,
    })
  })
  return app
}
