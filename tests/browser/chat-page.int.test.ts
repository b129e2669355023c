import { existsSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { type ServerType, serve } from '@hono/node-server'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SqliteUserStore } from '../../src/identity/sqlite-user-store.ts'
import { createApp } from '../../src/server/create-app.ts'
import { buildMemoryRuntime } from '../support/memory-runtime.ts'

// The chat page in a real browser against the real HTTP server (in-memory reference store,
// dry-run executor). Needs Debian's Chromium: `bash scripts/install-test-deps.sh`.

const CHROMIUM = '/usr/bin/chromium'
const TIMEOUT = 30_000

let server: ServerType | undefined
let browser: Browser | undefined
let baseUrl = ''
let page: Page
const users = new SqliteUserStore({ file: ':memory:' })
const tokens: Record<string, string> = {}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; run \`bash scripts/install-test-deps.sh\` first`,
    )
  }
  const runtime = await buildMemoryRuntime()
  tokens.jdoe = (await users.add('jdoe', 'requester')).token
  tokens['maria.garcia'] = (await users.add('maria.garcia', 'requester')).token
  tokens.helper = (await users.add('helper', 'technician')).token
  const app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
  })
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve(info.port),
    )
  })
  baseUrl = `http://127.0.0.1:${port}`
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
})

afterAll(async () => {
  await browser?.close()
  await users.close()
  await new Promise<void>((resolve) => {
    if (!server) resolve()
    else server.close(() => resolve())
  })
})

const pageErrors: string[] = []

beforeEach(async () => {
  if (!browser) throw new Error('the browser did not start')
  pageErrors.length = 0
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
  page.setDefaultTimeout(TIMEOUT)
  page.on('pageerror', (error) => pageErrors.push(error.message))
  page.on('console', (message) => {
    // Chromium logs every 4xx response; those are expected here, script and CSP errors are not.
    const expected = /^Failed to load resource: .* status of 4\d\d/.test(message.text())
    if (message.type() === 'error' && !expected) pageErrors.push(message.text())
  })
  await page.goto(`${baseUrl}/`)
  // A fresh browser context remembers no token: the page asks for one.
  await page.locator('#token').waitFor()
})

afterEach(async () => {
  await page.close()
  // No script errors and no CSP violations (they are reported on the console).
  expect(pageErrors).toEqual([])
})

// Browser-side code is passed as strings: the project's TypeScript has no DOM library.
const focusedId = () => page.evaluate('document.activeElement?.id')
const storedToken = () => page.evaluate("localStorage.getItem('helpdesk.token')")

/** Signs in through the form, from the keyboard, as one of the users added above. */
async function signIn(username: string) {
  await page.locator('#token').fill(tokens[username] ?? '')
  await page.locator('#token').press('Enter')
  await page.locator('#signed-in', { hasText: username }).waitFor()
  await page.locator('#message').waitFor()
}

async function say(text: string) {
  const replies = await page.locator('.message-assistant').count()
  await page.locator('#message').fill(text)
  await page.locator('#message').press('Enter')
  await page.locator('.message-assistant').nth(replies).waitFor()
  await expect.poll(() => page.locator('#message').isEnabled(), { timeout: TIMEOUT }).toBe(true)
  return page.locator('.message-assistant').nth(replies)
}

describe('signing in', () => {
  it('asks for the token once, then chats, remembers it across a reload, and signs out', async () => {
    expect(await page.locator('#sign-in').isVisible()).toBe(true)
    expect(await page.locator('#message').isVisible()).toBe(false)
    expect(await page.locator('#welcome').isVisible()).toBe(false)
    expect(await focusedId()).toBe('token')

    await page.keyboard.press('Enter')
    expect(await page.locator('#token-error').textContent()).toMatch(/Paste your access token/)
    await page.keyboard.type(`hd_${'A'.repeat(43)}`)
    await page.keyboard.press('Enter')
    await page.locator('#token-error', { hasText: 'not accepted' }).waitFor()
    expect(await page.locator('#token').getAttribute('aria-invalid')).toBe('true')
    expect(await storedToken()).toBeNull()

    await page.locator('#token').fill(tokens.jdoe ?? '')
    await page.keyboard.press('Enter')
    await page.locator('#signed-in', { hasText: 'jdoe' }).waitFor()
    expect(await page.locator('#signed-in').textContent()).toBe('Signed in as jdoe requester')
    expect(await page.locator('#sign-in').isVisible()).toBe(false)
    // A requester asks for themselves: no field to name someone else.
    expect(await page.locator('#requester').isVisible()).toBe(false)
    await expect.poll(() => focusedId()).toBe('message')
    expect(await storedToken()).toBe(tokens.jdoe)

    const reply = await say('I forgot my AWS password')
    await reply.locator('.plan-card').first().waitFor()
    expect(await reply.locator('.parameters').textContent()).toMatch(/jdoe/)

    // Asked once: after a reload the page goes straight to the chat, and its calls still work.
    await page.reload()
    await page.locator('#signed-in', { hasText: 'jdoe' }).waitFor()
    expect(await page.locator('#sign-in').isVisible()).toBe(false)
    const again = await say('VPN error 809')
    await again.locator('.plan-card, .prompt').first().waitFor()

    await page.locator('#sign-out').click()
    await page.locator('#sign-in').waitFor()
    expect(await page.locator('#sign-in-reason').textContent()).toMatch(/signed out/)
    expect(await page.locator('.message').count()).toBe(0)
    expect(await storedToken()).toBeNull()
    await page.reload()
    await page.locator('#token').waitFor()
    expect(await page.locator('#message').isVisible()).toBe(false)
  })

  it('asks again when the server stops accepting the token, keeping the message', async () => {
    await signIn('jdoe')
    await page.route('**/api/chat/stream', (route) =>
      route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'no' } }),
      }),
    )
    await page.locator('#message').fill('my printer is not working')
    await page.locator('#message').press('Enter')
    await page.locator('#sign-in-reason', { hasText: 'no longer accepted' }).waitFor()
    expect(await storedToken()).toBeNull()
    expect(await page.locator('.message-user').count()).toBe(0)
    await page.unroute('**/api/chat/stream')
    await signIn('jdoe')
    expect(await page.locator('#message').inputValue()).toBe('my printer is not working')
    await page.locator('#message').press('Enter')
    await page.locator('.message-assistant .prompt').first().waitFor()
  })
})

describe('the chat page', () => {
  beforeEach(async () => {
    await signIn('jdoe')
  })

  it('shows suggestion chips on an empty conversation', async () => {
    expect(await page.locator('.chip').count()).toBe(4)
    expect(await page.locator('#welcome').isVisible()).toBe(true)
    expect(await page.locator('#counter').textContent()).toBe('0 / 4000')
  })

  it('turns a password request into a plan card with the exact operation', async () => {
    const reply = await say('I forgot my Windows password, my username is jdoe')
    const card = reply.locator('.plan-card')
    await card.first().waitFor()
    expect(await card.count()).toBe(1)
    expect(await reply.locator('.reply').textContent()).toMatch(/dry run/i)
    // **bold** is rendered as <strong>, not as asterisks.
    expect(await reply.locator('.reply strong').first().textContent()).toMatch(/password/i)
    const codes = await card.locator('.step pre code').allTextContents()
    expect(codes.some((code) => code.includes('reset_password'))).toBe(true)
    expect(codes.some((code) => code.includes('username="jdoe"'))).toBe(true)
    const steps = await card.locator('.step').allTextContents()
    expect(steps.join('\n')).toMatch(/a technician approves the plan/)
    expect(steps.join('\n')).toMatch(/dry run: nothing changed/)
    expect(await card.locator('.parameters').textContent()).toMatch(/jdoe/)
    expect(await card.locator('details summary').first().textContent()).toBe('Verification')
    expect(await page.locator('#welcome').isVisible()).toBe(false)

    await page.screenshot({ path: '/tmp/chat-page.png', fullPage: false })
    // At phone width nothing sticks out sideways: long code scrolls inside its own block.
    await page.setViewportSize({ width: 360, height: 780 })
    await card.locator('.step').nth(1).scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/chat-page-360.png', fullPage: false })
    const widest = await page.evaluate(`Math.max(
      ...[...document.querySelectorAll('header, .message, .plan-card, .code, #composer')]
        .map((node) => node.getBoundingClientRect().right))`)
    expect(widest).toBeLessThanOrEqual(360)
  })

  it('asks for a missing printer and plans once it is given', async () => {
    const question = await say('my printer is not working')
    expect(await question.locator('.plan-card').count()).toBe(0)
    const prompt = question.locator('.prompt')
    await prompt.waitFor()
    expect(await prompt.textContent()).toMatch(/printer/i)
    expect(await focusedId()).toBe('message')

    // The printer is taken; the computer it prints from is asked next.
    const next = await say('PRN-3F-EAST')
    const computer = next.locator('.prompt')
    await computer.waitFor()
    expect(await computer.textContent()).toMatch(/computer/i)
    const answer = await say('LT-0423')
    await answer.locator('.plan-card').first().waitFor()
    const codes = await answer.locator('.plan-card pre code').allTextContents()
    expect(codes.some((code) => code.includes("'PRN-3F-EAST'"))).toBe(true)
    expect(await answer.locator('.plan-card').first().textContent()).toMatch(/LT-0423/)
  })

  it('hands an out-of-scope request off without a plan', async () => {
    const reply = await say('can you order toner for the 3rd floor')
    expect(await reply.getAttribute('class')).toMatch(/message-handoff/)
    expect(await reply.locator('.plan-card').count()).toBe(0)
    expect(await reply.textContent()).toMatch(/haven't done anything/)
  })

  it("shows the server's error for a message over 4,000 characters", async () => {
    // The textarea's maxlength stops typing past the limit; a script can still set the value.
    await page.evaluate(`{
      const input = document.querySelector('#message')
      input.value = 'x'.repeat(4001)
      input.dispatchEvent(new Event('input', { bubbles: true }))
    }`)
    expect(await page.locator('#counter').textContent()).toBe('4001 / 4000')
    await page.locator('#send').click()
    const error = page.locator('.message-error')
    await error.waitFor()
    expect(await error.textContent()).toMatch(/4001 characters is more than the 4000 allowed/)
    expect(await page.locator('#message').isEnabled()).toBe(true)
    // The page still works after the error.
    const reply = await say('VPN error 809')
    await reply.locator('.plan-card, .prompt').first().waitFor()
  })

  it('lets a technician ask for someone; shows the JSON error of a 4xx (an invalid username)', async () => {
    await page.locator('#sign-out').click()
    await signIn('helper')
    expect(await page.locator('#signed-in').textContent()).toMatch(/helper technician/)
    await page.locator('#requester').fill('not a username')
    expect(await page.locator('#requester').getAttribute('aria-invalid')).toBe('true')
    await say('I forgot my password')
    const error = page.locator('.message-error')
    expect(await error.textContent()).toMatch(/requester: expected a username such as jdoe/)
    expect(await page.locator('.plan-card').count()).toBe(0)
    await page.locator('#requester').fill('maria.garcia')
    const reply = await say('I forgot my AWS password')
    await reply.locator('.plan-card').first().waitFor()
    expect(await reply.locator('.parameters').textContent()).toMatch(/maria\.garcia/)
    await page.evaluate('localStorage.clear()')
  })

  it('is usable from the keyboard: Tab to the box and Send, Enter sends', async () => {
    await page.evaluate('document.activeElement?.blur()')
    let reached = false
    for (let presses = 0; presses < 20 && !reached; presses++) {
      await page.keyboard.press('Tab')
      reached = (await focusedId()) === 'message'
    }
    expect(reached).toBe(true)
    await page.keyboard.type('first line')
    await page.keyboard.press('Shift+Enter')
    await page.keyboard.type('second line')
    expect(await page.locator('#message').inputValue()).toBe('first line\nsecond line')
    await page.keyboard.press('Escape')
    expect(await page.locator('#message').inputValue()).toBe('')

    await page.keyboard.type('Printer PRN-3F-EAST is offline')
    await page.keyboard.press('Tab')
    expect(await focusedId()).toBe('send')
    await page.keyboard.press('Shift+Tab')
    await page.keyboard.press('Enter')
    // The server asks which computer prints (a prompt) or plans at once (a card).
    await page
      .locator('.message-assistant')
      .first()
      .locator('.plan-card, .prompt')
      .first()
      .waitFor()
    expect(await page.locator('.message-user').first().textContent()).toMatch(/PRN-3F-EAST/)
    await expect.poll(() => focusedId()).toBe('message')

    // A new conversation clears the log and brings the suggestions back.
    await page.locator('#new-conversation').click()
    expect(await page.locator('.message').count()).toBe(0)
    expect(await page.locator('#welcome').isVisible()).toBe(true)
  })

  it('sends a suggestion chip as the signed-in user, who stays signed in after a reload', async () => {
    await page.locator('#sign-out').click()
    await signIn('maria.garcia')
    await page.locator('.chip', { hasText: 'I forgot my password' }).click()
    // Which system the password belongs to is asked; "the AWS one" answers it.
    const question = page.locator('.message-assistant').first()
    await question.locator('.prompt').waitFor()
    expect(await question.textContent()).toMatch(/AWS console/)
    const reply = await say('the AWS one')
    await reply.locator('.plan-card').first().waitFor()
    expect(await reply.locator('.parameters').textContent()).toMatch(/maria\.garcia/)
    expect(await reply.locator('.plan-card pre code').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/aws_iam\.reset_console_password/)]),
    )
    await page.reload()
    await page.locator('#signed-in', { hasText: 'maria.garcia' }).waitFor()
    expect(await page.locator('#sign-in').isVisible()).toBe(false)
    await page.evaluate('localStorage.clear()')
  })
})
