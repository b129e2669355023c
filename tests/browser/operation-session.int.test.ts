import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
} from '../../src/approvals/testing/approval-fixture.ts'
import { SqliteUserStore } from '../../src/identity/sqlite-user-store.ts'
import { Inventory } from '../../src/inventory/inventory.ts'
import {
  factsOf,
  fleetInventory,
  fleetNames,
  openSshdEngine,
  type SshdEngine,
} from '../../src/jobs/testing/sshd-fleet.ts'
import { OperationCatalog } from '../../src/operations/operation-catalog.ts'
import { OperationsDesk } from '../../src/operations/operations-desk.ts'
import { AccessPolicy } from '../../src/policy/access-policy.ts'
import { AccountMap } from '../../src/policy/account-map.ts'
import { createApp } from '../../src/server/create-app.ts'
import { checkAccessibility } from '../support/browser-page.ts'
import { type LoopbackServer, serveOnLoopback } from '../support/loopback-server.ts'
import { buildMemoryRuntime } from '../support/memory-runtime.ts'
import { startTestService } from '../support/test-services.ts'

// Issue 10 end to end in Chromium, on the loopback sshd (12 inventory names on the one server, in
// the group batch-workers): the technician tom asks in words, reads the preview and that it
// waits for another technician; tina approves it in the approvals panel (a high-risk change: a
// second click); the job view opens on her page and shows the run finished on all 12 machines;
// tom's conversation names the job. The process to stop does not exist on the server, so the
// real catalog script runs (pgrep/pkill over SSH) and finds nothing to stop: it succeeds.

const CHROMIUM = '/usr/bin/chromium'
const TIMEOUT = 60_000
const NAMES = fleetNames(12, 'BATCH')
const REQUEST = 'Stop the hd-demo-worker process on all machines in the batch workers group'

let browser: Browser | undefined
let server: LoopbackServer | undefined
let fleet: SshdEngine | undefined
let baseUrl = ''
const users = new SqliteUserStore({ file: ':memory:' })
const tokens: Record<string, string> = {}
const pageErrors: string[] = []

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}`)
  const facts = factsOf(await startTestService('sshd'))
  const directory = mkdtempSync(path.join(tmpdir(), 'operation-session-'))
  fleet = openSshdEngine({
    facts,
    names: NAMES,
    databaseFile: path.join(directory, 'helpdesk.sqlite'),
    concurrency: 6,
  })
  const inventory = new Inventory({
    targets: [...fleetInventory(facts, NAMES).list()],
    groups: { 'batch-workers': [...NAMES] },
  })
  const access = new AccessPolicy({ accounts: new AccountMap(), machines: inventory })
  const runtime = await buildMemoryRuntime({ access })
  tokens.tom = (await users.add('tom', 'technician')).token
  tokens.tina = (await users.add('tina', 'technician')).token
  const app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
    jobEngine: fleet.engine,
    approvals: openApprovalStack({
      file: ':memory:',
      instructions: await loadTestInstructions(),
      executor: new RecordingExecutor(),
    }).service,
    operations: new OperationsDesk({ catalog: await OperationCatalog.load(), inventory, access }),
  })
  server = await serveOnLoopback(app.fetch)
  baseUrl = server.baseUrl
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  })
}, TIMEOUT)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await fleet?.close()
})

async function openAs(username: string, width: number): Promise<Page> {
  const context = await (browser as Browser).newContext({ viewport: { width, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(TIMEOUT)
  page.on('pageerror', (error) => pageErrors.push(error.message))
  page.on('console', (message) => {
    const expected = /^Failed to load resource: .* status of 4\d\d/.test(message.text())
    if (message.type() === 'error' && !expected) pageErrors.push(message.text())
  })
  await page.goto(`${baseUrl}/`)
  await page.locator('#token').fill(tokens[username] ?? '')
  await page.locator('#token').press('Enter')
  await page.locator('#signed-in', { hasText: username }).waitFor()
  await page.locator('#message').waitFor()
  return page
}

describe('an operation from words to a finished job', () => {
  it('tom asks, reads the preview; tina approves; the job view shows it finished', async () => {
    const asker = await openAs('tom', 1280)
    await asker.locator('#message').fill(REQUEST)
    await asker.locator('#message').press('Enter')
    const reply = asker.locator('.message-assistant', { hasText: 'Nothing has run yet' })
    await reply.waitFor()
    const text = (await reply.textContent()) ?? ''
    expect(text).toContain('Stop the process hd-demo-worker')
    expect(text).toContain('12 machines')
    expect(text).toContain('pkill -TERM -x')
    expect(text).toMatch(/Waiting for approval [0-9a-f-]{36}/)
    expect(text).toContain('you cannot approve your own request')
    await checkAccessibility(asker, "the operation's preview in the chat")
    await asker.screenshot({ path: '/tmp/operation-preview-1280.png', fullPage: false })

    const approver = await openAs('tina', 1280)
    // Open beside the chat on a wide screen already; the button opens it otherwise.
    if ((await approver.locator('#approvals-toggle').getAttribute('aria-expanded')) !== 'true')
      await approver.locator('#approvals-toggle').click()
    const card = approver.locator('#approvals-list .approval-item', {
      hasText: 'Stop the process hd-demo-worker',
    })
    await card.waitFor()
    expect(await card.textContent()).toContain('BATCH-001, BATCH-002')
    await approver.screenshot({ path: '/tmp/operation-approval-1280.png' })
    await card.locator('button.approve').click()
    await card.locator('button.approval-yes').click()
    // The job view opens on the approver's page and follows the run to its end.
    await approver.locator('#job-view').waitFor()
    await approver.locator('#job-status', { hasText: /^Finished$/ }).waitFor()
    expect(await approver.locator('#job-counts').textContent()).toBe(
      '12 done · 0 failed · 0 pending of 12',
    )
    await checkAccessibility(approver, "the approver's job view at 1280 px")
    await approver.screenshot({ path: '/tmp/operation-job-1280.png' })
    await approver.setViewportSize({ width: 390, height: 844 })
    await approver.locator('#job-view').scrollIntoViewIfNeeded()
    await checkAccessibility(approver, "the approver's job view at 390 px")
    await approver.screenshot({ path: '/tmp/operation-job-390.png' })
    const overflow = await approver.evaluate(
      'document.documentElement.scrollWidth > window.innerWidth',
    )
    expect(overflow).toBe(false)

    // The asker's conversation names the running job (the note the chat page polls for).
    await asker
      .locator('.message-assistant', { hasText: /running now as job [0-9a-f-]{36}/ })
      .waitFor()
    // ... and the job view opens on the asker's page as well, finished.
    await asker.locator('#job-status', { hasText: /^Finished$/ }).waitFor()
    await asker.screenshot({ path: '/tmp/operation-asker-note-1280.png' })
    expect(pageErrors).toEqual([])
  }, 180_000)
})
