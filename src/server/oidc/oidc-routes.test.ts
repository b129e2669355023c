import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import { SqliteUserStore } from '../../identity/sqlite-user-store.ts'
import { createApp } from '../create-app.ts'

// Without OIDC_ISSUER the server behaves as before: the page learns sign-in is by token only,
// and no cookie signs anyone in. (With a provider: tests/browser/oidc-sign-in.int.test.ts.)

let app: ReturnType<typeof createApp>

beforeAll(async () => {
  const runtime = await buildMemoryRuntime()
  app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users: new SqliteUserStore({ file: ':memory:' }) },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
  })
})

describe('the /auth routes without a provider', () => {
  it('say company sign-in is off', async () => {
    const response = await app.request('/auth/session')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ oidc: false, signedIn: false })
    // The strict Content-Security-Policy is on these routes too.
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'/)
  })

  it('offer no login, callback or logout', async () => {
    expect((await app.request('/auth/login')).status).toBe(404)
    expect((await app.request('/auth/callback?code=a&state=b')).status).toBe(404)
    expect((await app.request('/auth/logout', { method: 'POST' })).status).toBe(404)
  })

  it('let no cookie stand in for a bearer token', async () => {
    const response = await app.request('/api/me', {
      headers: { cookie: `helpdesk_session=${'A'.repeat(43)}` },
    })
    expect(response.status).toBe(401)
  })
})
