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

// The jobs screen (/jobs) in Chromium with the app's strict CSP: the list and its filters, one
// background job followed live and cancelled from the keyboard (confirmed), a chat plan's run,
// a requester's clear refusal; axe-core at 1280 and 390 px, screenshots in docs/screenshots/.

const workspace = useWorkspaceBrowser()
let page: Page

describe('jobs screen', () => {
  it('lists jobs, filters them, follows a running job live and cancels it from the keyboard', async () => {
    const running = await workspace.target.world.workflowJobsEngine.jobFor('alice', { slow: true })
    page = await workspace.newPage()
    await signInAt(page, workspace.target, '/jobs', 'tom')
    const rows = page.locator('.ws-table tbody tr')
    // Six people's finished workflow jobs, their chat runs, and alice's running job.
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(13)
    await expect(
      page.locator('nav[aria-label="Workspace"] a[aria-current="page"]').textContent(),
    ).resolves.toBe('Jobs')
    // The audit link is for admins: a technician does not see it.
    expect(await page.locator('nav a[href="/audit"]').count()).toBe(0)

    await page.getByLabel('Requester').fill('alice')
    await page.getByLabel('Status').selectOption('running')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => rows.count()).toBe(1)
    expect(await page.locator(`button[data-job="${running}"]`).count()).toBe(1)

    await checkAccessibility(page, 'jobs list at 1280 px')

    // Keyboard only: to the job, open it, to Cancel, confirm.
    await page.locator('body').click({ position: { x: 1, y: 1 } })
    await tabTo(page, `button[data-job="${running}"]`)
    await page.keyboard.press('Enter')
    const detail = page.locator('section[aria-labelledby="job-title"]')
    await detail.locator('.ws-status-running').first().waitFor()
    expect(await page.evaluate('document.activeElement?.id')).toBe('job-title')
    await detail.locator('th[scope="row"]', { hasText: 'SRV-01' }).waitFor()
    await page.screenshot({ path: `${SCREENSHOTS}/jobs-1280.png` })
    await checkAccessibility(page, 'running job at 1280 px')

    await tabTo(page, 'button.ws-cancel-job')
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog', { name: 'Cancel this job?' })
    await dialog.waitFor()
    await checkAccessibility(page, 'cancel dialog')
    // Escape keeps the job; the focus goes back to the button.
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.isVisible()).toBe(false)
    expect(await page.evaluate('document.activeElement?.textContent?.trim()')).toBe('Cancel job…')
    expect((await workspace.target.world.workflowJobsEngine.engine.record(running))?.status).toBe(
      'running',
    )
    await page.keyboard.press('Enter')
    await dialog.waitFor()
    expect(await page.evaluate('document.activeElement?.textContent?.trim()')).toBe(
      'Yes, cancel the job',
    )
    await page.keyboard.press('Enter')
    // The stream tells the page: the job ends cancelled, and the cell says so.
    await detail.locator('dd .ws-status-cancelled').waitFor()
    await detail.locator('td .ws-status-cancelled').waitFor()
    expect((await workspace.target.world.workflowJobsEngine.engine.record(running))?.status).toBe(
      'cancelled',
    )
  })

  it("shows a chat plan's run and stays within 390 px", async () => {
    page = await workspace.newPage(390)
    await signInAt(page, workspace.target, '/jobs', 'ada')
    // An admin sees the audit link.
    expect(await page.locator('nav a[href="/audit"]').count()).toBe(1)
    await page.getByLabel('Task or operation').fill('laptop_running_slow')
    await page.getByRole('button', { name: 'Apply' }).click()
    const runs = page.locator('button[data-job]', { hasText: 'Chat plan' })
    await expect.poll(() => runs.count()).toBe(6)
    await runs.first().click()
    const detail = page.locator('section[aria-labelledby="job-title"]')
    await detail.locator('td .ws-status-succeeded').first().waitFor()
    expect(await widestRight(page)).toBeLessThanOrEqual(390)
    await checkAccessibility(page, 'chat run at 390 px')
    await page.locator('.ws-table-wrap').first().scrollIntoViewIfNeeded()
    await page.evaluate('window.scrollTo(0, 0)')
    await page.screenshot({ path: `${SCREENSHOTS}/jobs-390.png` })
  })

  it('tells a requester the screen is not theirs', async () => {
    page = await workspace.newPage()
    await signInAt(page, workspace.target, '/jobs', 'alice')
    await page.getByText('The jobs screen is for technicians and admins.').waitFor()
    expect(await page.locator('.ws-filters').count()).toBe(0)
    await checkAccessibility(page, 'requester refused')
  })
})
