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

interface FilterCell {
  label: string
  labelTop: number
  controlTop: number
  controlHeight: number
}

/**
 * Each filter's label and control as drawn. Cells side by side (their controls overlap
 * vertically) must start their labels and their controls at the same height, and every control
 * is as tall as the others: a select drawn shorter than the text boxes beside it fails.
 */
async function expectFiltersAligned(where: string): Promise<void> {
  const cells =
    (await page.evaluate(`[...document.querySelectorAll('.ws-filters > div:not(.ws-actions)')]
    .map((cell) => {
      const label = cell.querySelector('label').getBoundingClientRect()
      const control = cell.querySelector('input, select').getBoundingClientRect()
      return {
        label: cell.querySelector('label').textContent,
        labelTop: Math.round(label.top),
        controlTop: Math.round(control.top),
        controlHeight: Math.round(control.height),
      }
    })`)) as FilterCell[]
  expect(cells.length, where).toBe(6)
  const heights = new Set(cells.map((cell) => cell.controlHeight))
  expect([...heights], `${where}: control heights ${JSON.stringify(cells)}`).toHaveLength(1)
  for (const cell of cells) {
    for (const other of cells) {
      const sideBySide =
        cell.controlTop < other.controlTop + other.controlHeight &&
        other.controlTop < cell.controlTop + cell.controlHeight
      if (!sideBySide) continue
      expect([other.label, other.labelTop, other.controlTop], where).toEqual([
        other.label,
        cell.labelTop,
        cell.controlTop,
      ])
    }
  }
}

describe('jobs screen', () => {
  it('lists jobs, filters them, follows a running job live and cancels it from the keyboard', async () => {
    const running = await workspace.target.world.workflowJobsEngine.jobFor('alice', { slow: true })
    page = await workspace.newPage()
    await signInAt(page, workspace.target, '/jobs', 'tom')
    const rows = page.locator('.ws-table tbody tr')
    // Six people's finished workflow jobs, their chat runs, and alice's running job.
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(13)
    await expectFiltersAligned('filters at 1280 px')
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
    await expectFiltersAligned('filters at 390 px')
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
