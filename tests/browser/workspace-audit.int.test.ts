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

  it("shows a decision's reason in its own column, and none where none was given", async () => {
    const { world } = workspace.target
    const denied = await world.approvalFor('alice', 2)
    await world.stack.service.deny(
      denied.id,
      { username: 'tom', role: 'technician' },
      'the account is under investigation',
    )
    const granted = await world.approvalFor('bob', 2)
    await world.stack.service.approve(granted.id, { username: 'tina', role: 'technician' })
    page = await workspace.newPage()
    await signInAt(page, workspace.target, '/audit', 'ada')
    await page.getByLabel('What (action)').fill('approval-deny')
    await page.getByRole('button', { name: 'Search' }).click()
    const reasonHeader = page.getByRole('columnheader', { name: 'Reason' })
    await reasonHeader.waitFor()
    const column = await page.evaluate(
      `[...document.querySelectorAll('table thead th')].findIndex((cell) => cell.textContent === 'Reason') + 1`,
    )
    const row = page.locator('table tbody tr', { hasText: 'tom' }).first()
    await expect
      .poll(() => row.locator(`td:nth-child(${column})`).textContent())
      .toBe('the account is under investigation')
    await page.screenshot({ path: `${SCREENSHOTS}/audit-reason-1280.png` })
    await page.getByLabel('What (action)').fill('approval-grant')
    await page.getByLabel('Who').fill('tina')
    await page.getByRole('button', { name: 'Search' }).click()
    await expect
      .poll(() => page.locator('table tbody tr td:nth-child(3)').first().textContent())
      .toBe('tina')
    expect(await page.locator(`table tbody tr td:nth-child(${column})`).first().textContent()).toBe(
      '',
    )
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

  it('signed out: the one sign-in form, focused, with a refused token named (390 px)', async () => {
    page = await workspace.newPage(390)
    await page.goto(`${workspace.target.baseUrl}/audit`)
    const field = page.getByLabel(/Access token/)
    await field.waitFor()
    expect(await page.evaluate('document.activeElement?.id')).toBe('token')
    await page.keyboard.press('Enter')
    await page.locator('#token-error', { hasText: 'Paste your access token' }).waitFor()
    await field.fill(`hd_${'x'.repeat(43)}`)
    await field.press('Enter')
    await page.locator('#token-error', { hasText: 'not accepted' }).waitFor()
    expect(await field.getAttribute('aria-invalid')).toBe('true')
    expect(await widestRight(page)).toBeLessThanOrEqual(390)
    await checkAccessibility(page, 'sign-in at 390 px')
    await page.screenshot({ path: `${SCREENSHOTS}/workspace-sign-in-390.png` })
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
