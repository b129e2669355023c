/**
 * `GET /api/analytics` for technicians and admins: the report of a range of days as JSON, or
 * one of its tables as CSV (`format=csv&section=...`, downloaded as a file). Anyone else gets
 * 403; a bad query, 400 naming the field.
 * @module
 */
import { Hono } from 'hono'
import { tableCsv } from '../../analytics/analytics-csv.ts'
import { parseAnalyticsQuery } from '../../analytics/analytics-range.ts'
import type { AnalyticsService } from '../../analytics/analytics-service.ts'
import { HelpdeskError } from '../../errors/index.ts'
import { isTechnician } from '../../policy/access-policy.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'

export function analyticsRoutes(
  analytics: AnalyticsService | undefined,
  now: () => Date = () => new Date(),
): Hono<AuthenticatedEnvironment> {
  const app = new Hono<AuthenticatedEnvironment>()
  app.get('/analytics', async (context) => {
    const caller = context.get('caller')
    if (!caller.signedIn || !isTechnician(caller.role)) {
      throw new HelpdeskError({
        code: 'FORBIDDEN',
        message: 'analytics are for technicians and admins',
      })
    }
    const query = parseAnalyticsQuery(context.req.queries(), now())
    if (!analytics) {
      throw new HelpdeskError({
        code: 'NOT_CONFIGURED',
        message: 'analytics need the project store: the server keeps conversations there',
      })
    }
    const report = await analytics.report(query.range)
    if (query.format === 'json') return context.json(report)
    const file = `helpdesk-${query.section}-${query.range.from}-to-${query.range.to}.csv`
    return context.body(tableCsv(report.tables[query.section]), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${file}"`,
    })
  })
  return app
}
