import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  checkAccessibility,
  SCREENSHOTS,
  signInAt,
  tabTo,
  useWorkspaceBrowser,
  widestRight,
} from '../support/workspace-browser.ts'

// The audit viewer (/audit, admins only) in Chromium with the app's strict CSP: the chain's
// verification, a search by who and what from the keyboard, paging, a technician's refusal;
// axe-core at 1280 and 390 px, screenshots.

const workspace = useWorkspaceBrowser()
let page: Page

describe('audit viewer', () => {
  it('verifies the chain and searches by who and what from the keyboard', async () => {
    page = await workspace.newPage()
    await signInAt(page, workspace.target, '/audit', 'ada')
    await page.locator('.ws-verified', { hasText: 'Intact' }).waitFor()
    const rows = page.locator('table tbody tr')
    await expect.poll(() => rows.count()).toBe(50)
    // Older pages go on where the first ended.
    await page.getByRole('button', { name: 'Older' }).click()
    await page.getByText('Page 2:').waitFor()
    await page.getByRole('button', { name: 'Newer' }).click()
    await page.getByText('Page 1:').waitFor()

    await page.locator('body').click({ position: { x: 1, y: 1 } })
    await tabTo(page, '#audit-actor')
    await page.keyboard.type('tom')
    await page.keyboard.press('Tab')
    await page.keyboard.type('job-start')
    await page.keyboard.press('Enter')
    await expect.poll(() => rows.count()).toBe(6)
    const actors = await page.locator('table tbody tr td:nth-child(3)').allTextContents()
    expect(new Set(actors)).toEqual(new Set(['tom']))
    await page.screenshot({ path: `${SCREENSHOTS}/audit-1280.png` })
    await checkAccessibility(page, 'audit at 1280 px')
  })

  it('names a bad filter, and fits 390 px', async () => {
    page = await workspace.newPage(390)
    await signInAt(page, workspace.target, '/audit', 'ada')
    await page.locator('.ws-verified').waitFor()
    await page.getByLabel('What (action)').fill('DROP TABLE')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByText('action: expected an action').waitFor()
    await page.getByLabel('What (action)').fill('')
    await page.getByRole('button', { name: 'Search' }).click()
    await expect.poll(() => page.locator('table tbody tr').count()).toBe(50)
    expect(await widestRight(page)).toBeLessThanOrEqual(390)
    await checkAccessibility(page, 'audit at 390 px')
    await page.evaluate('window.scrollTo(0, 0)')
    await page.screenshot({ path: `${SCREENSHOTS}/audit-390.png` })
  })

  it('tells a technician the screen is for admins, and the API refuses', async () => {
    page = await workspace.newPage()
    await signInAt(page, workspace.target, '/audit', 'tom')
    await page.getByText('The audit screen is for admins.').waitFor()
    await checkAccessibility(page, 'technician refused')
    const status = await page.evaluate(
      `fetch('/api/audit', { headers: { authorization: 'Bearer ${workspace.target.world.tokens.tom}' } }).then((response) => response.status)`,
    )
    expect(status).toBe(403)
  })
})
