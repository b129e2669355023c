import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load-config.ts'
import { SqliteUserStore } from '../../src/identity/sqlite-user-store.ts'
import { createApp } from '../../src/server/create-app.ts'
import { oidcSettingsFrom } from '../../src/server/oidc/oidc-settings.ts'
import { OidcSignIn } from '../../src/server/oidc/oidc-sign-in.ts'
import { SqliteBrowserSessionStore } from '../../src/server/oidc/sqlite-browser-session-store.ts'
import { launchChromium } from '../support/browser-page.ts'
import { type LoopbackServer, serveOnLoopback } from '../support/loopback-server.ts'
import { buildMemoryRuntime } from '../support/memory-runtime.ts'
import { type OidcTestProvider, startOidcTestProvider } from '../support/oidc-test-provider.ts'

// Browser sign-in against a real OpenID provider (the certified `oidc-provider`) on loopback, in
// Chromium: the provider's own login and consent pages, the code flow with PKCE through
// openid-client, roles from the `groups` claim, the session cookie on the API, sign-out at the
// provider, and callbacks that must be refused (forged state, expired sign-in, another browser).

const TIMEOUT = 30_000

let appServer: LoopbackServer | undefined
let provider: OidcTestProvider | undefined
let browser: Browser | undefined
let appUrl = ''
let directory = ''
let databaseFile = ''
let technicianToken = ''
let now = Date.now()
const users = new SqliteUserStore({ file: ':memory:' })
let sessionStore: SqliteBrowserSessionStore | undefined
let fetchApp: (request: Request) => Response | Promise<Response> = () =>
  new Response('starting', { status: 503 })
const logged: string[] = []

beforeAll(async () => {
  // First: without Chromium nothing else is started.
  browser = await launchChromium()
  // Then the app listens: the provider registers its callback URL.
  appServer = await serveOnLoopback((request) => fetchApp(request))
  appUrl = appServer.baseUrl
  provider = await startOidcTestProvider({
    redirectUri: `${appUrl}/auth/callback`,
    postLogoutRedirectUri: `${appUrl}/`,
    groups: { alice: ['staff', 'helpdesk-admins'], bob: ['staff'], tina: ['helpdesk-techs'] },
  })
  // Through the configuration, as `serve` reads it; the client secret by reference.
  const config = loadConfig({
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: 'env:TEST_OIDC_SECRET',
    OIDC_REDIRECT_URL: `${appUrl}/auth/callback`,
    OIDC_SCOPES: 'openid profile groups',
    OIDC_ROLE_MAP: 'helpdesk-admins=admin,helpdesk-techs=technician',
  })
  const settings = await oidcSettingsFrom(config, { TEST_OIDC_SECRET: provider.clientSecret })
  if (!settings) throw new Error('OIDC settings were not read')
  directory = mkdtempSync(path.join(tmpdir(), 'oidc-sign-in-'))
  databaseFile = path.join(directory, 'helpdesk.sqlite')
  sessionStore = new SqliteBrowserSessionStore({ file: databaseFile, now: () => now })
  const signIn = await OidcSignIn.discover(settings, {
    store: sessionStore,
    now: () => now,
    log: (line) => logged.push(line),
  })
  technicianToken = (await users.add('helper', 'technician')).token
  const runtime = await buildMemoryRuntime()
  const app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: (line) => logged.push(line),
    oidc: signIn,
  })
  fetchApp = (request) => app.fetch(request)
})

afterAll(async () => {
  await browser?.close()
  await appServer?.close()
  await provider?.close()
  await sessionStore?.close()
  await users.close()
  if (directory) rmSync(directory, { recursive: true, force: true })
})

let context: BrowserContext
let page: Page
const pageErrors: string[] = []

beforeEach(async () => {
  if (!browser) throw new Error('the browser did not start')
  now = Date.now()
  pageErrors.length = 0
  // A fresh context: no cookies, neither ours nor the provider's.
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  // The provider's page imports a web font; this machine is offline.
  await context.route(/^https:\/\/fonts\./, (route) => route.abort())
  page = await context.newPage()
  page.setDefaultTimeout(TIMEOUT)
  page.on('pageerror', (error) => pageErrors.push(error.message))
  page.on('console', (message) => {
    // Chromium logs every 4xx response; those are expected here, as is the 503 of the approvals
    // list (this server has no executors: NOT_CONFIGURED). Script and CSP errors are not.
    const expected =
      /^Failed to load resource: .* status of 4\d\d/.test(message.text()) ||
      (/^Failed to load resource: .* status of 503/.test(message.text()) &&
        message.location().url.startsWith(`${appUrl}/api/approvals`))
    if (message.type() === 'error' && !expected && message.location().url.startsWith(appUrl)) {
      pageErrors.push(message.text())
    }
  })
})

afterEach(async () => {
  await context.close()
  // No script errors and no CSP violations on our pages.
  expect(pageErrors).toEqual([])
})

/** GET or POST from inside the page: same origin, so the session cookie goes along. */
async function inPage(
  pathname: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  const script = `(async () => {
    const response = await fetch(${JSON.stringify(pathname)}, ${JSON.stringify({
      ...init,
      headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
    })})
    return { status: response.status, body: await response.text() }
  })()`
  return page.evaluate(script) as Promise<{ status: number; body: string }>
}

/** From the chat page, through the provider's login and consent pages, as `login`. */
async function signInAtProvider(login: string, beforeConsent?: () => void) {
  await page.goto(`${appUrl}/`)
  await page.locator('#company-sign-in-link').waitFor()
  // Keyboard first: the link has the focus when the sign-in section shows.
  await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('company-sign-in-link')
  await page.keyboard.press('Enter')
  await page.waitForURL(`${provider?.issuer}/**`)
  await page.locator('input[name="login"]').fill(login)
  await page.locator('input[name="password"]').fill('any password')
  await page.locator('button[type="submit"]').click()
  await page.locator('button', { hasText: 'Continue' }).waitFor()
  beforeConsent?.()
  await page.locator('button', { hasText: 'Continue' }).click()
}

async function say(text: string) {
  const replies = await page.locator('.message-assistant').count()
  await page.locator('#message').fill(text)
  await page.locator('#message').press('Enter')
  await page.locator('.message-assistant').nth(replies).waitFor()
  await expect.poll(() => page.locator('#message').isEnabled(), { timeout: TIMEOUT }).toBe(true)
  return page.locator('.message-assistant').nth(replies)
}

describe('signing in with the company account', () => {
  it('signs in at the provider, maps the admin role, chats with the cookie, and signs out there', async () => {
    await signInAtProvider('alice')
    await page.waitForURL(`${appUrl}/`)
    await page.locator('#signed-in', { hasText: 'alice' }).waitFor()
    expect(await page.locator('#signed-in').textContent()).toBe('Signed in as alice admin')
    expect(await page.locator('#sign-in').isVisible()).toBe(false)
    expect(logged).toContain('browser sign-in: alice as admin (OpenID Connect)')

    // The session cookie: opaque, HttpOnly, SameSite=Lax; nothing of it in reach of scripts.
    const cookies = await context.cookies(appUrl)
    const session = cookies.find((each) => each.name === 'helpdesk_session')
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    expect(session?.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(await page.evaluate('document.cookie')).not.toContain('helpdesk_session')
    expect(await page.evaluate("localStorage.getItem('helpdesk.token')")).toBeNull()

    // The API knows her by the cookie, as an admin: the admin-only route answers.
    const me = await inPage('/api/me')
    expect(me.status).toBe(200)
    expect(JSON.parse(me.body)).toMatchObject({ username: 'alice', role: 'admin' })
    expect((await inPage('/api/admin/agent')).status).toBe(200)

    // The chat works with the cookie (the page adds the CSRF token to its POSTs)...
    const reply = await say('I forgot my AWS password')
    await reply.locator('.plan-card').first().waitFor({ state: 'attached' })
    // ...and a POST with the cookie but without the CSRF token is refused.
    const forged = await inPage('/api/chat', {
      method: 'POST',
      body: JSON.stringify({ message: 'I forgot my password' }),
    })
    expect(forged.status).toBe(403)
    expect(forged.body).toMatch(/x-csrf-token/)

    await page.screenshot({ path: '/tmp/oidc-signed-in-1280.png', fullPage: true })
    await page.setViewportSize({ width: 390, height: 844 })
    await page.locator('#sign-out').waitFor()
    expect(await page.locator('#sign-out').isVisible()).toBe(true)
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: '/tmp/oidc-signed-in-390.png', fullPage: true })
    await page.setViewportSize({ width: 1280, height: 900 })

    // Still signed in after a reload: the session lives on the server.
    await page.reload()
    await page.locator('#signed-in', { hasText: 'alice' }).waitFor()

    // Sign-out ends the session here and at the provider (RP-initiated logout), then comes back.
    await page.locator('#sign-out').click()
    await page.waitForURL(`${provider?.issuer}/**`)
    await page.locator('button', { hasText: 'Yes, sign me out' }).click()
    await page.waitForURL(`${appUrl}/`)
    await page.locator('#company-sign-in-link').waitFor()
    expect(await page.locator('#message').isVisible()).toBe(false)
    expect((await inPage('/api/me')).status).toBe(401)
    expect(
      (await context.cookies(appUrl)).find((each) => each.name === 'helpdesk_session'),
    ).toBeUndefined()
  })

  it('makes an unmapped person a requester and a mapped technician a technician', async () => {
    await signInAtProvider('bob')
    await page.locator('#signed-in', { hasText: 'bob' }).waitFor()
    expect(await page.locator('#signed-in').textContent()).toBe('Signed in as bob requester')
    expect((await inPage('/api/admin/agent')).status).toBe(403)
    const reply = await say('I forgot my AWS password')
    await reply.locator('.plan-card').first().waitFor({ state: 'attached' })
    expect(await reply.locator('.parameters').textContent()).toMatch(/bob/)

    await context.clearCookies()
    await signInAtProvider('tina')
    await page.locator('#signed-in', { hasText: 'tina' }).waitFor()
    expect(await page.locator('#signed-in').textContent()).toBe('Signed in as tina technician')
  })

  it('keeps the session across a restart: it is in the project store', async () => {
    await signInAtProvider('alice')
    await page.locator('#signed-in', { hasText: 'alice' }).waitFor()
    const cookie = (await context.cookies(appUrl)).find((each) => each.name === 'helpdesk_session')
    // A second store over the same file, as a restarted server opens it.
    const reopened = new SqliteBrowserSessionStore({ file: databaseFile, now: () => now })
    try {
      expect(await reopened.find(cookie?.value ?? '')).toMatchObject({
        username: 'alice',
        role: 'admin',
      })
    } finally {
      await reopened.close()
    }
  })
})

describe('callbacks that must be refused', () => {
  it('refuses a forged state, and nobody is signed in', async () => {
    // The browser has started a sign-in and sits at the provider's login page when a forged
    // answer arrives (someone else's code and state, pushed at it by another site).
    await page.goto(`${appUrl}/auth/login`)
    await page.locator('input[name="login"]').waitFor()
    const response = await page.goto(`${appUrl}/auth/callback?code=stolen-code&state=forged-state`)
    expect(response?.status()).toBe(400)
    expect(await page.locator('#refused-reason').textContent()).toMatch(
      /does not carry the state this sign-in was started with/,
    )
    expect(await page.locator('a', { hasText: 'Sign in again' }).getAttribute('href')).toBe(
      '/auth/login',
    )
    await page.screenshot({ path: '/tmp/oidc-refused-1280.png' })
    expect((await inPage('/api/me')).status).toBe(401)
  })

  it("refuses the provider's real answer with its state altered", async () => {
    // Hold the provider's redirect back to us: follow its redirects without the browser, keep
    // the callback URL (a real code), and show a placeholder instead.
    let callback = ''
    const issuer = provider?.issuer ?? ''
    await context.route(`${issuer}/interaction/**`, async (route) => {
      // The consent form's POST; the login form posts to the same URL with prompt=login.
      if (!route.request().postData()?.includes('prompt=consent')) {
        return route.continue()
      }
      let response = await route.fetch({ maxRedirects: 0 })
      let location = response.headers().location ?? ''
      while (location && !location.startsWith(`${appUrl}/auth/callback`)) {
        response = await context.request.get(new URL(location, issuer).href, { maxRedirects: 0 })
        location = response.headers().location ?? ''
      }
      callback = location
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<p>held</p>' })
    })
    await signInAtProvider('alice')
    await expect.poll(() => callback).toMatch(/[?&]code=/)
    const altered = new URL(callback)
    altered.searchParams.set('state', `${altered.searchParams.get('state')}x`)
    const response = await page.goto(altered.href)
    expect(response?.status()).toBe(400)
    expect(await page.locator('#refused-reason').textContent()).toMatch(
      /does not carry the state this sign-in was started with/,
    )
    // The attempt used the sign-in up: the genuine answer after it is refused as well.
    expect((await page.goto(callback))?.status()).toBe(400)
    expect((await inPage('/api/me')).status).toBe(401)
  })

  it('refuses a sign-in whose state expired while the person was at the provider', async () => {
    await signInAtProvider('alice', () => {
      now += 11 * 60 * 1000
    })
    await page.locator('#refused-reason').waitFor()
    expect(await page.locator('#refused-reason').textContent()).toMatch(/expired; start again/)
    expect((await inPage('/api/me')).status).toBe(401)
    // Starting again works.
    await page.locator('a', { hasText: 'Sign in again' }).click()
    await page.locator('#signed-in', { hasText: 'alice' }).waitFor()
  })

  it('refuses a person whose username claim is not a helpdesk username', async () => {
    await signInAtProvider('Maria Garcia')
    await page.locator('#refused-reason').waitFor()
    expect(await page.locator('#refused-reason').textContent()).toMatch(
      /the "preferred_username" claim "Maria Garcia" is not a helpdesk username/,
    )
    expect((await inPage('/api/me')).status).toBe(401)
  })

  it('refuses an answer for a sign-in this browser never started', async () => {
    const response = await page.goto(`${appUrl}/auth/callback?code=abc&state=def`)
    expect(response?.status()).toBe(400)
    expect(await page.locator('#refused-reason').textContent()).toMatch(
      /no sign-in was started from this browser/,
    )
  })
})

describe('bearer tokens next to company sign-in', () => {
  it('still work for the API and need no CSRF token', async () => {
    const headers = { authorization: `Bearer ${technicianToken}` }
    const me = await fetch(`${appUrl}/api/me`, { headers })
    expect(await me.json()).toMatchObject({ username: 'helper', role: 'technician' })
    const chat = await fetch(`${appUrl}/api/chat`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'I forgot my AWS password' }),
    })
    expect(chat.status).toBe(200)
    // The token form is still on the page beside the company sign-in.
    await page.goto(`${appUrl}/`)
    await page.locator('#company-sign-in-link').waitFor()
    expect(await page.locator('#token').isVisible()).toBe(true)
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: '/tmp/oidc-sign-in-390.png', fullPage: true })
  })
})
