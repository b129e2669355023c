import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../tests/support/memory-runtime.ts'
import { SqliteUserStore } from '../identity/sqlite-user-store.ts'
import { limitedAddressGroup } from './client-address.ts'
import { createApp } from './create-app.ts'
import { FailedSignInLimiter } from './failed-sign-in-limiter.ts'

// Failed sign-ins are logged and limited per client address; expired and revoked tokens say so;
// no /api answer may be cached.

let runtime: Awaited<ReturnType<typeof buildMemoryRuntime>>
let clock = new Date('2026-05-01T00:00:00.000Z')
const users = new SqliteUserStore({ file: ':memory:', now: () => clock, tokenLifetimeDays: 30 })
const tokens: Record<string, string> = {}

beforeAll(async () => {
  runtime = await buildMemoryRuntime()
  tokens.jdoe = (await users.add('jdoe', 'requester')).token
})

function appWith(options: { trustProxy?: boolean; limiter?: FailedSignInLimiter } = {}) {
  const logged: string[] = []
  const app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: (line) => logged.push(line),
    ...(options.trustProxy ? { trustProxy: true } : {}),
    ...(options.limiter ? { signInLimiter: options.limiter } : {}),
  })
  /** A request as if from `address`: @hono/node-server's bindings carry the socket. */
  const from = (address: string, path: string, init: RequestInit = {}) =>
    app.request(path, init, { incoming: { socket: { remoteAddress: address } } })
  return { app, logged, from }
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } })
const WRONG = `hd_${'W'.repeat(43)}`

describe('failed sign-ins', () => {
  it('are logged with the address and reason (never the token), and limited per address with 429 and Retry-After', async () => {
    const { logged, from } = appWith()
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const response = await from('10.0.0.7', '/api/me', bearer(WRONG))
      expect(response.status, `attempt ${attempt + 1}`).toBe(401)
    }
    expect(logged).toHaveLength(10)
    expect(logged[0]).toMatch(/^sign-in failed from 10\.0\.0\.7 \(GET \/api\/me\): unknown token$/)
    expect(logged[9]).toMatch(/10 failures within 60 s: requests from 10\.0\.0\.7 now get 429/)
    expect(logged.join('\n')).not.toContain(WRONG.slice(3, 20))

    const limited = await from('10.0.0.7', '/api/me', bearer(WRONG))
    expect(limited.status).toBe(429)
    const retryAfter = Number(limited.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    const body = (await limited.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('TOO_MANY_ATTEMPTS')
    expect(body.error.message).toMatch(
      /too many failed sign-ins from 10\.0\.0\.7; try again in \d+ s/,
    )
    // Even a right token waits at that address: a guess that hits must not be told apart.
    expect((await from('10.0.0.7', '/api/me', bearer(tokens.jdoe ?? ''))).status).toBe(429)
    // Another address is not affected.
    const other = await from('10.0.0.8', '/api/me', bearer(tokens.jdoe ?? ''))
    expect(other.status).toBe(200)
    expect(((await other.json()) as { username: string }).username).toBe('jdoe')
    expect(logged).toHaveLength(10)
  })

  it('counts malformed headers but not requests without any credential, nor successes', async () => {
    const { logged, from } = appWith()
    for (let request = 0; request < 20; request += 1) {
      expect((await from('10.0.0.9', '/api/me')).status).toBe(401)
      expect((await from('10.0.0.9', '/api/me', bearer(tokens.jdoe ?? ''))).status).toBe(200)
    }
    expect(logged).toEqual([])
    for (let request = 0; request < 10; request += 1) {
      await from('10.0.0.9', '/api/me', { headers: { authorization: 'Basic amRvZTpodW50ZXIy' } })
    }
    expect(logged[0]).toMatch(/from 10\.0\.0\.9 .*: malformed Authorization header$/)
    expect(logged.join('\n')).not.toContain('amRvZTpodW50ZXIy')
    expect((await from('10.0.0.9', '/api/me')).status).toBe(429)
  })

  it('ignores X-Forwarded-For unless told to trust a proxy, then takes its last entry', async () => {
    const direct = appWith()
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await direct.from('10.0.0.10', '/api/me', {
        headers: { authorization: `Bearer ${WRONG}`, 'x-forwarded-for': `192.0.2.${attempt}` },
      })
    }
    // A client cannot escape the limit by making up a new forwarded address each time.
    expect((await direct.from('10.0.0.10', '/api/me', bearer(WRONG))).status).toBe(429)
    expect(direct.logged[0]).toMatch(/from 10\.0\.0\.10 /)

    const proxied = appWith({ trustProxy: true })
    const through = (forwarded: string) =>
      proxied.from('10.0.0.1', '/api/me', {
        headers: { authorization: `Bearer ${WRONG}`, 'x-forwarded-for': forwarded },
      })
    for (let attempt = 0; attempt < 10; attempt += 1)
      await through(`203.0.113.${attempt}, 198.51.100.4`)
    expect(proxied.logged[0]).toMatch(/from 198\.51\.100\.4 /)
    expect((await through('198.51.100.4')).status).toBe(429)
    // The proxy's other clients still get in.
    const other = await proxied.from('10.0.0.1', '/api/me', {
      headers: { authorization: `Bearer ${tokens.jdoe}`, 'x-forwarded-for': '198.51.100.5' },
    })
    expect(other.status).toBe(200)
  })

  it('frees an address once its oldest failure leaves the window; Retry-After says when', async () => {
    let now = 1_000_000
    const limiter = new FailedSignInLimiter({
      limit: 3,
      windowMilliseconds: 60_000,
      now: () => now,
    })
    const { from } = appWith({ limiter })
    for (const offset of [0, 10_000, 20_000]) {
      now = 1_000_000 + offset
      expect((await from('10.0.0.11', '/api/me', bearer(WRONG))).status).toBe(401)
    }
    now = 1_000_000 + 25_500
    const limited = await from('10.0.0.11', '/api/me', bearer(WRONG))
    expect(limited.status).toBe(429)
    // The first failure (at 0 s) leaves the window at 60 s: 34.5 s from now, rounded up.
    expect(limited.headers.get('retry-after')).toBe('35')
    now = 1_000_000 + 60_001
    expect((await from('10.0.0.11', '/api/me', bearer(tokens.jdoe ?? ''))).status).toBe(200)
    expect((await from('10.0.0.11', '/api/me', bearer(WRONG))).status).toBe(401)
    expect((await from('10.0.0.11', '/api/me', bearer(WRONG))).status).toBe(429)
  })

  it('counts an IPv6 client by its /64 network', async () => {
    const { from, logged } = appWith()
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await from(`2001:db8:0:12::${attempt + 1}`, '/api/me', bearer(WRONG))
    }
    expect(logged[0]).toMatch(/^sign-in failed from 2001:db8:0:12::1 /)
    expect(logged[9]).toMatch(/requests from 2001:db8:0:12::\/64 now get 429/)
    expect((await from('2001:db8:0:12:ffff::1', '/api/me', bearer(WRONG))).status).toBe(429)
    expect((await from('2001:db8:0:13::1', '/api/me', bearer(tokens.jdoe ?? ''))).status).toBe(200)
  })

  it.each([
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:0db8:0000:0012:0000:0000:0000:0001', '2001:db8:0:12::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1:2:3:4', 'fe80:0:0:0::/64'],
    ['192.0.2.1', '192.0.2.1'],
    ['unknown', 'unknown'],
  ])('groups %s as %s', (address, group) => {
    expect(limitedAddressGroup(address)).toBe(group)
  })

  it('keeps a bounded number of addresses', () => {
    const limiter = new FailedSignInLimiter({ limit: 1, maxAddresses: 2 })
    for (const address of ['a', 'b', 'c']) limiter.recordFailure(address)
    expect(limiter.retryAfterSeconds('a')).toBeUndefined()
    expect(limiter.retryAfterSeconds('c')).toBeGreaterThan(0)
  })
})

describe('expired and revoked tokens', () => {
  it('get 401 saying expired or revoked, without echoing the token', async () => {
    const { from, logged } = appWith()
    const added = await users.add('short.lived', 'requester')
    expect((await from('10.0.1.1', '/api/me', bearer(added.token))).status).toBe(200)
    clock = new Date('2026-06-01T00:00:00.000Z')
    try {
      const expired = await from('10.0.1.1', '/api/me', bearer(added.token))
      expect(expired.status).toBe(401)
      const text = await expired.text()
      expect(text).toMatch(
        /the bearer token expired at 2026-05-31T00:00:00\.000Z; ask an admin for a new one/,
      )
      expect(text).not.toContain(added.token)
      const rotated = await users.rotate('short.lived')
      const revoked = await from('10.0.1.1', '/api/me', bearer(added.token))
      expect(await revoked.text()).toMatch(
        /the bearer token was revoked at 2026-06-01T00:00:00\.000Z/,
      )
      expect((await from('10.0.1.1', '/api/me', bearer(rotated.token))).status).toBe(200)
      expect(logged.map((line) => line.replace(/^.*: /, ''))).toEqual([
        'expired token',
        'revoked token',
      ])
    } finally {
      clock = new Date('2026-05-01T00:00:00.000Z')
    }
  })
})

describe('Cache-Control', () => {
  it('is no-store on every /api answer, errors included, and not forced on the page', async () => {
    const { app, from } = appWith()
    const answers = {
      ok: await app.request('/api/me', bearer(tokens.jdoe ?? '')),
      unauthenticated: await app.request('/api/me'),
      notFound: await app.request('/api/nothing', bearer(tokens.jdoe ?? '')),
      malformedJson: await app.request('/api/chat', {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.jdoe}`, 'content-type': 'application/json' },
        body: '{not json',
      }),
      stream: await app.request('/api/chat/stream', {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.jdoe}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'my printer is not working' }),
      }),
      limited: await (async () => {
        for (let attempt = 0; attempt < 10; attempt += 1)
          await from('10.0.2.1', '/api/me', bearer(WRONG))
        return from('10.0.2.1', '/api/me', bearer(WRONG))
      })(),
    }
    expect(Object.values(answers).map((response) => response.status)).toEqual([
      200, 401, 404, 400, 200, 429,
    ])
    for (const [name, response] of Object.entries(answers)) {
      expect(response.headers.get('cache-control'), name).toBe('no-store')
    }
    expect((await app.request('/')).headers.get('cache-control')).toBe('no-cache')
  })
})
