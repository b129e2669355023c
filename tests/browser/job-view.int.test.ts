import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
} from '../../src/approvals/testing/approval-fixture.ts'
import { SqliteUserStore } from '../../src/identity/sqlite-user-store.ts'
import { JobHistory } from '../../src/jobs/job-history.ts'
import { sampleWorkflow } from '../../src/jobs/testing/sample-workflow.ts'
import {
  factsOf,
  fleetNames,
  openSshdEngine,
  type SshdEngine,
  sharedStateDirectory,
} from '../../src/jobs/testing/sshd-fleet.ts'
import { createApp } from '../../src/server/create-app.ts'
import { checkAccessibility, launchChromium, newPage, tabTo } from '../support/browser-page.ts'
import { type LoopbackServer, serveOnLoopback } from '../support/loopback-server.ts'
import { buildMemoryRuntime } from '../support/memory-runtime.ts'
import { startTestService } from '../support/test-services.ts'

// The chat page's job view against a real 50-machine run on the loopback sshd (50 inventory
// names on the one server): the bars, the ETA, the machines being worked on, the live log, one
// machine's steps on click, and cancel; at 1280 and 390 px, with the strict CSP of the app.

const TIMEOUT = 60_000
const NAMES = fleetNames(50, 'WEB')
const BROKEN = ['WEB-007', 'WEB-033']

let browser: Browser | undefined
let server: LoopbackServer | undefined
let fleet: SshdEngine | undefined
let baseUrl = ''
const users = new SqliteUserStore({ file: ':memory:' })
const tokens: Record<string, string> = {}
let page: Page
const pageErrors: string[] = []

beforeAll(async () => {
  const facts = factsOf(await startTestService('sshd'))
  const directory = mkdtempSync(path.join(tmpdir(), 'job-view-'))
  fleet = openSshdEngine({
    facts,
    names: NAMES,
    databaseFile: path.join(directory, 'helpdesk.sqlite'),
    concurrency: 10,
  })
  const runtime = await buildMemoryRuntime()
  tokens.tom = (await users.add('tom', 'technician')).token
  tokens.alice = (await users.add('alice', 'requester')).token
  tokens.bob = (await users.add('bob', 'requester')).token
  const app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
    jobEngine: fleet.engine,
    jobs: new JobHistory(fleet.audit),
    approvals: openApprovalStack({
      file: ':memory:',
      instructions: await loadTestInstructions(),
      executor: new RecordingExecutor(),
    }).service,
  })
  server = await serveOnLoopback(app.fetch)
  baseUrl = server.baseUrl
  browser = await launchChromium()
}, TIMEOUT)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await fleet?.close()
})

beforeEach(async () => {
  pageErrors.length = 0
  page = await newPage(browser as Browser, pageErrors)
  page.setDefaultTimeout(TIMEOUT)
})

afterEach(async () => {
  await page.close()
  expect(pageErrors).toEqual([])
})

/** A 50-machine run of the sample workflow for alice, started by tom; `slow` machines sleep. */
async function startJob(options: { slow?: readonly string[]; slowSeconds?: number } = {}) {
  const directory = sharedStateDirectory('job-view-state-')
  for (const name of NAMES.filter((_, index) => index % 3 === 0))
    writeFileSync(path.join(directory, `${name}.running`), '')
  for (const name of BROKEN) writeFileSync(path.join(directory, `${name}.broken`), '')
  for (const name of options.slow ?? []) writeFileSync(path.join(directory, `${name}.slow`), '')
  return (fleet as SshdEngine).engine.start(
    sampleWorkflow({ directory, targets: NAMES, slowSeconds: options.slowSeconds ?? 2 }),
    {
      requester: 'alice',
      actor: 'tom',
      approval: {
        id: 'browser-approval',
        approver: 'tom',
        approvedAt: new Date().toISOString(),
        level: 2,
        scope: 'plan',
        via: 'test',
      },
    },
  )
}

async function openAs(username: string, jobId: string) {
  // The query makes it a new page load when only the signed-in person changes.
  await page.goto(`${baseUrl}/?as=${username}#job=${jobId}`)
  await page.locator('#token').fill(tokens[username] ?? '')
  await page.locator('#token').press('Enter')
  await page.locator('#signed-in', { hasText: username }).waitFor()
}

describe('job view on the chat page', () => {
  it('follows a 50-machine run live, then shows a failed machine on click (1280 and 390 px)', async () => {
    const jobId = await startJob({ slow: NAMES.slice(20, 30), slowSeconds: 3 })
    await openAs('tom', jobId)
    const view = page.locator('#job-view')
    await view.waitFor()
    // Mid-run: machines being worked on, an estimate, bars moving.
    await page.locator('#job-current', { hasText: 'Working on' }).waitFor()
    await page.locator('#job-eta', { hasText: /left/ }).waitFor()
    await page.locator('#job-log li').first().waitFor()
    await page.screenshot({ path: '/tmp/job-view-running-1280.png' })

    await page.locator('#job-status', { hasText: 'Finished with failures' }).waitFor()
    // The status, bars, machine list and detail are drawn in animation frames: under CI load a
    // frame may land after the status says finished, so every read below waits for its value.
    const settles = { timeout: 15_000 }
    await expect
      .poll(() => page.locator('#job-counts').textContent(), settles)
      .toBe('48 done · 2 failed · 0 pending of 50')
    await expect
      .poll(() => page.locator('#job-step-label').textContent(), settles)
      .toContain('Step 5 of 5')
    await expect
      .poll(() => page.locator('#job-target-bar').getAttribute('aria-valuenow'), settles)
      .toBe('50')
    await expect
      .poll(() => page.locator('#job-targets button[data-state="failed"]').count(), settles)
      .toBe(2)
    await expect
      .poll(() => page.locator('#job-targets button[data-state="succeeded"]').count(), settles)
      .toBe(48)
    await expect.poll(() => page.locator('#job-cancel').isHidden(), settles).toBe(true)

    await page.locator('#job-targets button[data-target="WEB-007"]').click()
    const detail = page.locator('#job-detail')
    await expect
      .poll(() => detail.locator('#job-detail-title').textContent(), settles)
      .toBe('WEB-007')
    const steps = detail.locator('.job-detail-step')
    await expect.poll(() => steps.count(), settles).toBe(5)
    await expect.poll(() => steps.nth(3).getAttribute('data-state'), settles).toBe('failed')
    await expect
      .poll(() => steps.nth(3).textContent(), settles)
      .toContain('demo failed to start on WEB-007')
    await expect.poll(() => steps.nth(2).textContent(), settles).toContain('rolled back')
    await expect.poll(() => steps.nth(4).textContent(), settles).toContain('skipped')
    await expect
      .poll(() => detail.locator('#job-detail-log').textContent(), settles)
      .toContain('copied demo.conf to WEB-007')
    await page.screenshot({ path: '/tmp/job-view-detail-1280.png' })
    await checkAccessibility(page, 'job view with a machine open at 1280 px')

    await page.setViewportSize({ width: 390, height: 844 })
    await view.scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/job-view-390.png' })
    await view.screenshot({ path: '/tmp/job-view-element-390.png' })
    const overflow = await page.evaluate('document.documentElement.scrollWidth > window.innerWidth')
    expect(overflow).toBe(false)
    await checkAccessibility(page, 'job view at 390 px')
  }, 120_000)

  it('a reload replays the whole run from the events; a requester sees only their own job', async () => {
    const jobId = await startJob()
    await (fleet as SshdEngine).engine.settled(jobId)
    await openAs('alice', jobId)
    await page.locator('#job-status', { hasText: 'Finished with failures' }).waitFor()
    // The status line and the log are drawn in different animation frames: under load the last
    // log lines may land a frame after the status says finished.
    await expect.poll(() => page.locator('#job-log li').count(), { timeout: 15_000 }).toBe(200)
    await expect
      .poll(() => page.locator('#job-counts').textContent(), { timeout: 15_000 })
      .toBe('48 done · 2 failed · 0 pending of 50')
    await page.evaluate(() => localStorage.clear())
    await openAs('bob', jobId)
    await page.locator('#job-error', { hasText: 'not yours to see' }).waitFor()
    expect(await page.locator('#job-error').textContent()).toBe(
      'This job does not exist or is not yours to see.',
    )
  }, 120_000)

  it('cancel stops the run from the page', async () => {
    const jobId = await startJob({ slow: NAMES, slowSeconds: 20 })
    await openAs('tom', jobId)
    await page.locator('#job-current', { hasText: 'Working on' }).waitFor()
    // By keyboard, as every control of the page must work: Tab to the button, Enter.
    await tabTo(page, '#job-cancel')
    await page.keyboard.press('Enter')
    await page.locator('#job-status', { hasText: 'Cancelled' }).waitFor({ timeout: 15_000 })
    await expect
      .poll(() => page.locator('#job-targets button[data-state="cancelled"]').count(), {
        timeout: 15_000,
      })
      .toBe(50)
    await expect
      .poll(() => page.locator('#job-counts').textContent(), { timeout: 15_000 })
      .toBe('0 done · 0 failed · 50 cancelled · 0 pending of 50')
    await page.locator('#job-view').screenshot({ path: '/tmp/job-view-cancelled-element-390.png' })
    await page.setViewportSize({ width: 390, height: 844 })
    await page.screenshot({ path: '/tmp/job-view-cancelled-390.png' })
  }, 120_000)
})
