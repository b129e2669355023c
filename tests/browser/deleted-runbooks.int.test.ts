import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  checkAccessibility,
  launchChromium,
  newPage,
  SCREENSHOTS,
  sideways,
  tabTo,
} from '../support/browser-page.ts'
import {
  buildInstructionManagerWorld,
  type ManagerPerson,
  SMARTBOARD,
} from '../support/instruction-manager-world.ts'
import { type LoopbackServer, serveOnLoopback } from '../support/loopback-server.ts'

// A deleted runbook on the runbook manager (/instructions) in a real Chromium against the real
// HTTP server (runbook store in SQLite): a technician finds it from the keyboard and reads its
// versions with their diff (no Restore); an admin restores it at 390 px and it is in the list
// again. axe-core at 1280 and 390 px; the README's screenshot goes to docs/screenshots.

const ID = 'smartboard_not_projecting'
const REQUEST = 'the smartboard in room 4.12 says no signal from my laptop'

let world: Awaited<ReturnType<typeof buildInstructionManagerWorld>>
let server: LoopbackServer | undefined
let browser: Browser | undefined
let page: Page
const pageErrors: string[] = []

beforeAll(async () => {
  world = await buildInstructionManagerWorld()
  // Created, edited by someone else, then deleted by an admin: three versions to read.
  await world.library.create(SMARTBOARD, { username: 'tom', reason: 'new meeting rooms' })
  await world.library.update(
    ID,
    SMARTBOARD.replace('  - smartboard no signal', '  - smartboard no signal\n  - smartboard hdmi'),
    { username: 'tina', reason: 'HDMI wording' },
  )
  await world.library.delete(ID, { username: 'ada', reason: 'rooms refurbished' })
  server = await serveOnLoopback(world.app.fetch)
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await world?.close()
})

afterEach(async () => {
  await page?.close()
  expect(pageErrors).toEqual([])
})

async function openAs(person: ManagerPerson, width = 1280) {
  if (!browser || !server) throw new Error('the browser or the server did not start')
  pageErrors.length = 0
  page = await newPage(browser, pageErrors, { width })
  await page.goto(`${server.baseUrl}/instructions`)
  await page.locator('#token').fill(world.tokens[person])
  await page.locator('#token').press('Enter')
  await page.locator('.ws-user', { hasText: person }).waitFor()
  await page.locator('.runbook-item').first().waitFor()
}

const focused = (selector: string) =>
  page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)

describe('deleted runbooks on the runbook manager', () => {
  it('a technician finds a deleted runbook from the keyboard and reads its versions and diff, without Restore', async () => {
    await openAs('tom')
    expect(await page.locator(`.runbook-item[data-id="${ID}"]`).count()).toBe(0)
    await page.evaluate('window.scrollTo(0, 0); document.activeElement?.blur()')
    await tabTo(page, '#deleted-runbooks')
    await page.keyboard.press('Enter')
    await expect.poll(() => focused('#detail')).toBe(true)
    const entry = page.locator(`.deleted-runbook[data-id="${ID}"]`)
    await entry.waitFor()
    expect(await page.locator('#detail-title').textContent()).toBe('Deleted runbooks')
    expect(await entry.locator('.version-title').textContent()).toMatch(
      new RegExp(`Meeting-room smartboard.* · ${ID} · deleted .* by ada$`),
    )
    expect(await entry.locator('.version-reason').textContent()).toBe('rooms refurbished')
    await checkAccessibility(page, 'deleted runbooks at 1280 px')

    await tabTo(page, `.deleted-runbook[data-id="${ID}"] button`)
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('.version').count()).toBe(3)
    expect(await focused('#detail')).toBe(true)
    expect(await page.locator('#detail-title').textContent()).toMatch(/^History: .*\(deleted\)$/)
    expect(await page.locator('.version-title strong').allTextContents()).toEqual([
      'Version 3',
      'Version 2',
      'Version 1',
    ])
    expect(await page.locator('.version-reason').allTextContents()).toEqual([
      'rooms refurbished',
      'HDMI wording',
      'new meeting rooms',
    ])
    // The diff of version 2 from version 1, opened from the keyboard.
    await tabTo(page, '.version-diff summary')
    await page.keyboard.press('Enter')
    await page.locator('.diff-added', { hasText: '+  - smartboard hdmi' }).waitFor()
    // Technicians read; only admins restore.
    expect(await page.locator('.version button', { hasText: 'Restore' }).count()).toBe(0)
    await page.evaluate('window.scrollTo(0, 0)')
    await page.screenshot({ path: `${SCREENSHOTS}/instructions-deleted-1280.png` })
    await checkAccessibility(page, 'a deleted runbook’s versions at 1280 px')

    // Back goes to the deleted list, not to a runbook that no longer exists.
    await page.locator('#history button', { hasText: 'Back to the deleted runbooks' }).focus()
    await page.keyboard.press('Enter')
    await entry.waitFor()
    expect(await focused('#detail')).toBe(true)
  })

  it('an admin restores a deleted runbook at 390 px; it is in the list again and used at once', async () => {
    expect(await world.chatTasks(REQUEST)).not.toContain(ID)
    await openAs('ada', 390)
    await page.locator('#deleted-runbooks').click()
    await page.locator(`.deleted-runbook[data-id="${ID}"] button`).click()
    await expect.poll(() => page.locator('.version').count()).toBe(3)
    expect(await sideways(page)).toBeLessThanOrEqual(0)
    await checkAccessibility(page, 'a deleted runbook’s versions at 390 px')
    await page.evaluate("document.querySelector('#history').scrollIntoView()")
    await page.screenshot({ path: `${SCREENSHOTS}/instructions-deleted-390.png` })
    // A deletion has no text to restore: versions 1 and 2 have a button, version 3 none.
    expect(await page.locator('.version button').allTextContents()).toEqual([
      'Restore version 2',
      'Restore version 1',
    ])
    await page.locator('.version button', { hasText: 'Restore version 2' }).click()
    await page
      .locator(`.runbook-item[data-id="${ID}"][aria-current="true"]`, { hasText: 'v4' })
      .waitFor({ timeout: 60_000 })
    expect(world.library.current(ID)?.change).toBe('restored')
    expect(world.library.current(ID)?.text).toContain('smartboard hdmi')
    expect(await world.chatTasks(REQUEST)).toEqual([ID])
    expect(await sideways(page)).toBeLessThanOrEqual(0)
    await page.locator('#deleted-runbooks').click()
    await page.locator('#deleted-none', { hasText: 'No runbook is deleted.' }).waitFor()
  }, 90_000)
})
