import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { MemorySessionStore } from '../agent/core/memory-session-store.ts'
import { reportToConversation } from './conversation-report.ts'
import {
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
  unlockPlan,
} from './testing/approval-fixture.ts'

const TECHNICIAN = { username: 'tech.anna', role: 'technician' as const }

/** A held unlock for jdoe, asked for in a conversation, through the real approval stack. */
async function heldUnlock(options: { failing?: boolean } = {}) {
  const instructions = await loadTestInstructions()
  const executor = new RecordingExecutor()
  if (options.failing) executor.failStepId = 'account_locked.unlock_ad_account'
  const stack = openApprovalStack({
    file: path.join(mkdtempSync(path.join(tmpdir(), 'conversation-report-')), 'store.sqlite'),
    instructions,
    executor,
  })
  const sessions = new MemorySessionStore()
  const session = await sessions.create('jdoe')
  const request = await stack.service.requestApproval({
    plan: unlockPlan(instructions),
    requester: 'jdoe',
    sessionId: session.id,
  })
  const lastWords = async () => (await sessions.get(session.id))?.history.at(-1)?.text
  return { stack, sessions, request, lastWords }
}

describe('the conversation hears how its approval request ended', () => {
  it('approved and run: who approved it, and each held step with its outcome', async () => {
    const { stack, sessions, request, lastWords } = await heldUnlock()
    await stack.service.approve(request.id, TECHNICIAN)
    const run = await stack.service.executeApproved(request.id, { actor: 'tech.anna' })
    await reportToConversation(sessions, run.approval, {
      kind: 'executed',
      approver: 'tech.anna',
      results: run.results,
    })
    const text = await lastWords()
    expect(text).toMatch(
      new RegExp(
        `^Update on ".+" \\(approval ${request.id.slice(0, 8)}\\): approved by tech\\.anna and carried out\\.`,
      ),
    )
    expect(text).toMatch(/\n- Unlock .*: succeeded/)
    // Read-only checks are not repeated in the note: only what needed the approval.
    expect(text?.split('\n')).toHaveLength(2)
    await stack.close()
  })

  it('a failed step says so, with the reason', async () => {
    const { stack, sessions, request, lastWords } = await heldUnlock({ failing: true })
    await stack.service.approve(request.id, TECHNICIAN)
    const run = await stack.service.executeApproved(request.id, { actor: 'tech.anna' })
    await reportToConversation(sessions, run.approval, {
      kind: 'executed',
      approver: 'tech.anna',
      results: run.results,
    })
    expect(await lastWords()).toMatch(/not all of it successfully\.\n- Unlock .*: failed: /)
    await stack.close()
  })

  it('denied and expired: nothing was changed, and why', async () => {
    const { stack, sessions, request, lastWords } = await heldUnlock()
    await reportToConversation(sessions, request, {
      kind: 'denied',
      approver: 'tech.anna',
      reason: 'not during the audit freeze',
    })
    expect(await lastWords()).toMatch(
      /tech\.anna did not approve it \("not during the audit freeze"\), so nothing of it was changed\.$/,
    )
    await reportToConversation(sessions, request, { kind: 'expired' })
    expect(await lastWords()).toMatch(/nobody approved it in time, so it expired/)
    await stack.close()
  })

  it('a request from no conversation (the CLI) is left alone', async () => {
    const { stack, sessions, request, lastWords } = await heldUnlock()
    const { sessionId: _ignored, ...withoutSession } = request
    await reportToConversation(sessions, withoutSession, { kind: 'expired' })
    // Nothing was added to any conversation (the one made for the test has no history).
    expect(await lastWords()).toBeUndefined()
    // A conversation that is gone is left alone too.
    await reportToConversation(sessions, { ...request, sessionId: 'gone' }, { kind: 'expired' })
    expect(await sessions.get('gone')).toBeUndefined()
    await stack.close()
  })
})
