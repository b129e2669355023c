import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../src/server/create-app.ts'
import { FailedSignInLimiter } from '../src/server/failed-sign-in-limiter.ts'
import {
  CALLERS,
  type Call,
  type CallerName,
  matrixRows,
  type Row,
  SOMEONE_ELSE,
  type Whose,
} from './support/authorization-rows.ts'
import {
  type AuthorizationWorld,
  BAD_TOKEN,
  buildAuthorizationWorld,
  PEOPLE,
} from './support/authorization-world.ts'

/**
 * Issue 8: every `/api` endpoint × every kind of caller × {own, someone else's}, against the
 * whole application (real approval service, SQLite stores, the executor recording what ran).
 * The security model it checks: a requester acts only for themselves; technicians see everyone's
 * approvals and jobs and approve level 2 requests of others, never ones they caused or that are
 * for them; admins also see every conversation and switch frameworks; no token or a bad one is a
 * 401; another person's object a caller may not see is a 404 (a guessed id reveals nothing, not
 * even that it exists); every /api answer carries `Cache-Control: no-store`; a refused decision
 * changes nothing.
 */

let world: AuthorizationWorld
const ROWS = matrixRows(() => world)

interface Cell {
  row: Row
  caller: CallerName
  whose: Whose
}

const CELLS: readonly Cell[] = ROWS.flatMap((row) =>
  (Object.keys(CALLERS) as CallerName[]).flatMap((caller) =>
    row.whose.map((whose) => ({ row, caller, whose })),
  ),
)
/** The cells above plus the one for repeated bad tokens (429). */
const AUTHORIZATION_CELLS = CELLS.length + 1

function expectedStatus(cell: Cell): number {
  const person = CALLERS[cell.caller]
  if (person === undefined) return 401
  const column = cell.whose === "someone else's" ? 1 : 0
  const status = cell.row.expected[PEOPLE[person]][column]
  if (status === undefined) throw new Error(`${cell.row.route}: no expectation for ${cell.whose}`)
  return status
}

function authorization(caller: CallerName): Record<string, string> {
  if (caller === 'no token') return {}
  const person = CALLERS[caller]
  return { authorization: `Bearer ${person === undefined ? BAD_TOKEN : world.tokens[person]}` }
}

async function send(
  app: ReturnType<typeof createApp>,
  call: Pick<Call, 'method' | 'path' | 'body' | 'raw'>,
  headers: Record<string, string>,
): Promise<Response> {
  if (call.raw) {
    return app.request(call.path, {
      method: call.method,
      headers: {
        ...headers,
        ...(call.raw.contentType ? { 'content-type': call.raw.contentType } : {}),
      },
      body: call.raw.body,
    })
  }
  return app.request(call.path, {
    method: call.method,
    headers: {
      ...headers,
      ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
  })
}

/** The same call with an id nobody has: the same status, code and message (but for the id). */
async function expectSameAsUnknown(
  call: Call,
  headers: Record<string, string>,
  answer: unknown,
): Promise<void> {
  const id = call.objectId ?? ''
  const unknown = randomUUID()
  const twin = {
    ...call,
    path: call.path.replace(id, unknown),
    body:
      call.body === undefined
        ? undefined
        : JSON.parse(JSON.stringify(call.body).replace(id, unknown)),
  }
  const response = await send(world.app, twin, headers)
  expect(response.status).toBe(404)
  const unknownAnswer = JSON.stringify(await response.json()).replaceAll(unknown, 'ID')
  expect(JSON.stringify(answer).replaceAll(id, 'ID')).toBe(unknownAnswer)
}

beforeAll(async () => {
  world = await buildAuthorizationWorld()
})

afterAll(async () => {
  console.log(`authorization matrix: ${AUTHORIZATION_CELLS} cells over ${ROWS.length} rows`)
  await world.close()
})

describe(`authorization matrix (${AUTHORIZATION_CELLS} cells)`, () => {
  it('lists every /api route the application registers, and no other', () => {
    const registered = new Set(
      world.app.routes
        .filter((route) => route.path.startsWith('/api/') && route.method !== 'ALL')
        .map((route) => `${route.method} ${route.path}`),
    )
    expect(
      [...new Set(ROWS.map((row) => row.route))].sort(),
      'a new /api route needs its row in tests/support/authorization-rows.ts',
    ).toEqual([...registered].sort())
  })

  it.each(
    CELLS.map((cell) => [
      `${cell.row.route}${cell.row.variant ? ` (${cell.row.variant})` : ''} | ${cell.caller} | ${cell.whose}`,
      cell,
    ]),
  )(
    '%s',
    async (_name, cell: Cell) => {
      const caller = CALLERS[cell.caller]
      const owner =
        cell.whose === "someone else's" ? SOMEONE_ELSE[caller ?? 'alice'] : (caller ?? 'alice')
      const call = await cell.row.call(owner, caller, cell.whose)
      const response = await send(world.app, call, authorization(cell.caller))
      const text = await response.text()
      const expected = expectedStatus(cell)
      expect(response.status, text.slice(0, 300)).toBe(expected)
      expect(response.headers.get('cache-control')).toBe('no-store')
      const body: unknown = response.headers.get('content-type')?.includes('json')
        ? JSON.parse(text)
        : text
      await call.check?.({ status: response.status, body })
      if (expected === 404 && call.objectId !== undefined) {
        await expectSameAsUnknown(call, authorization(cell.caller), body)
      }
      // A runbook change retrains the router (seconds on a busy machine).
    },
    30_000,
  )

  it('a path spelled another way (percent-encoded, dot segments) meets the same checks', async () => {
    for (const path of ['/%61pi/admin/%61gent', '/api/admin/./agent', '/x/../api/admin/agent']) {
      const call = { method: 'GET', path } as const
      expect((await send(world.app, call, authorization('no token'))).status, path).toBe(401)
      expect((await send(world.app, call, authorization('technician'))).status, path).toBe(403)
      expect((await send(world.app, call, authorization('admin'))).status, path).toBe(200)
    }
  })

  it('repeated bad tokens from one address: 429, then even for a right token', async () => {
    const app = createApp({
      ...world.dependencies,
      signInLimiter: new FailedSignInLimiter({ limit: 3 }),
    })
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const refused = await send(
        app,
        { method: 'GET', path: '/api/me' },
        authorization('bad token'),
      )
      expect(refused.status).toBe(401)
    }
    const limited = await send(app, { method: 'GET', path: '/api/me' }, authorization('requester'))
    expect(limited.status).toBe(429)
    expect(limited.headers.get('cache-control')).toBe('no-store')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
  })
})
