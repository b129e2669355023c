import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  cleanCachesPlan,
  loadTestInstructions,
  unlockPlan,
} from '../../src/approvals/testing/approval-fixture.ts'
import {
  checkAccessibility,
  SCREENSHOTS,
  signInAt,
  tabTo,
  useWorkspaceBrowser,
  widestRight,
} from '../support/workspace-browser.ts'

// The approvals inbox (/approvals) in Chromium with the app's strict CSP: a pending request with
// the employee's words, the checks' findings and the exact scripts; approved from the keyboard
// (confirmed) and denied with a reason; axe-core at 1280 and 390 px, screenshots.

const workspace = useWorkspaceBrowser()
let page: Page

async function request(words: string, plan: 'clean' | 'unlock') {
  const instructions = await loadTestInstructions()
  const built = plan === 'clean' ? cleanCachesPlan(instructions) : unlockPlan(instructions)
  const check = built.steps.find((step) => step.approvalLevel === 0)
  return workspace.target.world.stack.service.requestApproval({
    plan: built,
    requester: 'carol',
    requestText: words,
    ...(check
      ? {
          dryRunResults: [
            {
              stepId: check.id,
              status: 'succeeded',
              wouldRun: 'ps aux --sort=-%mem | head',
              stdout: 'chrome 2.1 GB\nteams 900 MB',
              stderr: '',
              exitCode: 0,
              durationMs: 40,
              changed: false,
            },
          ],
        }
      : {}),
  })
}

describe('approvals inbox', () => {
  it('shows what was asked, what the checks found and the scripts, and approves from the keyboard', async () => {
    const pending = await request(
      'My laptop is so slow since this morning, can you clean it up?',
      'clean',
    )
    page = await workspace.newPage()
    await signInAt(page, workspace.target, '/approvals', 'tom')
    const item = page.locator('.ws-inbox-item', { hasText: 'for carol' }).first()
    await item.waitFor()
    await page.locator('body').click({ position: { x: 1, y: 1 } })
    await tabTo(page, '.ws-inbox-item[aria-current], .ws-inbox-item')
    // The newest is first: carol's.
    await page.keyboard.press('Enter')
    const detail = page.locator('section[aria-labelledby="approval-title"]')
    await detail.locator('.ws-words', { hasText: 'so slow since this morning' }).waitFor()
    await detail.locator('.ws-checks', { hasText: 'chrome 2.1 GB' }).waitFor()
    expect(await detail.locator('.ws-steps .ws-script').count()).toBeGreaterThan(0)
    expect(await page.evaluate('document.activeElement?.id')).toBe('approval-title')
    await page.screenshot({ path: `${SCREENSHOTS}/approvals-1280.png` })
    await checkAccessibility(page, 'approval at 1280 px')

    await tabTo(page, 'button:not(.ws-inbox-item).button-primary')
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog', { name: 'Approve and run now?' })
    await dialog.waitFor()
    await checkAccessibility(page, 'approve dialog')
    // The dialog opens on its confirm button; the optional reason is one Shift+Tab before it.
    expect(await page.evaluate('document.activeElement?.textContent?.trim()')).toMatch(
      /^Yes, run it/,
    )
    await page.keyboard.press('Shift+Tab')
    expect(await page.evaluate('document.activeElement?.id')).toBe('approve-reason')
    await page.keyboard.type('Checked the memory use with carol on the phone.')
    await page.screenshot({ path: `${SCREENSHOTS}/approvals-dialog-1280.png` })
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    const outcome = page.locator('.ws-outcome', { hasText: 'Approved' })
    await outcome.waitFor()
    expect(await outcome.textContent()).toContain('Checked the memory use with carol on the phone.')
    const decided = await workspace.target.world.stack.service.get(pending.id)
    expect(decided?.status).not.toBe('pending')
    expect(decided?.decisions).toMatchObject([
      {
        outcome: 'approved',
        approver: 'tom',
        reason: 'Checked the memory use with carol on the phone.',
      },
    ])
    // Recorded in the audit trail with the grant.
    const records = await workspace.target.world.stack.audit.list({ newest: true, limit: 20 })
    const grant = records.find(
      (record) => record.action === 'approval-grant' && JSON.stringify(record).includes(pending.id),
    )
    expect(grant?.detail).toMatchObject({
      reason: 'Checked the memory use with carol on the phone.',
    })
  })

  it('denies with a reason, and asks for one first', async () => {
    const pending = await request('Please unlock my account, I typed the password wrong', 'unlock')
    page = await workspace.newPage(390)
    await signInAt(page, workspace.target, `/approvals#approval=${pending.id}`, 'ada')
    const detail = page.locator('section[aria-labelledby="approval-title"]')
    await detail.locator('.ws-words').waitFor()
    expect(await widestRight(page)).toBeLessThanOrEqual(390)
    await checkAccessibility(page, 'approval at 390 px')
    await page.evaluate('window.scrollTo(0, 0)')
    await page.screenshot({ path: `${SCREENSHOTS}/approvals-390.png` })
    await page.getByRole('button', { name: 'Deny' }).click()
    await page.getByText('Say why you deny it').waitFor()
    expect((await workspace.target.world.stack.service.get(pending.id))?.status).toBe('pending')
    await page
      .getByLabel(/Reason to deny/)
      .fill('Call the service desk to confirm who you are first.')
    await page.getByRole('button', { name: 'Deny' }).click()
    await page.locator('.ws-outcome', { hasText: 'Denied' }).waitFor()
    expect((await workspace.target.world.stack.service.get(pending.id))?.status).toBe('denied')
  })

  it('tells a requester the screen is not theirs', async () => {
    page = await workspace.newPage()
    await signInAt(page, workspace.target, '/approvals', 'bob')
    await page.getByText('The approvals screen is for technicians and admins.').waitFor()
    await checkAccessibility(page, 'requester refused')
  })
})
