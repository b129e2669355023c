import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  type ApprovalStack,
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
  unlockPlan,
} from '../../src/approvals/testing/approval-fixture.ts'
import { SqliteUserStore } from '../../src/identity/sqlite-user-store.ts'
import type { Instruction } from '../../src/knowledge/instructions/instruction.ts'
import { createApp } from '../../src/server/create-app.ts'
import { checkAccessibility } from '../support/browser-page.ts'
import { type LoopbackServer, serveOnLoopback } from '../support/loopback-server.ts'
import { buildMemoryRuntime } from '../support/memory-runtime.ts'

// The approvals panel shows runs a server stop cut short, and a technician resumes or stops them
// from the page. The interrupted requests are made through the real approval stack on a project
// store file: a "crashed" stack approves the unlock plan and hangs inside the unlock step (what
// a SIGKILL leaves: the step "started" in the ledger, no result), then the serving stack finds it
// at "start" (recoverInterrupted), as the server does.

const CHROMIUM = '/usr/bin/chromium'
const TIMEOUT = 30_000
const CHECK = 'account_locked.check_ad_status'
const UNLOCK = 'account_locked.unlock_ad_account'
const GUIDANCE = 'account_locked.remove_stale_credentials'

let browser: Browser | undefined
let server: LoopbackServer | undefined
let baseUrl = ''
let directory = ''
let file = ''
let instructions: Map<string, Instruction>
let stack: ApprovalStack | undefined
const crashedStacks: ApprovalStack[] = []
const executor = new RecordingExecutor()
const users = new SqliteUserStore({ file: ':memory:' })
const tokens: Record<string, string> = {}
let page: Page

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; run \`bash scripts/install-test-deps.sh\` first`,
    )
  }
  const runtime = await buildMemoryRuntime()
  tokens.helper = (await users.add('helper', 'technician')).token
  instructions = await loadTestInstructions()
  directory = mkdtempSync(path.join(tmpdir(), 'interrupted-card-'))
  file = path.join(directory, 'helpdesk.sqlite')
  stack = openApprovalStack({ file, instructions, executor })
  const app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
    approvals: stack.service,
  })
  server = await serveOnLoopback(app.fetch)
  baseUrl = server.baseUrl
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await stack?.close()
  for (const crashed of crashedStacks) await crashed.close()
  await users.close()
  if (directory) rmSync(directory, { recursive: true, force: true })
})

const pageErrors: string[] = []

beforeEach(async () => {
  if (!browser) throw new Error('the browser did not start')
  pageErrors.length = 0
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  page.setDefaultTimeout(TIMEOUT)
  page.on('pageerror', (error) => pageErrors.push(error.message))
  page.on('console', (message) => {
    const expected = /^Failed to load resource: .* status of 4\d\d/.test(message.text())
    if (message.type() === 'error' && !expected) pageErrors.push(message.text())
  })
})

afterEach(async () => {
  await page.close()
  expect(pageErrors).toEqual([])
})

/** Approves the unlock plan on a "crashed" stack that hangs in the unlock step; the server finds it. */
async function interruptedRequest(): Promise<string> {
  const hanging = new RecordingExecutor()
  const crashed = openApprovalStack({ file, instructions, executor: hanging })
  crashedStacks.push(crashed)
  const request = await crashed.service.requestApproval({
    plan: unlockPlan(instructions),
    requester: 'jdoe',
  })
  await crashed.service.approve(request.id, { username: 'tech.anna', role: 'technician' })
  const reached = new Promise<void>((resolve) => {
    hanging.beforeRun = (step) => {
      if (step.id !== UNLOCK) return
      resolve()
      return new Promise(() => {})
    }
  })
  void crashed.service.executeApproved(request.id)
  await reached
  const found = await stack?.service.recoverInterrupted()
  expect(found?.map((each) => each.id)).toEqual([request.id])
  return request.id
}

async function signIn(username: string) {
  await page.goto(`${baseUrl}/`)
  await page.locator('#token').fill(tokens[username] ?? '')
  await page.locator('#token').press('Enter')
  await page.locator('#signed-in', { hasText: username }).waitFor()
}

const cardOf = (id: string) => page.locator(`#approvals-interrupted [data-approval-id="${id}"]`)

describe('interrupted runs in the approvals panel', () => {
  it('shows the unknown step and the waiting ones; resolved as succeeded and resumed, the rest runs', async () => {
    const id = await interruptedRequest()
    await signIn('helper')
    const card = cardOf(id)
    await card.waitFor()
    expect(await card.locator('.approval-title').textContent()).toMatch(/^Interrupted: /)
    const facts = await card.locator('.approval-facts').textContent()
    expect(facts).toMatch(/Requested byjdoe/)
    expect(facts).toMatch(/Approved bytech\.anna/)
    expect(facts).toContain(`Request${id.slice(0, 8)}`)
    expect(facts).toMatch(/TargetActive Directory/)
    expect(facts).toMatch(/Parametersusername: jdoe/)
    expect(await page.locator('#approvals-status').textContent()).toMatch(
      /^No approvals waiting, 1 interrupted run to check, as of /,
    )
    expect(await page.locator('#approvals-empty').isVisible()).toBe(false)
    const unknown = card.getByRole('group')
    expect(await unknown.count()).toBe(1)
    expect(await unknown.locator('legend').textContent()).toMatch(/^What happened to “.+”\?$/)
    expect(await card.locator('.resume-waiting li').count()).toBe(1)

    await checkAccessibility(page, 'the interrupted-run card at 1280 px')
    await page.screenshot({ path: '/tmp/resume-card-1280.png', fullPage: false })
    await card.screenshot({ path: '/tmp/resume-form-1280.png' })
    await page.setViewportSize({ width: 390, height: 844 })
    // On a narrow screen the panel waits for its button.
    if (!(await page.locator('#approvals').isVisible()))
      await page.locator('#approvals-toggle').click()
    await card.scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/resume-card-390.png', fullPage: false })
    await card.screenshot({ path: '/tmp/resume-form-390.png' })
    await card.getByRole('button', { name: 'Stop here' }).scrollIntoViewIfNeeded()
    await checkAccessibility(page, 'the interrupted-run card at 390 px')
    await page.screenshot({ path: '/tmp/resume-buttons-390.png', fullPage: false })
    const overflow = await page.evaluate(
      `[...document.querySelectorAll('.interrupted-card, .interrupted-card *')].filter((node) => node.getBoundingClientRect().right > 391).map((node) => node.className || node.tagName)`,
    )
    expect(overflow).toEqual([])

    // Nothing chosen, no reason: the form says what is missing and sends nothing.
    await card.getByRole('button', { name: 'Resume the remaining steps' }).click()
    expect(await card.locator('.form-error').textContent()).toMatch(/^Say what happened to “/)
    await card.getByLabel('It happened (succeeded)').check()
    await card.getByRole('button', { name: 'Resume the remaining steps' }).click()
    expect(await card.locator('.form-error').textContent()).toMatch(/reason is required/)
    await expect.poll(() => page.evaluate('document.activeElement?.tagName')).toBe('TEXTAREA')
    expect((await stack?.service.get(id))?.status).toBe('interrupted')

    // From the keyboard: the reason, then Enter on Resume.
    await card
      .getByLabel('What you checked on the target (required)')
      .fill('ADUC shows jdoe unlocked at 10:02')
    await card.getByRole('button', { name: 'Resume the remaining steps' }).focus()
    await page.keyboard.press('Enter')
    const outcome = page.locator('#approvals-decided .approval-outcome').first()
    await outcome.waitFor()
    expect(await outcome.locator('.approval-outcome-summary').textContent()).toBe(
      'Approved and carried out for jdoe: succeeded.',
    )
    await expect
      .poll(() => page.evaluate('document.activeElement?.className'))
      .toBe('approval-outcome-title')
    expect(await cardOf(id).count()).toBe(0)
    const stored = await stack?.service.get(id)
    expect(stored).toMatchObject({
      status: 'executed',
      execution: { outcome: 'succeeded' },
      interruption: {
        resumed: {
          by: 'helper',
          reason: 'ADUC shows jdoe unlocked at 10:02',
          resolved: { [UNLOCK]: 'succeeded' },
          stop: false,
        },
      },
    })
    // The unknown step was never run again; the check was not either (its result was recorded).
    expect(executor.count(UNLOCK)).toBe(0)
    expect(executor.count(CHECK)).toBe(0)
    await page.screenshot({ path: '/tmp/resume-outcome-390.png', fullPage: false })
  })

  it('"Stop here" ends the run: the waiting steps never run, and the outcome says so', async () => {
    const id = await interruptedRequest()
    await signIn('helper')
    const card = cardOf(id)
    await card.waitFor()
    await card.getByLabel('It did not happen, or failed (failed)').check()
    await card
      .getByLabel('What you checked on the target (required)')
      .fill('still locked; the employee called in, unlocking by phone')
    await card.getByRole('button', { name: 'Stop here' }).click()
    const outcome = page.locator('#approvals-decided .approval-outcome').first()
    await outcome.waitFor()
    await page.screenshot({ path: '/tmp/resume-stopped-1280.png', fullPage: false })
    const stored = await stack?.service.get(id)
    expect(stored).toMatchObject({
      status: 'executed',
      interruption: { resumed: { by: 'helper', resolved: { [UNLOCK]: 'failed' }, stop: true } },
    })
    expect(await outcome.locator('.approval-outcome-summary').textContent()).toBe(
      'Stopped after the interruption by helper (still locked; the employee called in, unlocking by phone.) The steps not started do not run; outcome: failed.',
    )
    expect(stored?.execution?.outcome).toBe('failed')
    expect(executor.count(GUIDANCE)).toBe(0)
    expect(executor.count(UNLOCK)).toBe(0)
    expect(await cardOf(id).count()).toBe(0)
  })

  it("an answer the server refuses shows in the panel's error region", async () => {
    const id = await interruptedRequest()
    await signIn('helper')
    const card = cardOf(id)
    await card.waitFor()
    // Another technician resolves it first (through the API): this page's answer is now stale.
    await stack?.service.resume(
      id,
      { username: 'tech.anna', role: 'technician' },
      { resolve: { [UNLOCK]: 'failed' }, stop: true, reason: 'checked first' },
    )
    await card.getByLabel('It happened (succeeded)').check()
    await card.getByLabel('What you checked on the target (required)').fill('looked too')
    await card.getByRole('button', { name: 'Resume the remaining steps' }).click()
    const error = page.locator('#approvals-error')
    await error.waitFor()
    expect(await error.textContent()).toMatch(/^Could not resume “.+” \(request [0-9a-f-]{8}\): /)
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('approvals-error')
  })
})
