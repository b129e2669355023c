import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../bench/bench-support.ts'
import { type OidcTestProvider, startOidcTestProvider } from './support/oidc-test-provider.ts'
import { temporaryDirectory } from './support/temporary-directory.ts'

// `helpdesk serve` with the OIDC_* variables, against a real OpenID provider on loopback: the
// provider is discovered at start, the page is told company sign-in is on, /auth/login sends the
// browser there with PKCE, and the client secret (given by reference) appears in no log. A bad
// secret reference stops the start with a clear message. Chroma is not needed for any of this:
// the server points at a closed port and does not ingest.

let directory: Awaited<ReturnType<typeof temporaryDirectory>>
let provider: OidcTestProvider
let port = 0
let closedPort = 0

beforeAll(async () => {
  directory = await temporaryDirectory('helpdesk-oidc-serve')
  port = await freePort()
  closedPort = await freePort()
  provider = await startOidcTestProvider({
    redirectUri: `http://127.0.0.1:${port}/auth/callback`,
    postLogoutRedirectUri: `http://127.0.0.1:${port}/`,
    groups: {},
  })
})
afterAll(async () => {
  await provider?.close()
  await directory?.remove()
})

function environment(overrides: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HELPDESK_DATA_DIR: directory.path,
    CHROMA_URL: `http://127.0.0.1:${closedPort}`,
    AUTO_INGEST: 'false',
    LOG_LEVEL: 'info',
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: 'env:HELPDESK_TEST_OIDC_SECRET',
    HELPDESK_TEST_OIDC_SECRET: provider.clientSecret,
    OIDC_REDIRECT_URL: `http://127.0.0.1:${port}/auth/callback`,
    OIDC_ROLE_MAP: 'helpdesk-admins=admin',
    ...overrides,
  }
}

/** `helpdesk serve` until /healthz answers, or until it exits. */
async function serve(overrides: NodeJS.ProcessEnv = {}) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/helpdesk.js', 'serve', '--port', String(port)],
    { env: environment(overrides), stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let log = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) return { url, log: () => log, exitCode: child.exitCode }
    if (Date.now() > deadline) throw new Error(`serve was not up within 60 s: ${log}`)
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break
    } catch {
      // not listening yet
    }
    await sleep(50)
  }
  return {
    url,
    log: () => log,
    exitCode: null,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT')
      await exited
    },
  }
}

describe('helpdesk serve with OpenID Connect', () => {
  it('discovers the provider and sends /auth/login there with PKCE; the secret is never logged', async () => {
    const server = await serve()
    try {
      expect(server.exitCode, server.log()).toBeNull()
      expect(server.log()).toContain(
        `browser sign-in: OpenID Connect at ${provider.issuer}/ (roles from the "groups" claim)`,
      )
      const session = await fetch(`${server.url}/auth/session`)
      expect(await session.json()).toEqual({ oidc: true, signedIn: false })

      const login = await fetch(`${server.url}/auth/login`, { redirect: 'manual' })
      expect(login.status).toBe(302)
      const location = new URL(login.headers.get('location') ?? '')
      expect(location.origin).toBe(provider.issuer)
      expect(Object.fromEntries(location.searchParams)).toMatchObject({
        client_id: provider.clientId,
        redirect_uri: `${server.url}/auth/callback`,
        response_type: 'code',
        code_challenge_method: 'S256',
        scope: 'openid profile email',
      })
      expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(location.searchParams.get('state')).toBeTruthy()
      expect(location.searchParams.get('nonce')).toBeTruthy()
      const cookie = login.headers.get('set-cookie') ?? ''
      expect(cookie).toMatch(
        /^helpdesk_sign_in=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/,
      )

      // Bearer tokens still work: the first admin's, which is in its 0600 file and not the log.
      const token = (await readFile(path.join(directory.path, 'admin-token'), 'utf8')).trim()
      expect(server.log()).not.toContain(token)
      const me = await fetch(`${server.url}/api/sessions`, {
        headers: { authorization: `Bearer ${token}` },
      })
      expect(me.status).toBe(200)
    } finally {
      await server.stop?.()
    }
    expect(server.log()).not.toContain(provider.clientSecret)
  })

  it('does not start when the client secret reference cannot be read, naming it', async () => {
    const server = await serve({ OIDC_CLIENT_SECRET: 'env:HELPDESK_TEST_NO_SUCH_SECRET' })
    expect(server.exitCode).not.toBe(0)
    expect(server.exitCode).not.toBeNull()
    expect(server.log()).toMatch(
      /credential env:HELPDESK_TEST_NO_SUCH_SECRET: environment variable HELPDESK_TEST_NO_SUCH_SECRET is not set/,
    )
  })

  it('does not start when the provider cannot be discovered', async () => {
    const server = await serve({ OIDC_ISSUER: `http://127.0.0.1:${closedPort}` })
    expect(server.exitCode).not.toBeNull()
    expect(server.log()).toMatch(
      /OIDC_ISSUER http:\/\/127\.0\.0\.1:\d+\/: cannot read the provider's discovery document/,
    )
  })
})
