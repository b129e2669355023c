import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../audit/audit-log.ts'
import { SqliteAuditLog } from '../../audit/sqlite-audit-log.ts'
import type { Role } from '../../identity/user.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'
import { errorResponse } from '../error-response.ts'
import { auditRoutes } from './audit-routes.ts'

// The audit viewer's API: admins only, search by who, what, where and when with paging, every
// bad filter a 400 naming it, and the chain's verification with its last anchor.

let audit: SqliteAuditLog
let clock = Date.parse('2026-05-01T09:00:00.000Z')

function appFor(role: Role) {
  const app = new Hono<AuthenticatedEnvironment>()
  app.use('/api/*', async (context, next) => {
    context.set('caller', { username: 'ada', role, signedIn: true })
    await next()
  })
  app.route('/api', auditRoutes(audit))
  app.onError((error, context) => errorResponse(context, error, () => undefined))
  return app
}

async function get(path: string, role: Role = 'admin') {
  const response = await appFor(role).request(path)
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const sequences = (body: Record<string, unknown>) =>
  (body.records as AuditRecord[]).map((record) => record.sequence)

beforeEach(async () => {
  clock = Date.parse('2026-05-01T09:00:00.000Z')
  // One record an hour: 1..30, actors and targets alternating.
  audit = new SqliteAuditLog({
    file: ':memory:',
    now: () => {
      clock += 3_600_000
      return new Date(clock)
    },
  })
  for (let index = 1; index <= 30; index++) {
    await audit.append({
      actor: index % 2 === 0 ? 'tom' : 'alice',
      action: index % 3 === 0 ? 'step-result' : 'step-execute',
      target: index % 5 === 0 ? 'WEB-005' : 'WEB-001',
      detail: { index },
    })
  }
})

afterEach(async () => {
  await audit.close()
})

describe('GET /api/audit', () => {
  it('is for admins only', async () => {
    expect((await get('/api/audit', 'technician')).status).toBe(403)
    expect((await get('/api/audit', 'requester')).status).toBe(403)
    expect((await get('/api/audit/verify', 'technician')).status).toBe(403)
  })

  it('pages through the trail newest first', async () => {
    const first = await get('/api/audit?limit=10')
    expect(first.status).toBe(200)
    expect(sequences(first.body)).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21])
    expect(first.body.nextBefore).toBe(21)
    const last = await get('/api/audit?limit=10&before=11')
    expect(sequences(last.body)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
    expect(last.body.nextBefore).toBeUndefined()
  })

  it('searches by who, what, machine and time together', async () => {
    const found = await get(
      '/api/audit?actor=TOM&action=step-result&target=web-005&from=2026-05-01T00:00Z',
    )
    // Even (tom), multiple of 3 (step-result), multiple of 5 (WEB-005): 30.
    expect(sequences(found.body)).toEqual([30])
    const window = await get('/api/audit?from=2026-05-01T12:00Z&to=2026-05-01T15:00Z')
    // Record n is written at 09:00 + n hours.
    expect(sequences(window.body)).toEqual([5, 4, 3])
  })

  it.each([
    ['?actor=a%20b', 'actor: expected a username'],
    ['?action=DROP%20TABLE', 'action: expected an action'],
    ['?target=x%27', 'target: expected a machine name'],
    ['?from=soon', 'from: expected a date'],
    ['?from=2026-05-02&to=2026-05-01', 'to: expected a time after from'],
    ['?before=0', 'before: expected a whole number'],
    ['?limit=201', 'limit: expected a whole number from 1 to 200'],
    ['?who=tom', 'who: expected one of the parameters actor, action'],
  ])('refuses %s naming the field', async (query, message) => {
    const { status, body } = await get(`/api/audit${query}`)
    expect(status).toBe(400)
    expect((body.error as { message: string }).message).toContain(message)
  })
})

describe('GET /api/audit/verify', () => {
  it('answers the verification and the last anchor', async () => {
    const { status, body } = await get('/api/audit/verify')
    expect(status).toBe(200)
    expect(body.verification).toMatchObject({ ok: true, count: 30 })
    // In memory there is no checkpoint file: no anchor.
    expect(body.anchor).toBeNull()
  })
  it('names the newest record a signed checkpoint covers, from a log in a file', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'audit-routes-'))
    const inMemory = audit
    audit = new SqliteAuditLog({ file: path.join(directory, 'helpdesk.sqlite') })
    try {
      await audit.append({ actor: 'tom', action: 'step-execute', detail: {} })
      const written = await audit.append({ actor: 'tom', action: 'step-result', detail: {} })
      const { body } = await get('/api/audit/verify')
      expect(body.verification).toMatchObject({ ok: true, count: 2, checkpointed: 2 })
      expect(body.anchor).toEqual({ sequence: 2, at: written.at, hash: written.hash })
    } finally {
      await audit.close()
      audit = inMemory
    }
  })
})
