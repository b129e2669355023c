import { readFileSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  checkAccessibility,
  launchChromium,
  newPage,
  SCREENSHOTS,
  tabTo,
} from '../support/browser-page.ts'
import {
  buildInstructionManagerWorld,
  type ManagerPerson,
  SMARTBOARD,
} from '../support/instruction-manager-world.ts'
import { type LoopbackServer, serveOnLoopback } from '../support/loopback-server.ts'

// The runbook manager (/instructions) in a real Chromium against the real HTTP server (runbook
// store in SQLite, the in-memory vector store): a runbook added in the editor is routed to by the
// next chat turn on the chat page, with no restart. axe-core at 1280 and 390 px; the README's
// screenshots go to docs/screenshots, the others to /tmp.

const REQUEST = 'the smartboard in room 4.12 says no signal from my laptop'

let world: Awaited<ReturnType<typeof buildInstructionManagerWorld>>
let server: LoopbackServer | undefined
let browser: Browser | undefined
let baseUrl = ''
let page: Page
const pageErrors: string[] = []

beforeAll(async () => {
  world = await buildInstructionManagerWorld()
  server = await serveOnLoopback(world.app.fetch)
  baseUrl = server.baseUrl
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await world?.close()
})

async function openAs(person: ManagerPerson, width = 1280) {
  if (!browser) throw new Error('the browser did not start')
  pageErrors.length = 0
  // The chat page's approvals list answers 503 on a server without executors: expected.
  page = await newPage(browser, pageErrors, {
    width,
    expectedConsole: (message) =>
      /status of 503/.test(message.text()) &&
      message.location().url.startsWith(`${baseUrl}/api/approvals`),
  })
  await page.goto(`${baseUrl}/instructions`)
  // The workspace shell's sign-in form (the same as the chat page's).
  await page.locator('#token').fill(world.tokens[person])
  await page.locator('#token').press('Enter')
  await page.locator('.ws-user', { hasText: person }).waitFor()
}

afterEach(async () => {
  await page?.close()
  expect(pageErrors).toEqual([])
})

const focusedId = () => page.evaluate('document.activeElement?.id')

describe('runbook manager page', () => {
  it('a requester is told the page is for technicians', async () => {
    await openAs('rita')
    await page.locator('.ws-denied', { hasText: 'for technicians and admins' }).waitFor()
    expect(await page.locator('#manager-body').count()).toBe(0)
  })

  it('lists, searches and filters the runbooks, and opens one from the keyboard', async () => {
    await openAs('tom')
    await page.locator('.runbook-item').first().waitFor()
    expect(await page.locator('.runbook-item').count()).toBe(23)
    await page.locator('#runbook-search').fill('vpn')
    await expect.poll(() => page.locator('.runbook-item').count()).toBe(2)
    await page.locator('#runbook-search').fill('')
    await page.locator('#filter-category').selectOption('network')
    const network = await page.locator('.runbook-item').count()
    expect(network).toBeGreaterThan(0)
    expect(network).toBeLessThan(23)
    await page.locator('#filter-category').selectOption('')
    await page.locator('#filter-executor').selectOption('aws_iam')
    await expect.poll(() => page.locator('.runbook-item').count()).toBeLessThan(23)
    await page.locator('#filter-executor').selectOption('')
    // Keyboard: focus the first runbook and press Enter.
    await page.locator('.runbook-item').first().focus()
    await page.keyboard.press('Enter')
    await page.locator('#detail-view .action-list').waitFor()
    expect(await focusedId()).toBe('detail')
    expect(await page.locator('#detail-view pre.script').count()).toBeGreaterThan(0)
    // The actions are rendered for sample values, named above them.
    expect(await page.locator('#sample-values').textContent()).toMatch(/for sample values/)
    // The README's picture: the header, the list and the open runbook.
    await page.evaluate('window.scrollTo(0, 0)')
    await page.screenshot({ path: `${SCREENSHOTS}/instructions-1280.png` })
    await checkAccessibility(page, 'runbook manager with a runbook open at 1280 px')
    // From the top of the page, Tab reaches the search, then the list.
    await page.evaluate('window.scrollTo(0, 0); document.activeElement?.blur()')
    await tabTo(page, '#runbook-search')
    await tabTo(page, '.runbook-item')
    // Export from the keyboard: the .zip the server names; the status line says so and the
    // focus stays on the button.
    await page.locator('#export-runbooks').focus()
    const [zip] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')])
    expect(zip.suggestedFilename()).toMatch(/^runbooks-\d{4}-\d{2}-\d{2}\.zip$/)
    expect(
      readFileSync(await zip.path())
        .subarray(0, 2)
        .toString('latin1'),
    ).toBe('PK')
    await expect
      .poll(() => page.locator('#page-status').textContent())
      .toBe(`Downloaded ${zip.suggestedFilename()}`)
    expect(await focusedId()).toBe('export-runbooks')
  })

  it('adds a runbook in the editor with live validation and the routing check; the next chat turn routes to it', async () => {
    await openAs('tom')
    await page.locator('.runbook-item').first().waitFor()
    await page.locator('#new-runbook').click()
    const text = page.locator('.runbook-text')
    await text.waitFor()
    // Live validation: problems by field and line, as one types.
    await text.fill(SMARTBOARD.replace('category: hardware', 'category: furniture'))
    await page.locator('.problems li', { hasText: 'line 4, category' }).waitFor()
    await page.locator('.problems button').first().click()
    expect(await page.evaluate("document.activeElement?.classList.contains('runbook-text')")).toBe(
      true,
    )
    await text.fill(SMARTBOARD)
    await page.locator('.problems-title', { hasText: 'No problems found.' }).waitFor()
    // Which runbook would this hit, after the save?
    await page.locator('.try-input').fill(REQUEST)
    await page.locator('.try-input').press('Enter')
    await page
      .locator('.try-decision', { hasText: 'Routed to smartboard_not_projecting' })
      .waitFor({ timeout: 60_000 })
    await page.screenshot({ path: '/tmp/instructions-editor-1280.png', fullPage: true })
    await checkAccessibility(page, 'runbook editor at 1280 px')
    await page.locator('.reason-input').fill('new meeting-room smartboards')
    await page.locator('.editor-actions .button-primary').click()
    await page
      .locator('#detail-title', { hasText: 'Meeting-room smartboard' })
      .waitFor({ timeout: 60_000 })
    await page.locator('.runbook-item[aria-current="true"]', { hasText: 'v1' }).waitFor()

    // The chat page, same browser (the token is remembered): the next turn routes to it.
    await page.goto(`${baseUrl}/`)
    await page.locator('#message').waitFor()
    // Technicians find the workspace (and in it the runbooks) from the chat page.
    expect(await page.locator('#workspace-link').isVisible()).toBe(true)
    await page.locator('#message').fill(REQUEST)
    await page.locator('#message').press('Enter')
    const reply = page.locator('.message-assistant').last()
    await reply.waitFor()
    await expect
      .poll(async () => (await world.library.versions('smartboard_not_projecting')).length)
      .toBe(1)
    expect(await world.chatTasks(REQUEST)).toEqual(['smartboard_not_projecting'])
    await page
      .locator('.message-assistant', { hasText: /smartboard/i })
      .first()
      .waitFor()
    await page.screenshot({ path: '/tmp/instructions-chat-1280.png' })
  }, 120_000)

  it('admins see the history with its diff, restore a version and delete with confirmation', async () => {
    await openAs('ada')
    await page.goto(`${baseUrl}/instructions?id=smartboard_not_projecting`)
    await page.locator('#detail-view .action-list').waitFor()
    // An edit, so there is a diff and an older version to restore.
    await page.locator('#detail-view .button-primary', { hasText: 'Edit' }).click()
    const text = page.locator('.runbook-text')
    await text.fill(
      SMARTBOARD.replace(
        '  - smartboard no signal',
        '  - smartboard no signal\n  - smartboard hdmi',
      ),
    )
    await page.locator('.problems-title', { hasText: 'No problems found.' }).waitFor()
    await page.locator('.reason-input').fill('HDMI wording')
    await page.locator('.editor-actions .button-primary').click()
    await page
      .locator('.runbook-item[aria-current="true"]', { hasText: 'v2' })
      .waitFor({ timeout: 60_000 })
    await page.locator('#detail-view .button-secondary', { hasText: 'History' }).click()
    await page.locator('.version').first().waitFor()
    await page.locator('.version-diff summary').first().click()
    await page.locator('.diff-added', { hasText: '+  - smartboard hdmi' }).waitFor()
    expect(await page.locator('.version-reason').first().textContent()).toBe('HDMI wording')
    await page.screenshot({ path: '/tmp/instructions-history-1280.png', fullPage: true })
    await page.locator('.version button', { hasText: 'Restore version 1' }).click()
    await page
      .locator('.runbook-item[aria-current="true"]', { hasText: 'v3' })
      .waitFor({ timeout: 60_000 })
    // Delete: a dialog asks first; Cancel keeps it.
    await page.locator('#detail-view .button-danger').click()
    await page.locator('#delete-dialog[open]').waitFor()
    await page.keyboard.press('Escape')
    expect(world.library.current('smartboard_not_projecting')).toBeDefined()
    await page.locator('#detail-view .button-danger').click()
    await page.locator('#delete-reason').fill('rooms refurbished')
    await page.locator('#delete-confirm').click()
    await expect
      .poll(() => world.library.current('smartboard_not_projecting'), { timeout: 60_000 })
      .toBeUndefined()
    await expect.poll(() => page.locator('.runbook-item').count()).toBe(23)
  }, 120_000)

  it('a save with a problem is refused and listed, Escape leaves the editor; a technician sees the history without Restore', async () => {
    const id = 'vpn_troubleshooting'
    const before = (await world.library.versions(id)).length
    await openAs('tom')
    await page.goto(`${baseUrl}/instructions?id=${id}`)
    await page.locator('#detail-view .action-list').waitFor()
    await page.locator('#detail-view .button-primary', { hasText: 'Edit' }).click()
    const text = page.locator('.runbook-text')
    await page.locator('.problems-title', { hasText: 'No problems found.' }).waitFor()
    const markdown = await text.inputValue()
    await text.fill(markdown.replace(/^category: .*$/m, 'category: furniture'))
    // Saved at once, before the live check: the server's 400 lists the problems all the same.
    await page.locator('.editor-actions .button-primary').click()
    await page
      .locator('.form-error', { hasText: 'Not saved: fix the problems listed above.' })
      .waitFor()
    await page.locator('.problems li', { hasText: 'category' }).first().waitFor()
    expect(await text.getAttribute('aria-invalid')).toBe('true')
    expect(await page.evaluate("document.activeElement?.classList.contains('runbook-text')")).toBe(
      true,
    )
    expect((await world.library.versions(id)).length).toBe(before)
    // Escape in the editor (outside the text, where it would be typing) goes back to the runbook.
    await page.locator('.reason-input').focus()
    await page.keyboard.press('Escape')
    await page.locator('#detail-view .action-list').waitFor()
    expect(await page.locator('.runbook-text').count()).toBe(0)

    // A valid edit, so there is an older version; a technician reads it but restores nothing.
    await page.locator('#detail-view .button-primary', { hasText: 'Edit' }).click()
    await text.fill(markdown.replace(/^risk: .*$/m, 'risk: high'))
    await page.locator('.problems-title', { hasText: 'No problems found.' }).waitFor()
    await page.locator('.reason-input').fill('VPN changes need a second look')
    await page.locator('.editor-actions .button-primary').click()
    await page
      .locator('.runbook-item[aria-current="true"]', { hasText: `v${before + 1}` })
      .waitFor({ timeout: 60_000 })
    await page.locator('#detail-view .button-secondary', { hasText: 'History' }).click()
    await expect.poll(() => page.locator('.version').count()).toBe(before + 1)
    expect(await page.locator('.version-reason').first().textContent()).toBe(
      'VPN changes need a second look',
    )
    expect(await page.locator('.version button', { hasText: 'Restore' }).count()).toBe(0)
    await page.locator('.version-diff summary').first().click()
    await page.locator('.diff-removed', { hasText: /^-risk: / }).waitFor()
    await page.locator('#history button', { hasText: 'Back to the runbook' }).click()
    await page.locator('#detail-view .action-list').waitFor()
    expect(await page.evaluate('document.activeElement?.id')).toBe('detail')
  }, 120_000)

  it('hand-off topics: a refused save names the field, a saved topic is used at once, an admin restores the old version', async () => {
    await openAs('ada')
    await page.locator('.runbook-item').first().waitFor()
    await page.locator('#hand-off-topics').focus()
    await page.keyboard.press('Enter')
    const text = page.locator('#topics-text')
    await expect.poll(() => text.inputValue()).toContain('topics:')
    const original = await text.inputValue()
    await text.fill('topics:\n  - topic: Bad Name\n    handoff: ""\n    examples: []\n')
    await page.locator('#topics-save').click()
    await page.locator('#topics-problems', { hasText: 'problem' }).waitFor()
    await page.locator('.problems li', { hasText: 'topics.0.topic' }).waitFor()
    expect(await text.getAttribute('aria-invalid')).toBe('true')
    await checkAccessibility(page, 'hand-off topics with problems at 1280 px')
    await text.fill(
      `${original.trimEnd()}\n  - topic: parking\n    handoff: Parking permits are handled by facilities at parking@example.com.\n    examples:\n      - I need a parking permit for the garage\n      - my car park pass expired\n      - can I get a parking space for my visitor\n`,
    )
    await page.locator('#topics-reason').fill('parking goes to facilities')
    await page.locator('#topics-save').click()
    await expect
      .poll(() => page.locator('#page-status').textContent(), { timeout: 60_000 })
      .toMatch(/saved as version 2/)
    expect(world.knowledge.handoffs.get('parking')).toMatch(/facilities/)
    await page.locator('.version-reason', { hasText: 'parking goes to facilities' }).waitFor()
    await page.screenshot({ path: '/tmp/instructions-topics-1280.png', fullPage: true })
    await page.locator('.version button', { hasText: 'Restore version 1' }).click()
    await expect
      .poll(() => page.locator('#page-status').textContent(), { timeout: 60_000 })
      .toMatch(/Version 1 of the hand-off topics restored/)
    expect(world.knowledge.handoffs.get('parking')).toBeUndefined()
    await expect.poll(() => text.inputValue()).toBe(original)
    // Escape outside the text box goes back to the runbooks.
    await page.locator('#topics-reason').focus()
    await page.keyboard.press('Escape')
    await expect.poll(() => focusedId()).toBe('runbook-search')
  }, 120_000)

  it('works at 390 px: list above the runbook, nothing wider than the screen', async () => {
    await openAs('tom', 390)
    await page.locator('.runbook-item').first().waitFor()
    await page.screenshot({ path: `${SCREENSHOTS}/instructions-390.png`, fullPage: false })
    await checkAccessibility(page, 'runbook list at 390 px')
    await page.locator('.runbook-item', { hasText: 'account' }).first().click()
    await page.locator('#detail-view .action-list').waitFor()
    // An account runbook's steps name the sample account.
    await page.locator('#detail-view pre.script', { hasText: 'jdoe' }).first().waitFor()
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')
    expect(overflow).toBeLessThanOrEqual(0)
    await page.locator('#detail').scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/instructions-detail-390.png', fullPage: false })
    await page.locator('#detail-view .button-primary', { hasText: 'Edit' }).click()
    await page.locator('.runbook-text').waitFor()
    await page.locator('.problems-title', { hasText: 'No problems found.' }).waitFor()
    await page.screenshot({ path: '/tmp/instructions-editor-390.png', fullPage: false })
    await checkAccessibility(page, 'runbook editor at 390 px')
    await page.locator('#hand-off-topics').click()
    await expect.poll(() => page.locator('#topics-text').inputValue()).toContain('topics:')
    expect(
      await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
    ).toBeLessThanOrEqual(0)
    await page.screenshot({ path: '/tmp/instructions-topics-390.png', fullPage: false })
    await checkAccessibility(page, 'hand-off topics at 390 px')
  }, 60_000)
})
