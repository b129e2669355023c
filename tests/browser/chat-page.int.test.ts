import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { assembleHelpdesk } from '../../src/app/assemble-helpdesk.ts'
import { liveSteps } from '../../src/app/chat-step-runner.ts'
import { approvalRequester } from '../../src/approvals/pending-approval.ts'
import {
  type ApprovalStack,
  CRITICAL_PRINTER_STEPS,
  criticalPrinterPlan,
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
  unlockPlan,
} from '../../src/approvals/testing/approval-fixture.ts'
import { ExecutorRegistry } from '../../src/executors/executor-registry.ts'
import { SqliteUserStore } from '../../src/identity/sqlite-user-store.ts'
import type { Instruction } from '../../src/knowledge/instructions/instruction.ts'
import { createApp } from '../../src/server/create-app.ts'
import {
  checkAccessibility as checkPageAccessibility,
  launchChromium,
  newPage,
} from '../support/browser-page.ts'
import { type LoopbackServer, serveOnLoopback } from '../support/loopback-server.ts'
import { buildMemoryRuntime, MACHINE_GROUPS } from '../support/memory-runtime.ts'

// The chat page in a real browser against the real HTTP server (in-memory reference store,
// dry-run executor). Needs Debian's Chromium: `bash scripts/install-test-deps.sh`.
// A second server runs the approval loop for real: a recording executor stands in for Active
// Directory and SSH, so read-only checks "run", changes are held, and approving runs them.

const TIMEOUT = 30_000

let server: LoopbackServer | undefined
let approvalsServer: LoopbackServer | undefined
let browser: Browser | undefined
let baseUrl = ''
let approvalsUrl = ''
let stack: ApprovalStack | undefined
let stackDirectory = ''
let testInstructions: Map<string, Instruction>
const executor = new RecordingExecutor()
let page: Page
const users = new SqliteUserStore({ file: ':memory:' })
const tokens: Record<string, string> = {}

beforeAll(async () => {
  const runtime = await buildMemoryRuntime()
  tokens.jdoe = (await users.add('jdoe', 'requester')).token
  tokens['maria.garcia'] = (await users.add('maria.garcia', 'requester')).token
  tokens.helper = (await users.add('helper', 'technician')).token
  // Requesters of one test each: their "My requests" lists hold only that test's conversations.
  tokens.kim = (await users.add('kim', 'requester')).token
  tokens.lee = (await users.add('lee', 'requester')).token
  tokens.pat = (await users.add('pat', 'requester')).token
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

  // The runbooks plus a copy of the printer runbook whose queue steps need per-step approval.
  testInstructions = await loadTestInstructions()
  stackDirectory = mkdtempSync(path.join(tmpdir(), 'chat-page-approvals-'))
  const approvals = openApprovalStack({
    file: path.join(stackDirectory, 'helpdesk.sqlite'),
    instructions: testInstructions,
    executor,
    // The inventory's word on the machines: whose laptop LT-0424 is.
    machineOf: (name) =>
      name.toUpperCase() === 'LT-0424'
        ? { name: 'LT-0424', class: 'laptop', assignedTo: ['jdoe', 'group:finance'] }
        : undefined,
  })
  stack = approvals
  const live = assembleHelpdesk(runtime.knowledge, {
    maxMessageCharacters: 4000,
    runStep: liveSteps(approvals.execution, new ExecutorRegistry().register(executor)),
    // What the server's runtime does (src/app/build-runtime.ts).
    requestApproval: approvalRequester(approvals.service),
    machineGroups: (name) => MACHINE_GROUPS[name.toLowerCase()],
  })
  const approvalsApp = createApp({
    core: live.core,
    sessions: live.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
    approvals: approvals.service,
  })
  approvalsServer = await serveOnLoopback(approvalsApp.fetch)
  approvalsUrl = approvalsServer.baseUrl
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await approvalsServer?.close()
  await stack?.close()
  await users.close()
  if (stackDirectory) rmSync(stackDirectory, { recursive: true, force: true })
})

const pageErrors: string[] = []

beforeEach(async () => {
  if (!browser) throw new Error('the browser did not start')
  pageErrors.length = 0
  // Chromium logs every 4xx answer (expected, see browser-page.ts); so is the 503 of the approvals
  // list on the server without executors (NOT_CONFIGURED). Script and CSP errors are not.
  page = await newPage(browser, pageErrors, {
    width: 1100,
    expectedConsole: (message) =>
      /^Failed to load resource: .* status of 503/.test(message.text()) &&
      message.location().url.startsWith(`${baseUrl}/api/approvals`),
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

/** axe-core on the page as it is now (browser-page.ts). */
function checkAccessibility(where: string) {
  return checkPageAccessibility(page, where)
}

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

/**
 * Opens a reply's details: an employee's plan, scripts and risk are collapsed under them (a
 * technician's are open).
 */
async function showDetails(reply: ReturnType<Page['locator']>) {
  const details = reply.locator('.reply-details')
  await details.locator('> summary').waitFor()
  const open = await details.evaluate((node) => (node as unknown as { open: boolean }).open)
  if (!open) await details.locator('> summary').click()
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
    // A requester asks for themselves: no field to name someone else, and no workspace link.
    expect(await page.locator('#requester').isVisible()).toBe(false)
    expect(await page.locator('#workspace-link').isVisible()).toBe(false)
    await expect.poll(() => focusedId()).toBe('message')
    expect(await storedToken()).toBe(tokens.jdoe)

    const reply = await say('I forgot my AWS password')
    await showDetails(reply)
    await reply.locator('.plan-card').first().waitFor()
    expect(await reply.locator('.parameters').textContent()).toMatch(/jdoe/)

    // Asked once: after a reload the page goes straight to the chat, and its calls still work.
    await page.reload()
    await page.locator('#signed-in', { hasText: 'jdoe' }).waitFor()
    expect(await page.locator('#sign-in').isVisible()).toBe(false)
    // The conversation comes back first (the box waits for it), then the next turn follows it.
    await page.locator('.message-assistant').first().waitFor()
    await expect.poll(() => page.locator('#message').isEnabled(), { timeout: TIMEOUT }).toBe(true)
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
    // An employee's reply is plain: the plan's details are one click away.
    expect(await reply.locator('.reply').textContent()).toMatch(/nothing has been changed/)
    await showDetails(reply)
    const card = reply.locator('.plan-card')
    await card.first().waitFor()
    expect(await card.count()).toBe(1)
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
    await showDetails(answer)
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
    // Technicians and admins have a way into the workspace from the chat page.
    const workspaceLink = page.getByRole('link', { name: 'Workspace' })
    expect(await workspaceLink.isVisible()).toBe(true)
    expect(await workspaceLink.getAttribute('href')).toBe('/jobs')
    await page.locator('#requester').fill('not a username')
    expect(await page.locator('#requester').getAttribute('aria-invalid')).toBe('true')
    await say('I forgot my password')
    const error = page.locator('.message-error')
    expect(await error.textContent()).toMatch(/requester: expected a username such as jdoe/)
    expect(await page.locator('.plan-card').count()).toBe(0)
    await page.locator('#requester').fill('maria.garcia')
    const reply = await say('I forgot my AWS password')
    await showDetails(reply)
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
    await showDetails(reply)
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

describe('the approvals panel', () => {
  const panel = () => page.getByRole('region', { name: 'Approvals' })
  const cardOf = (id: string) => page.locator(`#approvals-list [data-approval-id="${id}"]`)
  const pendingIds = async () =>
    (await stack?.service.list({ status: 'pending' }))?.map((each) => each.id) ?? []

  async function openApprovalsServer() {
    await page.goto(`${approvalsUrl}/`)
    await page.locator('#token').waitFor()
  }

  async function signOut() {
    await page.locator('#sign-out').click()
    await page.locator('#token').waitFor()
  }

  /** Approve, then the second click a high or critical change asks for (from the keyboard). */
  async function approveHighRisk(
    card: ReturnType<typeof cardOf>,
    label: string,
    button = 'Approve and run',
  ) {
    await card.getByRole('button', { name: button }).click()
    const yes = card.getByRole('button', { name: label })
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe(label)
    expect(await yes.isVisible()).toBe(true)
    await page.keyboard.press('Enter')
  }

  /** Leaves nothing pending for the next test. */
  afterEach(async () => {
    for (const id of await pendingIds()) {
      await stack?.service.deny(id, { username: 'cleanup', role: 'admin' }, 'test cleanup')
    }
  })

  it('is there for a technician (empty at first, from the keyboard), never for a requester', async () => {
    await openApprovalsServer()
    await signIn('helper')
    await panel().waitFor()
    expect(await panel().locator('h2').textContent()).toBe('Approvals')
    await panel().getByText('No approvals waiting').first().waitFor()
    expect(await page.locator('#approvals-empty').isVisible()).toBe(true)
    expect(await page.locator('#approvals-toggle').getAttribute('aria-expanded')).toBe('true')
    // The chat is still there beside it.
    expect(await page.locator('#message').isVisible()).toBe(true)
    expect(await page.locator('#welcome').isVisible()).toBe(true)

    // The toggle closes and opens it (and opening reloads the list); Refresh is reachable by Tab.
    const loads: string[] = []
    page.on('request', (request) => {
      if (request.url().includes('/api/approvals?status=pending')) loads.push(request.url())
    })
    await page.locator('#approvals-toggle').focus()
    await page.keyboard.press('Enter')
    expect(await panel().isVisible()).toBe(false)
    expect(await page.locator('#approvals-toggle').getAttribute('aria-expanded')).toBe('false')
    await page.keyboard.press('Enter')
    await panel().waitFor()
    await expect.poll(() => focusedId()).toBe('approvals-title')
    await expect.poll(() => loads.length).toBe(1)
    // Refresh stays in the Tab order even while the list loads (aria-disabled, not disabled).
    await page.keyboard.press('Tab')
    expect(await focusedId()).toBe('approvals-refresh')
    await expect.poll(() => panel().getAttribute('aria-busy')).toBe(null)
    await page.keyboard.press('Enter')
    await expect.poll(() => loads.length).toBe(2)
    // Loading does not take the focus away from the button that started it.
    await expect.poll(() => panel().getAttribute('aria-busy')).toBe(null)
    expect(await focusedId()).toBe('approvals-refresh')

    await signOut()
    await signIn('jdoe')
    expect(await page.locator('#approvals-toggle').isVisible()).toBe(false)
    expect(await panel().count()).toBe(0)
    expect(await page.locator('#approvals').isVisible()).toBe(false)
  })

  it("says in plain words when the server has no approvals (no executors): the API's message", async () => {
    await signIn('helper')
    await panel().waitFor()
    const error = page.locator('#approvals-error')
    await error.waitFor()
    expect(await error.textContent()).toMatch(
      /^Approvals are not available on this server: approvals need executors/,
    )
  })

  it('a group request shows a card per machine, each with its own results and approval request', async () => {
    await openApprovalsServer()
    await signIn('jdoe')
    const reply = await say('the laptops in the finance group are running slow')
    await showDetails(reply)
    expect(await reply.locator('.plan-card').count()).toBe(3)
    const card = (target: string) => reply.locator(`.plan-card[data-target="${target}"]`)
    // The recording executor here runs Bash only: the Windows machine's steps stay dry runs.
    expect(await card('LT-0423').locator('.status-dry_run').count()).toBeGreaterThan(0)
    // Each Linux machine's held steps went to a request of its own; an employee reads who acts
    // on each above the collapsed cards.
    const notes = reply.locator('.reply-actions .plan-approval')
    await expect.poll(() => notes.count()).toBe(2)
    const noted = await notes.evaluateAll((nodes) =>
      nodes.map(
        (node) => (node as unknown as { dataset: { approvalId?: string } }).dataset.approvalId,
      ),
    )
    const linux = ['LT-0424', 'LT-0499']
    const ids: string[] = []
    for (const target of linux) {
      const held = await card(target)
        .locator('.step-status.status-awaiting_approval')
        .evaluateAll((nodes) =>
          nodes.map(
            (node) => (node as unknown as { dataset: { approvalId?: string } }).dataset.approvalId,
          ),
        )
      expect(held.length).toBeGreaterThan(0)
      expect(new Set(held).size).toBe(1)
      const id = held[0] ?? ''
      expect(noted).toContain(id)
      ids.push(id)
      // The read-only check ran on this machine, and shows once, on this card.
      expect(await card(target).locator('.status-succeeded').count()).toBe(1)
    }
    expect(new Set(ids).size).toBe(2)
    // One paragraph per machine, by name; no statuses or dry-run tags.
    const text = (await reply.locator('.reply').textContent()) ?? ''
    for (const target of ['LT-0423', ...linux]) expect(text).toContain(`on ${target}`)
    expect(text).not.toMatch(/dry run|\[dry-run\]|risk/)
    expect((await pendingIds()).sort()).toEqual([...ids].sort())
  })

  it('the requester sees in the conversation how the request ended, without reloading', async () => {
    await openApprovalsServer()
    await signIn('jdoe')
    const reply = await say('user jdoe is locked out of active directory')
    await showDetails(reply)
    const held = reply.locator('.step-status.status-awaiting_approval')
    await held.waitFor()
    const id = (await held.getAttribute('data-approval-id')) ?? ''
    expect(await page.locator('.message-outcome').count()).toBe(0)
    // A technician approves elsewhere (through the API).
    const approved = await fetch(`${approvalsUrl}/api/approvals/${id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.helper}`, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(approved.status).toBe(200)
    const outcome = page.locator('.message-outcome')
    await outcome.waitFor()
    // An employee reads it without the request's id.
    expect(await outcome.textContent()).toMatch(
      /Update on ".*": approved by helper and carried out\..*Unlock.*: succeeded/,
    )
    expect(await outcome.textContent()).not.toContain(id.slice(0, 8))
    expect(await page.locator('#status').textContent()).toMatch(/was decided/)
    // Shown once, however often the page looks again.
    await page.waitForTimeout(4500)
    expect(await page.locator('.message-outcome').count()).toBe(1)
  })

  it("shows a requester their held step's request; a technician approves it and sees what ran", async () => {
    await openApprovalsServer()
    await signIn('jdoe')
    const reply = await say('user jdoe is locked out of active directory')
    await showDetails(reply)
    const held = reply.locator('.step-status.status-awaiting_approval')
    await held.waitFor()
    const id = (await held.getAttribute('data-approval-id')) ?? ''
    expect(await pendingIds()).toEqual([id])
    expect(await held.textContent()).toBe(`awaiting approval (request ${id.slice(0, 8)})`)
    expect(await reply.locator('.plan-approval').textContent()).toMatch(
      /^A technician must approve this: 1 step, open until /,
    )
    // The read-only check ran for real (through the recording executor).
    expect(await reply.locator('.status-succeeded').count()).toBe(1)
    await held.scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/chat-page-held.png', fullPage: false })

    await signOut()
    await signIn('helper')
    const card = cardOf(id)
    await card.waitFor()
    expect(await page.locator('#approvals-count').textContent()).toBe('1 waiting')
    const facts = await card.locator('.approval-facts').textContent()
    expect(facts).toMatch(/Requested byjdoe/)
    expect(facts).toMatch(/Level2: a technician approves the plan/)
    expect(facts).toMatch(/Expires/)
    expect(await card.locator('.approval-title').textContent()).toBe(
      'Unlock a locked-out account and find what keeps locking it',
    )
    // Exactly what will run, and what the dry run (the chat's turn) found for it.
    expect(await card.locator('.approval-step pre code').allTextContents()).toEqual([
      'active_directory.unlock_account(username="jdoe")',
    ])
    expect(await card.locator('.approval-dry-run').first().textContent()).toMatch(
      /awaiting approval/,
    )
    await card.locator('.approval-others summary').click()
    expect(await card.locator('.approval-others').textContent()).toMatch(/succeeded.*ok/s)

    // At phone width the panel sits above the chat and nothing sticks out sideways.
    await page.setViewportSize({ width: 360, height: 780 })
    await page.screenshot({ path: '/tmp/chat-page-approvals-360.png', fullPage: false })
    const widest = await page.evaluate(`Math.max(
      ...[...document.querySelectorAll('header, #approvals, .approval-card, .code, #composer')]
        .map((node) => node.getBoundingClientRect().right))`)
    expect(widest).toBeLessThanOrEqual(360)
    await page.setViewportSize({ width: 1100, height: 900 })
    await page.screenshot({ path: '/tmp/chat-page-approvals.png', fullPage: false })

    const before = executor.count('account_locked.unlock_ad_account')
    // A high-risk change: the first click asks for a second one naming the action and target.
    const approveButton = card.getByRole('button', { name: 'Approve and run' })
    await approveButton.click()
    const label = 'Yes, unlock the Active Directory account for jdoe'
    const yes = card.getByRole('button', { name: label })
    await yes.waitFor()
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe(label)
    expect(await card.locator('.approval-card-status').textContent()).toBe(
      `Second click needed: press “${label}” to approve and run it, or Escape to cancel.`,
    )
    expect(await card.locator('.approval-card-status').getAttribute('role')).toBe('status')
    // The question replaces Approve and Deny until it is answered.
    expect(await approveButton.isVisible()).toBe(false)
    expect(await card.getByRole('button', { name: 'Deny…' }).isVisible()).toBe(false)
    await page.setViewportSize({ width: 1280, height: 900 })
    await yes.scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/approvals-second-click-1280.png', fullPage: false })
    await page.setViewportSize({ width: 390, height: 844 })
    await yes.scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/approvals-second-click-390.png', fullPage: false })
    expect(
      await page.evaluate(
        "document.querySelector('.approval-confirm').getBoundingClientRect().right",
      ),
    ).toBeLessThanOrEqual(390)
    await page.setViewportSize({ width: 1100, height: 900 })
    // Escape cancels: nothing ran, the focus is back on Approve.
    await page.keyboard.press('Escape')
    expect(await yes.count()).toBe(0)
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Approve and run')
    expect(await card.locator('.approval-card-status').textContent()).toBe(
      'Not approved: nothing ran.',
    )
    expect(executor.count('account_locked.unlock_ad_account')).toBe(before)
    // From the keyboard this time: Enter on Approve, then Enter on the named second click.
    await page.keyboard.press('Enter')
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe(label)
    await page.keyboard.press('Enter')
    const outcome = page.locator('.approval-outcome').first()
    await outcome.waitFor()
    expect(await outcome.locator('.approval-outcome-summary').textContent()).toBe(
      'Approved and carried out for jdoe: succeeded.',
    )
    const results = await outcome.locator('.approval-result').allTextContents()
    expect(results.join('\n')).toMatch(/Unlock the Active Directory account.*succeeded.*ok/s)
    await expect
      .poll(() => page.evaluate('document.activeElement?.className'))
      .toBe('approval-outcome-title')
    expect(await cardOf(id).count()).toBe(0)
    await page.locator('#approvals-empty').waitFor()
    expect(await page.locator('#approvals-count').isVisible()).toBe(false)
    expect(executor.count('account_locked.unlock_ad_account')).toBe(before + 1)
    expect((await stack?.service.get(id))?.status).toBe('executed')
    await page.screenshot({ path: '/tmp/chat-page-approvals-done.png', fullPage: false })
  })

  it('picks up a request from the chat at once; Deny needs a reason, then shows it denied', async () => {
    await openApprovalsServer()
    await signIn('helper')
    await page.locator('#approvals-empty').waitFor()
    // The technician asks for someone: the held step opens a request, and the list reloads.
    await page.locator('#requester').fill('maria.garcia')
    const reply = await say('user maria.garcia is locked out of active directory')
    const held = reply.locator('.step-status.status-awaiting_approval')
    await held.waitFor()
    const id = (await held.getAttribute('data-approval-id')) ?? ''
    const card = cardOf(id)
    await card.waitFor()
    expect(await card.locator('.approval-facts').textContent()).toMatch(/Requested bymaria\.garcia/)

    const denials: string[] = []
    page.on('request', (request) => {
      if (request.url().endsWith('/deny')) denials.push(request.url())
    })
    await card.getByRole('button', { name: 'Deny…' }).click()
    const reason = card.getByLabel(/Why do you deny it/)
    await expect.poll(() => page.evaluate('document.activeElement?.className')).toBe('deny-reason')
    // An empty (or blank) reason is refused here, before anything is sent.
    await reason.fill('   ')
    await reason.press('Enter')
    expect(await card.locator('.deny-form .form-error').textContent()).toMatch(
      /Say why you deny it/,
    )
    expect(await reason.getAttribute('aria-invalid')).toBe('true')
    expect(denials).toEqual([])
    expect(await pendingIds()).toEqual([id])

    await reason.fill('Locked on purpose by security, ticket SEC-12')
    await reason.press('Enter')
    const outcome = page.locator('.approval-outcome').first()
    await outcome.waitFor()
    expect(await outcome.locator('.approval-outcome-summary').textContent()).toBe(
      'Denied: Locked on purpose by security, ticket SEC-12. Nothing of it runs.',
    )
    expect(denials).toHaveLength(1)
    // The outcome is drawn before the list is loaded again: the card goes a moment later.
    await expect.poll(() => cardOf(id).count()).toBe(0)
    const denied = await stack?.service.get(id)
    expect(denied?.status).toBe('denied')
    expect(denied?.decisions.at(-1)).toMatchObject({ approver: 'helper', outcome: 'denied' })
    await outcome.getByRole('button', { name: /Dismiss/ }).click()
    expect(await page.locator('.approval-outcome').count()).toBe(0)
  })

  it("shows the API's refusals in plain words: decided by someone else first, your own request", async () => {
    if (!stack) throw new Error('no approval stack')
    const unlocksBefore = executor.count('account_locked.unlock_ad_account')
    const taken = await stack.service.requestApproval({
      plan: unlockPlan(testInstructions),
      requester: 'maria.garcia',
    })
    const own = await stack.service.requestApproval({
      plan: unlockPlan(testInstructions),
      requester: 'helper',
    })
    await openApprovalsServer()
    await signIn('helper')
    await cardOf(taken.id).waitFor()
    await cardOf(own.id).waitFor()

    // Another technician denies it while this page still shows it.
    await stack.service.deny(taken.id, { username: 'tech.anna', role: 'technician' }, 'duplicate')
    await approveHighRisk(cardOf(taken.id), 'Yes, unlock the Active Directory account for jdoe')
    const error = page.locator('#approvals-error')
    await error.waitFor()
    expect(await error.textContent()).toMatch(
      new RegExp(
        `^Could not approve .*request ${taken.id.slice(0, 8)}.*is denied already \\(denied by tech\\.anna`,
      ),
    )
    expect(await error.textContent()).toMatch(/The list has been refreshed\.$/)
    await expect.poll(() => cardOf(taken.id).count()).toBe(0)
    await expect.poll(() => focusedId()).toBe('approvals-error')

    // A technician cannot approve a technician-level step they asked for themselves (403).
    await approveHighRisk(cardOf(own.id), 'Yes, unlock the Active Directory account for jdoe')
    await expect
      .poll(() => error.textContent())
      .toMatch(/helper (asked for this plan|is who this plan is for) and cannot approve it/)
    expect(await cardOf(own.id).isVisible()).toBe(true)
    expect(await cardOf(own.id).getByRole('button', { name: 'Approve and run' }).isEnabled()).toBe(
      true,
    )
    // Neither refused approval ran anything.
    expect(executor.count('account_locked.unlock_ad_account')).toBe(unlocksBefore)
  })

  it('lets the employee confirm their own level-1 step on the plan card, from the keyboard', async () => {
    await openApprovalsServer()
    await signIn('jdoe')
    const reply = await say('my linux laptop LT-0424 is running slow')
    const note = reply.locator('.plan-approval')
    await note.waitFor()
    const id = (await note.getAttribute('data-approval-id')) ?? ''
    expect((await stack?.service.get(id))?.level).toBe(1)
    // Every text says who acts: the reply, the note, the step's label.
    expect(await reply.locator('.reply').textContent()).toMatch(
      /Next: you confirm\. Press Confirm below to go ahead, or Cancel to drop it\./,
    )
    expect(await note.textContent()).toMatch(/^You confirm this: 1 step, open until /)
    expect(await reply.locator('.approval-1').first().textContent()).toBe('you confirm')
    const confirm = reply.getByRole('button', { name: 'Confirm' })
    expect(await reply.getByRole('button', { name: 'Cancel' }).isVisible()).toBe(true)
    await confirm.scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/approvals-employee-confirm-1280.png', fullPage: false })
    await page.setViewportSize({ width: 390, height: 844 })
    await confirm.scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/approvals-employee-confirm-390.png', fullPage: false })
    const widest = await page.evaluate(`Math.max(
      ...[...document.querySelectorAll('.plan-card, .plan-confirm, .plan-approval')]
        .map((node) => node.getBoundingClientRect().right))`)
    expect(widest).toBeLessThanOrEqual(390)
    await page.setViewportSize({ width: 1100, height: 900 })

    const before = executor.count('laptop_running_slow.clean_caches_linux')
    await confirm.focus()
    await page.keyboard.press('Enter')
    const status = reply.locator('.plan-confirm-status')
    await status.filter({ hasText: 'Confirmed by you' }).waitFor()
    expect(await status.textContent()).toBe('Confirmed by you and carried out: succeeded.')
    expect(await status.getAttribute('role')).toBe('status')
    await expect.poll(() => page.evaluate('document.activeElement?.dataset.approvalId')).toBe(id)
    // The card updates: the held step shows what ran, the buttons are gone.
    const step = reply.locator(
      '.step-status[data-step-id="laptop_running_slow.clean_caches_linux"]',
    )
    expect(await step.textContent()).toBe('succeeded')
    expect(await reply.getByRole('button', { name: 'Confirm' }).count()).toBe(0)
    expect(await note.textContent()).toMatch(/Confirmed by you and carried out: succeeded\.$/)
    expect(executor.count('laptop_running_slow.clean_caches_linux')).toBe(before + 1)
    const decided = await stack?.service.get(id)
    expect(decided?.status).toBe('executed')
    expect(decided?.decisions).toMatchObject([{ approver: 'jdoe', role: 'requester' }])
    await page.screenshot({ path: '/tmp/approvals-employee-confirmed-1280.png', fullPage: false })
  })

  it('lets the employee cancel their level-1 step instead: nothing runs', async () => {
    await openApprovalsServer()
    await signIn('jdoe')
    const reply = await say('my linux laptop LT-0424 is running slow')
    const note = reply.locator('.plan-approval')
    await note.waitFor()
    const id = (await note.getAttribute('data-approval-id')) ?? ''
    const before = executor.count('laptop_running_slow.clean_caches_linux')
    await reply.getByRole('button', { name: 'Cancel' }).click()
    await expect.poll(() => note.textContent()).toMatch(/Cancelled: nothing of it runs\.$/)
    expect(await reply.getByRole('button', { name: 'Confirm' }).count()).toBe(0)
    expect((await stack?.service.get(id))?.status).toBe('denied')
    expect(executor.count('laptop_running_slow.clean_caches_linux')).toBe(before)
  })

  it('tells a technician asking for someone who confirms a level-1 step, and lets them confirm it', async () => {
    await openApprovalsServer()
    await signIn('helper')
    await page.locator('#requester').fill('maria.garcia')
    const reply = await say('my linux laptop LT-0424 is running slow')
    const note = reply.locator('.plan-approval')
    await note.waitFor()
    const id = (await note.getAttribute('data-approval-id')) ?? ''
    expect(await reply.locator('.reply').textContent()).toMatch(
      /maria\.garcia, whom it is for, or a technician confirms this step \(approval [0-9a-f]{8}/,
    )
    expect(await reply.locator('.approval-1').first().textContent()).toBe(
      'maria.garcia or a technician confirms',
    )
    expect(await note.textContent()).toMatch(
      /^maria\.garcia or a technician confirms this: .* You can confirm it here\.$/,
    )
    const stored = await stack?.service.get(id)
    expect(stored).toMatchObject({ requester: 'maria.garcia', actor: 'helper', level: 1 })
    await reply.getByRole('button', { name: 'Confirm' }).click()
    await expect
      .poll(() => note.textContent())
      .toMatch(/Confirmed by helper and carried out: succeeded\.$/)
    expect((await stack?.service.get(id))?.decisions).toMatchObject([
      { approver: 'helper', role: 'technician' },
    ])
  })

  it('gives no Confirm for a technician-level step: the reply says a technician must approve', async () => {
    await openApprovalsServer()
    await signIn('jdoe')
    const reply = await say('user jdoe is locked out of active directory')
    await reply.locator('.plan-approval').waitFor()
    expect(await reply.getByRole('button', { name: 'Confirm' }).count()).toBe(0)
    expect(await reply.locator('.reply').textContent()).toMatch(
      /Next: a technician reviews and approves the change, typically within \d+ minutes\. I carry it out as soon as it is approved; you'll see the result here\./,
    )
    expect(await reply.locator('.plan-approval').textContent()).toMatch(
      /^A technician must approve this: 1 step, open until .*\. You'll see the result here\.$/,
    )
  })

  it("shows the technician the employee's words, what the checks found and whose machine it is", async () => {
    await openApprovalsServer()
    await signIn('jdoe')
    const words = 'my linux laptop LT-0424 is running slow <b>since Monday</b>'
    const reply = await say(words)
    const note = reply.locator('.plan-approval')
    await note.waitFor()
    const id = (await note.getAttribute('data-approval-id')) ?? ''
    await signOut()
    await signIn('helper')
    const card = cardOf(id)
    await card.waitFor()
    const quoted = card.locator('.approval-words')
    expect(await quoted.locator('figcaption').textContent()).toBe("In jdoe's words")
    // Shown as text, never as HTML.
    expect(await quoted.locator('blockquote').textContent()).toBe(words)
    expect(await quoted.locator('b').count()).toBe(0)
    const checks = card.locator('.approval-checks')
    expect(await checks.locator('h4').textContent()).toBe('What the checks found')
    expect(await checks.locator('.approval-check').allTextContents()).toEqual([
      'Read load, memory, swap, disk space, disk I/O and the top processes on Linux on LT-0424 succeededok',
    ])
    const facts = await card.locator('.approval-facts').textContent()
    expect(facts).toMatch(/MachineLT-0424: laptop, assigned to jdoe and the finance group/)
    expect(facts).toMatch(/Level1: the requester confirms, or a technician approves/)
    await card.scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/approvals-technician-card-1280.png', fullPage: false })
    await page.setViewportSize({ width: 390, height: 844 })
    await card.locator('.approval-words').scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/approvals-technician-card-390.png', fullPage: false })
    const widest = await page.evaluate(`Math.max(
      ...[...document.querySelectorAll('.approval-card, .approval-words, .approval-checks')]
        .map((node) => node.getBoundingClientRect().right))`)
    expect(widest).toBeLessThanOrEqual(390)
  })

  it('approves a per-step (level 3) request step by step', async () => {
    if (!stack) throw new Error('no approval stack')
    const request = await stack.service.requestApproval({
      plan: criticalPrinterPlan(testInstructions),
      requester: 'jdoe',
    })
    await openApprovalsServer()
    await signIn('helper')
    const card = cardOf(request.id)
    await card.waitFor()
    expect(await card.locator('.approval-facts').textContent()).toMatch(
      /Level3: a technician approves each step/,
    )
    const boxes = card.getByLabel('Approve this step')
    expect(await boxes.count()).toBe(CRITICAL_PRINTER_STEPS.length)
    const approve = card.getByRole('button', { name: 'Approve selected steps' })

    // None chosen: refused here.
    for (const box of await boxes.all()) await box.uncheck()
    await approve.click()
    expect(await card.locator('.approval-card-status').textContent()).toMatch(/Choose at least one/)

    // One step first: the request stays pending, that step shows who approved it.
    await boxes.first().check()
    // Critical: a second click naming only the chosen step and its machine.
    await approveHighRisk(
      card,
      'Yes, re-enable the CUPS queue and let it accept jobs on LT-0423',
      'Approve selected steps',
    )
    await page.locator('#approvals-status', { hasText: 'the others still wait' }).waitFor()
    const again = cardOf(request.id)
    await again.locator('.approval-step-approved', { hasText: 'Approved by helper' }).waitFor()
    expect(await again.getByLabel('Approve this step').count()).toBe(
      CRITICAL_PRINTER_STEPS.length - 1,
    )
    expect((await stack.service.get(request.id)).status).toBe('pending')

    await approveHighRisk(
      again,
      'Yes, cancel the stuck jobs on the CUPS queue and restart CUPS on LT-0423',
      'Approve selected steps',
    )
    const outcome = page.locator('.approval-outcome').first()
    await outcome.waitFor()
    expect(await outcome.locator('.approval-outcome-summary').textContent()).toMatch(
      /^Approved and carried out for jdoe: (succeeded|failed)\.$/,
    )
    expect(await outcome.locator('.approval-result').count()).toBeGreaterThan(0)
    expect((await stack.service.get(request.id)).status).toBe('executed')
  })
})

describe('replies for employees, quick replies and continuity', () => {
  /** What a reply shows to its reader, visible or not. */
  const replyText = async (reply: ReturnType<Page['locator']>) =>
    (await reply.locator('.reply').textContent()) ?? ''

  /** The right edge of the widest box: nothing may stick out sideways at phone width. */
  const widest = () =>
    page.evaluate(`Math.max(
      ...[...document.querySelectorAll('header, .message, .plan-card, .code, .guidance, .requests, #composer')]
        .filter((node) => node.getClientRects().length > 0)
        .map((node) => node.getBoundingClientRect().right))`) as Promise<number>

  it('an employee reads a short reply without scripts, risks or dry-run tags; the details are one click away', async () => {
    await signIn('jdoe')
    await page.setViewportSize({ width: 1280, height: 900 })
    const reply = await say('I have no sound on my laptop LT-0423')
    const text = await replyText(reply)
    expect(text).toMatch(/nothing has been changed/)
    expect(text).toMatch(/Next: /)
    for (const technical of [/\brisk\b/i, /\[dry-run\]/, /dry run/i, /the employee/i])
      expect(text).not.toMatch(technical)
    // The runbook's advice, addressed to the employee, as a numbered list that wraps.
    const advice = reply.locator('.reply ol.numbered li')
    expect(await advice.count()).toBeGreaterThanOrEqual(2)
    expect(await advice.first().textContent()).toMatch(/^Open Settings > System > Sound/)
    // The plan is there, collapsed: no script, risk or status in sight.
    const details = reply.locator('.reply-details')
    expect(await details.evaluate((node) => (node as unknown as { open: boolean }).open)).toBe(
      false,
    )
    expect(await reply.locator('.plan-card').isVisible()).toBe(false)
    expect(await reply.locator('.badge').first().isVisible()).toBe(false)
    await page.screenshot({ path: '/tmp/replies-employee-1280.png', fullPage: false })
    await page.setViewportSize({ width: 390, height: 844 })
    await reply.scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/replies-employee-390.png', fullPage: false })
    expect(await widest()).toBeLessThanOrEqual(390)

    // From the keyboard: the summary opens the plan, scripts and risk.
    await details.locator('> summary').focus()
    await page.keyboard.press('Enter')
    const card = reply.locator('.plan-card')
    await card.waitFor()
    expect(await card.locator('.badge').first().textContent()).toMatch(/^risk /)
    // Guidance in the plan is wrapped prose in numbered steps, not a code block.
    const guidance = card.locator('.guidance-steps li')
    expect(await guidance.count()).toBeGreaterThanOrEqual(2)
    expect(await card.locator('pre code', { hasText: 'Settings > System > Sound' }).count()).toBe(0)
    await card.locator('.guidance').first().scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/replies-details-390.png', fullPage: false })
    expect(await widest()).toBeLessThanOrEqual(390)
  })

  it('a technician reads the full reply with the details open', async () => {
    await signIn('helper')
    await page.setViewportSize({ width: 1280, height: 900 })
    const reply = await say('I have no sound on my laptop LT-0423')
    expect(await replyText(reply)).toMatch(/\(risk (low|medium|high|critical);/)
    expect(
      await reply
        .locator('.reply-details')
        .evaluate((node) => (node as unknown as { open: boolean }).open),
    ).toBe(true)
    await reply.locator('.plan-card').waitFor()
    expect(await reply.locator('.plan-card pre code').count()).toBeGreaterThan(0)
    await page.screenshot({ path: '/tmp/replies-technician-1280.png', fullPage: false })
  })

  it('a quick-reply button answers a question with a fixed list of answers, from the keyboard', async () => {
    await signIn('jdoe')
    await page.setViewportSize({ width: 390, height: 844 })
    const question = await say('I forgot my password')
    await question.locator('.prompt').waitFor()
    const buttons = question.locator('.quick-reply')
    expect(await buttons.count()).toBeGreaterThanOrEqual(2)
    // The quick replies' group (the reply's thumbs are a group of their own).
    expect(
      await question.getByRole('group', { name: /^Answers to: / }).getAttribute('aria-label'),
    ).toMatch(/^Answers to: /)
    await page.screenshot({ path: '/tmp/replies-quick-390.png', fullPage: false })
    expect(await widest()).toBeLessThanOrEqual(390)
    const directory = question.getByRole('button', { name: /Active Directory/ })
    const label = (await directory.textContent()) ?? ''
    const replies = await page.locator('.message-assistant').count()
    await directory.focus()
    await page.keyboard.press('Enter')
    const answer = page.locator('.message-assistant').nth(replies)
    await answer.locator('.reply-details').waitFor({ state: 'attached' })
    await expect.poll(() => page.locator('#message').isEnabled()).toBe(true)
    expect(await page.locator('.message-user').last().textContent()).toMatch(label)
    expect(await answer.locator('.plan-card').count()).toBe(1)
    expect(await answer.locator('.plan-card .parameters').textContent()).toMatch(/active_directory/)
    // Spent: the question's buttons cannot send a second answer.
    expect(await buttons.first().isDisabled()).toBe(true)
  })

  it('a reload restores the open conversation; My requests lists each request with its status', async () => {
    await signIn('kim')
    await say('my printer is not working')
    await page.locator('#new-conversation').click()
    await say('can you order toner for the 3rd floor')
    await page.locator('#new-conversation').click()
    await say('I have no sound on my laptop LT-0423')

    await page.reload()
    await page.locator('#signed-in', { hasText: 'kim' }).waitFor()
    const restored = page.locator('.message-user .text')
    await restored.first().waitFor()
    expect(await restored.allTextContents()).toEqual(['I have no sound on my laptop LT-0423'])
    expect(await page.locator('.message-assistant .reply').first().textContent()).toMatch(
      /What you can do now/,
    )

    const requests = page.locator('#requests')
    await requests.locator('summary').focus()
    await page.keyboard.press('Enter')
    const items = requests.locator('.request')
    await expect.poll(() => items.count()).toBe(3)
    const statusOf = async (text: string) =>
      (await items.filter({ hasText: text }).locator('.request-status').textContent()) ?? ''
    expect(await statusOf('my printer is not working')).toBe('Waiting for your answer')
    expect(await statusOf('order toner')).toBe('Handed off')
    expect(await statusOf('no sound')).toBe('Done')
    expect(await items.filter({ hasText: 'no sound' }).getAttribute('aria-current')).toBe('true')
    await page.setViewportSize({ width: 390, height: 844 })
    await page.screenshot({ path: '/tmp/replies-requests-390.png', fullPage: false })
    expect(await widest()).toBeLessThanOrEqual(390)
    await page.setViewportSize({ width: 1280, height: 900 })
    await page.screenshot({ path: '/tmp/replies-requests-1280.png', fullPage: false })

    // From the keyboard: open the waiting one, and answer its question in the same conversation.
    await items.filter({ hasText: 'my printer is not working' }).focus()
    await page.keyboard.press('Enter')
    await page.locator('.message-user', { hasText: 'my printer is not working' }).waitFor()
    expect(await page.locator('.message-assistant .prompt').textContent()).toMatch(/printer/i)
    const next = await say('PRN-3F-EAST')
    expect(await next.locator('.prompt').textContent()).toMatch(/computer/i)
    await expect.poll(() => page.locator('.message-user').count()).toBe(2)
  })

  it('a reload shows each reply as it was shown: plan cards, step results and the open question with its quick replies', async () => {
    await signIn('pat')
    await page.setViewportSize({ width: 1280, height: 900 })
    const planned = await say('I have no sound on my laptop LT-0423')
    const shown = await planned.locator('.plan-card .step-status').allTextContents()
    expect(shown.length).toBeGreaterThan(0)
    const question = await say('I forgot my password')
    await question.locator('.quick-reply').first().waitFor()
    const options = await question.locator('.quick-reply').allTextContents()

    await page.reload()
    await page.locator('#signed-in', { hasText: 'pat' }).waitFor()
    const restored = page.locator('.message-assistant')
    await expect.poll(() => restored.count()).toBe(2)
    // The plan card, collapsed for an employee as it was, with each step's result.
    const card = restored.nth(0).locator('.plan-card')
    expect(await card.count()).toBe(1)
    expect(await card.isVisible()).toBe(false)
    await showDetails(restored.nth(0))
    expect(await card.locator('.step-status').allTextContents()).toEqual(shown)
    expect(await card.locator('.plan-title').textContent()).toMatch(/sound/i)
    // The open question, with its quick replies, still answerable.
    const again = restored.nth(1)
    expect(await again.locator('.prompt').textContent()).toMatch(/Active Directory/)
    expect(await again.locator('.quick-reply').allTextContents()).toEqual(options)
    expect(await again.locator('.quick-reply').first().isEnabled()).toBe(true)
    await checkAccessibility('restored conversation at 1280 px')
    // Nor a moderate one here: the messages' headings follow the page's (h1, h2, h3...).
    const all = (await page.evaluate(
      "axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations.map((each) => each.id))",
    )) as string[]
    expect(all).toEqual([])
    await page.screenshot({ path: '/tmp/restored-1280.png', fullPage: false })
    await page.setViewportSize({ width: 390, height: 844 })
    await again.scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/restored-390.png', fullPage: false })
    expect(await widest()).toBeLessThanOrEqual(390)
    await checkAccessibility('restored conversation at 390 px')

    // Answered from the restored buttons: the same conversation goes on to a plan.
    await again.getByRole('button', { name: /Active Directory/ }).click()
    await expect.poll(() => restored.count()).toBe(3)
    await restored.nth(2).locator('.plan-card').waitFor({ state: 'attached' })
    await expect.poll(() => page.locator('#message').isEnabled()).toBe(true)
    // Once answered, a later reload shows that question's buttons spent.
    await page.reload()
    await page.locator('#signed-in', { hasText: 'pat' }).waitFor()
    await expect.poll(() => restored.count()).toBe(3)
    expect(await restored.nth(1).locator('.quick-reply').first().isDisabled()).toBe(true)
    expect(await restored.nth(2).locator('.plan-card').count()).toBe(1)
    await page.setViewportSize({ width: 1280, height: 900 })
  })

  it('the chat page has no serious or critical accessibility violations, signed out and in, at 1280 and 390 px', async () => {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 })
      await checkAccessibility(`sign-in form at ${width} px`)
    }
    await signIn('helper')
    await say('I have no sound on my laptop LT-0423')
    await say('I forgot my password')
    // With "My requests" open too.
    await page.locator('#requests summary').click()
    await page.locator('#requests .request').first().waitFor()
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 })
      await checkAccessibility(`technician's conversation at ${width} px`)
      await page.screenshot({ path: `/tmp/axe-technician-${width}.png`, fullPage: false })
    }
    // The check itself fails on a violation: a button without a name is a critical one.
    await page.evaluate("document.body.append(document.createElement('button'))")
    await expect(checkAccessibility('a nameless button')).rejects.toThrow(/button-name/)
  })

  it("keeps an employee's Confirm in sight, and after a reload, while their level-1 change waits", async () => {
    await page.goto(`${approvalsUrl}/`)
    await page.locator('#token').waitFor()
    await signIn('lee')
    const reply = await say('my linux laptop LT-0424 is running slow')
    // Outside the collapsed details: who acts, and the buttons.
    const actions = reply.locator('.reply-actions')
    await actions.getByRole('button', { name: 'Confirm' }).waitFor()
    expect(await actions.locator('.plan-approval').textContent()).toMatch(
      /^You confirm this: 1 step, open until/,
    )
    expect(await replyText(reply)).toMatch(/Next: you confirm\. Press Confirm below/)
    expect(await replyText(reply)).not.toMatch(/approval [0-9a-f]{8}/)
    await page.screenshot({ path: '/tmp/replies-confirm-1280.png', fullPage: false })

    await page.reload()
    await page.locator('#signed-in', { hasText: 'lee' }).waitFor()
    const confirm = page.locator('.reply-actions').getByRole('button', { name: 'Confirm' })
    await confirm.waitFor()
    const requests = page.locator('#requests')
    await requests.locator('summary').click()
    await expect
      .poll(() => requests.locator('.request-status').first().textContent())
      .toBe('Waiting for your answer')
    await confirm.click()
    await page
      .locator('.plan-approval', { hasText: 'Confirmed by you and carried out: succeeded.' })
      .waitFor()

    await page.locator('#new-conversation').click()
    await say('user lee is locked out of active directory')
    await expect
      .poll(async () => (await requests.locator('.request-status').allTextContents()).join('|'))
      .toBe('Awaiting approval|Done')
  })
})
