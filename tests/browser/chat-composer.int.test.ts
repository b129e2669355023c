import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SqliteUserStore } from '../../src/identity/sqlite-user-store.ts'
import { createApp } from '../../src/server/create-app.ts'
import {
  checkAccessibility,
  launchChromium,
  newPage,
  SCREENSHOTS,
  sideways,
} from '../support/browser-page.ts'
import { type LoopbackServer, serveOnLoopback } from '../support/loopback-server.ts'
import { buildMemoryRuntime } from '../support/memory-runtime.ts'

// The chat page's own parts (chat/composer.js, chat/page-parts.js, my-requests.js) in Chromium
// with the app's strict CSP, for what chat-page.int.test.ts does not cover: the box and Send
// waiting while a turn is under way (one send per Enter), the counter past the limit and Esc,
// "For user" remembered across a reload, My requests empty and failing, what a signed-out
// visitor sees, and the parts at 390 px.

let server: LoopbackServer | undefined
let browser: Browser | undefined
let baseUrl = ''
let page: Page
const users = new SqliteUserStore({ file: ':memory:' })
const tokens: Record<string, string> = {}
const pageErrors: string[] = []

beforeAll(async () => {
  const runtime = await buildMemoryRuntime()
  tokens.sam = (await users.add('sam', 'requester')).token
  tokens.helper = (await users.add('helper', 'technician')).token
  const app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
  })
  server = await serveOnLoopback(app.fetch)
  baseUrl = server.baseUrl
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await users.close()
})

afterEach(async () => {
  await page.close()
  expect(pageErrors.splice(0)).toEqual([])
})

/** A new page at `width`; `failing`: the console errors of answers the test itself fails. */
async function open(width = 1280, failing?: RegExp) {
  if (!browser) throw new Error('the browser did not start')
  page = await newPage(browser, pageErrors, {
    width,
    // The approvals list answers 503 on this server (no executors: NOT_CONFIGURED), as expected.
    expectedConsole: (message) =>
      (/status of 503/.test(message.text()) &&
        message.location().url.startsWith(`${baseUrl}/api/approvals`)) ||
      (failing ? failing.test(message.text()) : false),
  })
  await page.goto(`${baseUrl}/`)
  await page.locator('#token').waitFor()
}

async function signIn(username: string) {
  await page.locator('#token').fill(tokens[username] ?? '')
  await page.locator('#token').press('Enter')
  await page.locator('#signed-in', { hasText: username }).waitFor()
  await page.locator('#message').waitFor()
}

const focusedId = () => page.evaluate('document.activeElement?.id')

/**
 * The top bar's visible controls, in page order: each button's own words and how many lines they
 * take, and where each control (the "For user" box too) ends.
 */
async function topBar() {
  return (await page.evaluate(`[...document.querySelectorAll('.topbar button, .topbar a.button, .topbar input')]
    .filter((control) => control.getClientRects().length > 0)
    .map((control) => {
      const tops = new Set()
      let name = control.id
      for (const node of control.childNodes) {
        if (node.nodeType !== Node.TEXT_NODE || node.textContent.trim() === '') continue
        name = node.textContent.trim()
        const range = document.createRange()
        range.selectNodeContents(node)
        for (const rect of range.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top))
      }
      const box = control.getBoundingClientRect()
      return { name, lines: tops.size, bottom: Math.round(box.bottom), right: Math.round(box.right), width: Math.round(box.width) }
    })`)) as Array<{ name: string; lines: number; bottom: number; right: number; width: number }>
}

describe('the chat page parts', () => {
  it('signed out: no message box, links, welcome or My requests; only the sign-in form', async () => {
    await open()
    for (const id of [
      '#message',
      '#new-conversation',
      '#workspace-link',
      '#welcome',
      '#requests',
    ]) {
      expect(await page.locator(id).isVisible(), id).toBe(false)
    }
    expect(await page.locator('#approvals-toggle').isVisible()).toBe(false)
    expect(await page.locator('#status').getAttribute('role')).toBe('status')
  })

  it('the box and Send wait while a turn is under way: a second Enter sends nothing', async () => {
    await open()
    await signIn('sam')
    let posts = 0
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    await page.route('**/api/chat/stream', async (route) => {
      posts += 1
      await held
      await route.continue()
    })
    await page.locator('#message').fill('VPN error 809')
    await page.locator('#message').press('Enter')
    await expect.poll(() => page.locator('#composer').getAttribute('aria-busy')).toBe('true')
    expect(await page.locator('#message').isDisabled()).toBe(true)
    expect(await page.locator('#send').isDisabled()).toBe(true)
    expect(await page.locator('#message').inputValue()).toBe('')
    expect(await page.locator('#status').textContent()).toBe('Waiting for the helpdesk…')
    // What a script or a fast double press could still do: put text in and submit the form.
    await page.keyboard.press('Enter')
    await page.evaluate(`{
      const input = document.querySelector('#message')
      input.value = 'again'
      input.dispatchEvent(new Event('input', { bubbles: true }))
      document.querySelector('#composer').requestSubmit()
    }`)
    release()
    await page.locator('.message-assistant').first().waitFor()
    await expect.poll(() => page.locator('#composer').getAttribute('aria-busy')).toBe('false')
    expect(posts).toBe(1)
    expect(await page.locator('.message-user').count()).toBe(1)
    await expect.poll(() => focusedId()).toBe('message')
  })

  it('the counter marks a message past the limit; Esc clears it and New conversation focuses the box', async () => {
    await open()
    await signIn('sam')
    await page.evaluate(`{
      const input = document.querySelector('#message')
      input.value = 'x'.repeat(4001)
      input.dispatchEvent(new Event('input', { bubbles: true }))
    }`)
    const counter = page.locator('#counter')
    expect(await counter.textContent()).toBe('4001 / 4000')
    expect(await counter.getAttribute('class')).toBe('counter counter-over')
    await page.locator('#message').press('Escape')
    expect(await counter.textContent()).toBe('0 / 4000')
    expect(await counter.getAttribute('class')).toBe('counter')
    await page.locator('#message').fill('half a thought')
    await page.locator('#new-conversation').click()
    expect(await page.locator('#message').inputValue()).toBe('')
    expect(await focusedId()).toBe('message')
    expect(await page.locator('#status').textContent()).toBe('Started a new conversation.')
    // The same note again is a new text in the live region, so a screen reader says it again.
    await page.evaluate("window.firstNote = document.querySelector('#status span')")
    await page.locator('#new-conversation').click()
    expect(await page.locator('#status').textContent()).toBe('Started a new conversation.')
    expect(await page.evaluate("document.querySelector('#status span') !== window.firstNote")).toBe(
      true,
    )
  })

  it('"For user" is for technicians, checked as typed, and remembered across a reload', async () => {
    await open()
    await signIn('sam')
    expect(await page.locator('#requester').isVisible()).toBe(false)
    await page.locator('#sign-out').click()
    await signIn('helper')
    const field = page.locator('#requester')
    expect(await page.locator('#requester-label').textContent()).toBe('For user')
    await field.fill('no spaces allowed')
    expect(await field.getAttribute('aria-invalid')).toBe('true')
    await field.fill('maria.garcia')
    expect(await field.getAttribute('aria-invalid')).toBe('false')
    await page.reload()
    await page.locator('#signed-in', { hasText: 'helper' }).waitFor()
    expect(await page.locator('#requester').inputValue()).toBe('maria.garcia')
    await page.evaluate('localStorage.clear()')
  })

  it('My requests says when there are none, and names a failed load in an alert', async () => {
    await open(1280, /status of 500/)
    await signIn('helper')
    const requests = page.locator('#requests')
    await requests.locator('summary').click()
    await page.locator('#requests-empty').waitFor()
    expect(await page.locator('#requests-count').isVisible()).toBe(false)
    await page.route('**/api/sessions', (route) => route.fulfill({ status: 500, body: '{}' }))
    await page.reload()
    await page.locator('#signed-in', { hasText: 'helper' }).waitFor()
    await page.locator('#requests summary').click()
    const error = page.locator('#requests-error')
    await error.waitFor()
    expect(await error.textContent()).toBe('Could not load your requests: the server answered 500')
    expect(await error.getAttribute('role')).toBe('alert')
    await page.evaluate('localStorage.clear()')
  })

  it("the top bar keeps a technician's controls together, each button on one line (1280 and 390 px)", async () => {
    await open(1280)
    await signIn('helper')
    await page.locator('#approvals-toggle').waitFor()
    const wide = await topBar()
    expect(wide.map((control) => control.name)).toEqual([
      'Sign out',
      'requester',
      'Approvals',
      'Workspace',
      'New conversation',
    ])
    for (const control of wide.filter((each) => each.name !== 'requester'))
      expect(control.lines, control.name).toBe(1)
    // "For user", Approvals, Workspace and New conversation: one row, lined up on the bottom.
    const controls = wide.slice(1)
    for (const control of controls)
      expect(
        Math.abs(control.bottom - (controls[0]?.bottom ?? 0)),
        control.name,
      ).toBeLessThanOrEqual(2)
    await page.locator('#message').fill('I forgot my Windows password, my username is jdoe')
    await page.locator('#message').press('Enter')
    await page.locator('.message-assistant .plan-card').first().waitFor({ timeout: 30_000 })
    await page.evaluate('window.scrollTo(0, 0)')
    await page.screenshot({ path: `${SCREENSHOTS}/chat-1280.png` })
    await checkAccessibility(page, 'chat top bar at 1280 px')

    await page.setViewportSize({ width: 390, height: 844 })
    const narrow = await topBar()
    for (const control of narrow.filter((each) => each.name !== 'requester'))
      expect(control.lines, control.name).toBe(1)
    // The box keeps room to type a username; nothing goes past the window.
    expect(narrow.find((control) => control.name === 'requester')?.width).toBeGreaterThanOrEqual(
      200,
    )
    for (const control of narrow) expect(control.right, control.name).toBeLessThanOrEqual(390)
    expect(await sideways(page)).toBeLessThanOrEqual(0)
    await page.screenshot({ path: `${SCREENSHOTS}/chat-390.png` })
    await checkAccessibility(page, 'chat top bar at 390 px')
    await page.evaluate('localStorage.clear()')
  })

  it("an employee's top bar: Sign out and New conversation, each on one line (1280 and 390 px)", async () => {
    await open(1280)
    await signIn('sam')
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 })
      const controls = await topBar()
      expect(controls.map((control) => control.name)).toEqual(['Sign out', 'New conversation'])
      for (const control of controls) expect(control.lines, `${control.name} at ${width}`).toBe(1)
    }
    await page.evaluate('localStorage.clear()')
  })

  it('at 390 px the parts fit the window, with no serious accessibility violation', async () => {
    await open(390)
    await signIn('helper')
    await page.locator('#welcome').waitFor()
    expect(await sideways(page)).toBeLessThanOrEqual(0)
    await checkAccessibility(page, 'chat parts at 390 px')
    await page.screenshot({ path: '/tmp/chat-parts-390.png' })
    await page.setViewportSize({ width: 1280, height: 900 })
    await page.screenshot({ path: '/tmp/chat-parts-1280.png' })
    await page.evaluate('localStorage.clear()')
  })
})
