import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AnalyticsService } from '../../analytics/analytics-service.ts'
import { type SeededStore, seedAnalyticsStore } from '../../analytics/testing/seeded-analytics.ts'
import type { Role } from '../../identity/user.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'
import { errorResponse } from '../error-response.ts'
import { analyticsRoutes } from './analytics-routes.ts'
import { feedbackRoutes } from './feedback-routes.ts'

/**
 * The analytics and rating routes over the seeded store (the authorization matrix checks every
 * role against the whole application; this checks the answers): JSON and CSV, every bad query a
 * 400 naming its field, ratings by the owner only, one per reply, changeable.
 */

let seeded: SeededStore
let app: Hono<AuthenticatedEnvironment>
const AS: Record<string, { username: string; role: Role }> = {
  tom: { username: 'tom', role: 'technician' },
  ada: { username: 'ada', role: 'admin' },
  alice: { username: 'alice', role: 'requester' },
  bob: { username: 'bob', role: 'requester' },
}

beforeAll(async () => {
  seeded = await seedAnalyticsStore()
  const analytics = new AnalyticsService({
    conversations: seeded.sessions,
    audit: seeded.audit,
    feedback: seeded.feedback,
    timeSaved: { default: 10, minutes: { password_reset: 15 } },
  })
  app = new Hono<AuthenticatedEnvironment>()
  app.use('/api/*', async (context, next) => {
    const who = AS[context.req.header('x-test-caller') ?? ''] ?? AS.alice
    context.set('caller', { ...(who as { username: string; role: Role }), signedIn: true })
    await next()
  })
  app.route(
    '/api',
    analyticsRoutes(analytics, () => new Date('2026-03-03T12:00:00Z')),
  )
  app.route(
    '/api',
    feedbackRoutes(seeded.sessions, seeded.feedback, () => new Date('2026-03-03T12:00:00Z')),
  )
  app.onError((error, context) => errorResponse(context, error, () => {}))
})
afterAll(async () => {
  await seeded.close()
})

async function call(caller: string, path: string, init: RequestInit = {}) {
  const response = await app.request(path, {
    ...init,
    headers: { 'x-test-caller': caller, 'content-type': 'application/json' },
  })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown> & { error?: { message: string } },
  }
}

describe('GET /api/analytics', () => {
  it('answers technicians and admins with the report; a requester gets 403', async () => {
    const answer = await call('tom', '/api/analytics?from=2026-03-01&to=2026-03-03')
    expect(answer.status).toBe(200)
    expect(answer.json()).toMatchObject({
      range: { from: '2026-03-01', to: '2026-03-03' },
      totals: { conversations: 6, requests: 5, minutesSaved: 15 },
    })
    expect((await call('ada', '/api/analytics')).status).toBe(200)
    const refused = await call('alice', '/api/analytics')
    expect(refused.status).toBe(403)
    expect(refused.json().error?.message).toContain('technicians and admins')
  })

  it('defaults to the 30 days ending today (UTC)', async () => {
    const answer = await call('tom', '/api/analytics')
    expect(answer.json().range).toEqual({ from: '2026-02-02', to: '2026-03-03' })
  })

  it.each([
    ['from=2026-3-1', 'from: expected a date as YYYY-MM-DD'],
    ['from=2026-02-30', 'from: expected a real calendar date'],
    ['to=yesterday', 'to: expected a date as YYYY-MM-DD'],
    ['from=2026-03-05&to=2026-03-01', 'to: expected a day on or after from (2026-03-05)'],
    ['from=2024-01-01&to=2026-03-01', 'from: expected a range of at most 366 days'],
    ['format=xml', 'format: expected json or csv'],
    ['format=csv', 'section: expected one of requests-by-type'],
    ['format=csv&section=nope', 'section: expected one of requests-by-type'],
    ['section=outcomes', 'section: expected only with format=csv'],
    ['days=7', 'days: unknown parameter'],
    ['from=2026-03-01&from=2026-03-02', 'from: expected once'],
  ])('refuses %s with a 400 naming the field', async (query, message) => {
    const answer = await call('tom', `/api/analytics?${query}`)
    expect(answer.status).toBe(400)
    expect(answer.json().error?.message).toContain(message)
  })

  it('exports each table as CSV, a download named by table and range', async () => {
    const answer = await call(
      'tom',
      '/api/analytics?from=2026-03-01&to=2026-03-03&format=csv&section=requests-by-type',
    )
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(answer.headers.get('content-disposition')).toBe(
      'attachment; filename="helpdesk-requests-by-type-2026-03-01-to-2026-03-03.csv"',
    )
    expect(answer.text).toBe(
      'task type,requests\r\npassword_reset,3\r\nprinter_not_working,1\r\nvpn_not_connecting,1\r\n',
    )
    const outcomes = await call(
      'tom',
      '/api/analytics?from=2026-03-01&to=2026-03-03&format=csv&section=outcomes',
    )
    expect(outcomes.text).toBe(
      'outcome,conversations,share\r\n' +
        'resolved with no technician,3,0.5\r\n' +
        'handed off,1,0.167\r\n' +
        '"other (approval, open question, failed or dry run)",2,0.333\r\n',
    )
    const turnaround = await call(
      'tom',
      '/api/analytics?from=2026-03-02&to=2026-03-02&format=csv&section=approval-turnaround',
    )
    expect(turnaround.text).toBe('requested,decided,p50 minutes,p90 minutes\r\n2,2,5,2880\r\n')
    expect((await call('alice', '/api/analytics?format=csv&section=outcomes')).status).toBe(403)
  })
})

describe('/api/sessions/:id/feedback', () => {
  const rate = (caller: string, session: string, body: unknown) =>
    call(caller, `/api/sessions/${session}/feedback`, {
      method: 'POST',
      body: JSON.stringify(body),
    })

  it("lets the owner rate a reply once, change it and withdraw it; the rating carries the reply's task types", async () => {
    const dave = seeded.ids[3] as string
    AS.dave = { username: 'dave', role: 'requester' }
    expect((await rate('dave', dave, { reply: 1, rating: 'up' })).json()).toEqual({
      reply: 1,
      rating: 'up',
      at: '2026-03-03T12:00:00.000Z',
    })
    await rate('dave', dave, { reply: 1, rating: 'down' })
    expect((await call('dave', `/api/sessions/${dave}/feedback`)).json()).toEqual({
      ratings: [{ reply: 1, rating: 'down', at: '2026-03-03T12:00:00.000Z' }],
      available: true,
    })
    expect(await seeded.feedback.forSession(dave)).toMatchObject([{ owner: 'dave', taskTypes: [] }])
    expect((await rate('dave', dave, { reply: 1, rating: null })).json()).toEqual({
      reply: 1,
      rating: null,
    })
    expect(await seeded.feedback.forSession(dave)).toEqual([])
  })

  it("hides another's conversation (404); an admin may read its ratings but not rate (403)", async () => {
    const alices = seeded.ids[0] as string
    const hidden = await rate('bob', alices, { reply: 1, rating: 'down' })
    expect(hidden.status).toBe(404)
    expect((await call('tom', `/api/sessions/${alices}/feedback`)).status).toBe(404)
    expect((await call('ada', `/api/sessions/${alices}/feedback`)).json()).toMatchObject({
      ratings: [{ reply: 1, rating: 'up' }],
    })
    const admin = await rate('ada', alices, { reply: 1, rating: 'down' })
    expect(admin.status).toBe(403)
    expect(admin.json().error?.message).toContain("only the conversation's owner")
    expect(await seeded.feedback.forSession(alices)).toMatchObject([{ reply: 1, rating: 'up' }])
  })

  it.each([
    [{ reply: 0, rating: 'up' }, 'reply: entry 0 of this conversation is not a reply'],
    [{ reply: 9, rating: 'up' }, 'reply: entry 9 of this conversation is not a reply'],
    [{ reply: -1, rating: 'up' }, 'reply: expected the reply as a whole number'],
    [{ reply: 1.5, rating: 'up' }, 'reply: expected the reply as a whole number'],
    [{ reply: 1, rating: 'meh' }, 'rating: expected "up", "down" or null'],
    [{ reply: 1 }, 'rating: expected "up", "down" or null'],
    [{ reply: 1, rating: 'up', extra: 1 }, 'Unrecognized key'],
  ])('refuses %j with a 400 naming the field, and stores nothing', async (body, message) => {
    const alices = seeded.ids[0] as string
    const answer = await rate('alice', alices, body)
    expect(answer.status).toBe(400)
    expect(answer.json().error?.message).toContain(message)
    expect(await seeded.feedback.forSession(alices)).toMatchObject([{ reply: 1, rating: 'up' }])
  })
})
