import { mkdirSync, readFileSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AnalyticsService } from '../../src/analytics/analytics-service.ts'
import {
  type SeededStore,
  seedAnalyticsStore,
} from '../../src/analytics/testing/seeded-analytics.ts'
import {
  type ApprovalStack,
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
} from '../../src/approvals/testing/approval-fixture.ts'
import { SqliteUserStore } from '../../src/identity/sqlite-user-store.ts'
import { createApp } from '../../src/server/create-app.ts'
import {
  checkAccessibility,
  launchChromium,
  newPage,
  sideways as scrolledSideways,
  tabTo,
} from '../support/browser-page.ts'
import { type LoopbackServer, serveOnLoopback } from '../support/loopback-server.ts'
import { buildMemoryRuntime } from '../support/memory-runtime.ts'

// The analytics page (/analytics) over the seeded store (1-3 March 2026, whose figures the unit
// tests work out by hand) at 1280 and 390 pixels, checked with axe-core, its screenshots kept
// for the README; and the chat page's thumbs up/down on a reply, from the keyboard, kept across
// a reload. Under the server's strict Content-Security-Policy: a violation is a console error,
// which fails the test.

const TIMEOUT = 30_000
const RANGE = 'from=2026-03-01&to=2026-03-03'

let browser: Browser | undefined
let server: LoopbackServer | undefined
let baseUrl = ''
let seeded: SeededStore
let stack: ApprovalStack | undefined
const users = new SqliteUserStore({ file: ':memory:' })
const tokens: Record<string, string> = {}
let page: Page
const pageErrors: string[] = []

beforeAll(async () => {
  seeded = await seedAnalyticsStore()
  const runtime = await buildMemoryRuntime()
  tokens.tom = (await users.add('tom', 'technician')).token
  tokens.bob = (await users.add('bob', 'requester')).token
  stack = openApprovalStack({
    file: ':memory:',
    instructions: await loadTestInstructions(),
    executor: new RecordingExecutor(),
  })
  const app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
    approvals: stack.service,
    feedback: seeded.feedback,
    analytics: new AnalyticsService({
      conversations: seeded.sessions,
      audit: seeded.audit,
      feedback: seeded.feedback,
      timeSaved: { default: 10, minutes: { password_reset: 15 } },
    }),
  })
  server = await serveOnLoopback(app.fetch)
  baseUrl = server.baseUrl
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await stack?.close()
  await seeded?.close()
  await users.close()
})

/** A page with `person`'s token remembered, its errors recorded (browser-page.ts). */
async function pageFor(width: number, person: string): Promise<Page> {
  if (!browser) throw new Error('the browser did not start')
  return newPage(browser, pageErrors, { width, token: tokens[person] ?? '' })
}

beforeEach(() => {
  pageErrors.length = 0
})

afterEach(async () => {
  await page?.close()
  expect(pageErrors).toEqual([])
})

const sideways = () => scrolledSideways(page)

async function openAnalytics(width: number): Promise<void> {
  page = await pageFor(width, 'tom')
  await page.goto(`${baseUrl}/analytics?${RANGE}`)
  await expect
    .poll(() => page.locator('#report-status').textContent(), { timeout: TIMEOUT })
    .toBe('Figures from 2026-03-01 to 2026-03-03 (UTC days).')
}

describe('the analytics page', () => {
  it('shows the figures, charts with their tables, and downloads a table as CSV (1280 px)', async () => {
    await openAnalytics(1280)
    // Each total is a term and its figure (the note after it in the same definition).
    const totals = await page
      .locator('.totals .total')
      .evaluateAll((items) =>
        items.map((item) => [
          item.querySelector('dt')?.textContent,
          item.querySelector('dd')?.textContent,
        ]),
      )
    expect(totals).toEqual([
      ['Conversations', '6'],
      ['Requests', '5'],
      ['Resolved with no technician', '50%3 of 6'],
      ['Handed off', '16.7%1 of 6'],
      ['Approval turnaround (p50)', '10 minp90 48 h · 5 requested'],
      ['Time saved', '15 min'],
      ['Replies rated', '2 up2 down'],
    ])
    // Three charts, each a labelled image drawn by uPlot on a canvas, each with its table.
    const charts = page.locator('.chart[role="img"]')
    expect(await charts.count()).toBe(3)
    expect(await charts.first().getAttribute('aria-label')).toContain('the table below')
    expect(await page.locator('.chart canvas').count()).toBe(3)
    const byType = page.locator('table', { hasText: 'Requests by task type' })
    expect(await byType.locator('tbody tr').allInnerTexts()).toEqual([
      'password_reset\t3',
      'printer_not_working\t1',
      'vpn_not_connecting\t1',
    ])
    expect(
      await page.locator('table', { hasText: 'Most failing machines' }).locator('tbody tr').count(),
    ).toBe(3)
    await checkAccessibility(page, 'analytics at 1280 px')
    mkdirSync('docs/screenshots', { recursive: true })
    await page.screenshot({ path: 'docs/screenshots/analytics-1280.png', fullPage: true })

    // From the top of the page, Tab reaches the range form and a table's CSV button.
    await page.evaluate('window.scrollTo(0, 0); document.activeElement?.blur()')
    await tabTo(page, '#range-from')
    await tabTo(page, '.report button')
    // CSV from the keyboard: the button names its table.
    const button = page.getByRole('button', { name: 'Download "Requests by task type" as CSV' })
    await button.focus()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.keyboard.press('Enter'),
    ])
    expect(download.suggestedFilename()).toBe(
      'helpdesk-requests-by-type-2026-03-01-to-2026-03-03.csv',
    )
    expect(readFileSync(await download.path(), 'utf8')).toBe(
      'task type,requests\r\npassword_reset,3\r\nprinter_not_working,1\r\nvpn_not_connecting,1\r\n',
    )
    // The status line names the file, and the keyboard's focus stays on the button.
    await expect
      .poll(() => page.locator('#report-status').textContent())
      .toBe(`Downloaded ${download.suggestedFilename()}.`)
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe(
      'Download "Requests by task type" as CSV',
    )
  })

  it('fits 390 px with no sideways scrolling; a bad range is refused by the field', async () => {
    await openAnalytics(390)
    expect(await sideways()).toBe(0)
    await checkAccessibility(page, 'analytics at 390 px')
    await page.screenshot({ path: 'docs/screenshots/analytics-390.png', fullPage: true })
    // A range the server refuses: its message, on the field it names.
    await page.locator('#range-from').fill('2024-01-01')
    await page.locator('#range-apply').click()
    await expect
      .poll(() => page.locator('#range-error').textContent(), { timeout: TIMEOUT })
      .toContain('from: expected a range of at most 366 days')
    expect(await page.locator('#range-from').getAttribute('aria-invalid')).toBe('true')
  })

  it('a requester is sent back to the chat', async () => {
    page = await pageFor(1280, 'bob')
    await page.goto(`${baseUrl}/analytics`)
    await page.locator('.ws-denied', { hasText: 'for technicians and admins' }).waitFor()
    expect(await page.locator('#workspace').count()).toBe(0)
  })
})

describe("thumbs up/down on the chat page's replies", () => {
  it('rates a reply from the keyboard, changes and keeps the rating across a reload (1280 and 390 px)', async () => {
    page = await pageFor(1280, 'bob')
    await page.goto(`${baseUrl}/`)
    await expect.poll(() => page.locator('#message').isEnabled(), { timeout: TIMEOUT }).toBe(true)
    await page.locator('#message').fill('my printer on floor 3 is jammed')
    await page.locator('#message').press('Enter')
    const thumbs = page.locator('.message-assistant .reply-feedback').last()
    await thumbs.waitFor()
    const up = thumbs.getByRole('button', { name: 'Helpful', exact: true })
    const down = thumbs.getByRole('button', { name: 'Not helpful' })
    expect(await thumbs.getAttribute('aria-label')).toBe('Was this reply helpful?')
    expect(await up.getAttribute('aria-pressed')).toBe('false')
    await up.focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => up.getAttribute('aria-pressed'), { timeout: TIMEOUT }).toBe('true')
    expect(await thumbs.locator('[role="status"]').textContent()).toBe('Thanks for your feedback.')
    await down.focus()
    await page.keyboard.press('Space')
    await expect.poll(() => down.getAttribute('aria-pressed'), { timeout: TIMEOUT }).toBe('true')
    expect(await up.getAttribute('aria-pressed')).toBe('false')
    const sessionId = (await page.evaluate(
      "localStorage.getItem('helpdesk.session.bob')",
    )) as string
    const stored = await seeded.feedback.forSession(sessionId)
    expect(stored).toMatchObject([{ reply: 1, rating: 'down', owner: 'bob' }])
    await checkAccessibility(page, 'chat page with thumbs at 1280 px')
    await page.screenshot({ path: '/tmp/reply-feedback-1280.png' })
    await page.close()

    // Reloaded at 390 px: the rating is shown; pressing it again withdraws it.
    page = await pageFor(390, 'bob')
    // A new browser context: the page finds the conversation to show again where it keeps it.
    await page.addInitScript((id) => localStorage.setItem('helpdesk.session.bob', id), sessionId)
    await page.goto(`${baseUrl}/`)
    const restored = page.locator('.message-assistant[data-reply="1"] .reply-feedback')
    await restored.waitFor()
    const again = restored.getByRole('button', { name: 'Not helpful' })
    await expect.poll(() => again.getAttribute('aria-pressed'), { timeout: TIMEOUT }).toBe('true')
    expect(await sideways()).toBe(0)
    await checkAccessibility(page, 'chat page with thumbs at 390 px')
    await page.screenshot({ path: '/tmp/reply-feedback-390.png' })
    await again.focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => again.getAttribute('aria-pressed'), { timeout: TIMEOUT }).toBe('false')
    expect(await restored.locator('[role="status"]').textContent()).toBe('Rating removed.')
    expect(await seeded.feedback.forSession(sessionId)).toEqual([])

    // A refused save says why and leaves the buttons as they were.
    await page.route('**/feedback', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 409,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'CONFLICT', message: 'the reply changed' } }),
          })
        : route.continue(),
    )
    const helpful = restored.getByRole('button', { name: 'Helpful', exact: true })
    await helpful.click()
    await expect
      .poll(() => restored.locator('[role="status"]').textContent())
      .toBe('Could not save your rating: the reply changed')
    expect(await helpful.getAttribute('aria-pressed')).toBe('false')
    expect(await helpful.isEnabled()).toBe(true)
  })
})
