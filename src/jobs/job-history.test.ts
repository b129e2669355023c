import { describe, expect, it } from 'vitest'
import { CoreAgent } from '../agent/adapters/core-agent.ts'
import { openLiveStack } from '../agent/adapters/testing/live-approval-stack.ts'
import { lastReply } from '../agent/event-stream.ts'
import { JobHistory } from './job-history.ts'

const TECHNICIAN = { username: 'tech.anna', role: 'technician' as const }
const CHECK = 'account_locked.check_ad_status'
const UNLOCK = 'account_locked.unlock_ad_account'

/** A held unlock asked for by maria.garcia, through the real execution, approval and audit. */
async function heldUnlock() {
  const live = await openLiveStack((toolbox) => new CoreAgent(toolbox))
  const turn = await lastReply(
    live.agent.handleTurn({
      message: 'user maria.garcia is locked out of active directory',
      requester: 'maria.garcia',
    }),
  )
  const approvalId = turn.approvals?.[0]?.id ?? ''
  return { ...live, approvalId, jobs: new JobHistory(live.stack.audit) }
}

describe('JobHistory (from the audit trail)', () => {
  it('one job follows the request: checks run, the unlock held, then run by the approval', async () => {
    const { jobs, stack, approvalId, close } = await heldUnlock()
    const [held] = await jobs.list({ requester: 'maria.garcia' })
    expect(held?.status).toBe('awaiting_approval')
    expect(held?.taskType).toBe('account_locked')
    expect(held?.approvals).toEqual([approvalId])
    const status = (job: typeof held, stepId: string) =>
      job?.steps.find((step) => step.stepId === stepId)?.status
    expect(status(held, CHECK)).toBe('succeeded')
    expect(status(held, UNLOCK)).toBe('held')

    await stack.service.approve(approvalId, TECHNICIAN)
    await stack.service.executeApproved(approvalId, { actor: TECHNICIAN.username })
    const [done, ...others] = await jobs.list({ requester: 'maria.garcia' })
    expect(others).toEqual([])
    expect(done?.id).toBe(held?.id)
    expect(done?.status).toBe('succeeded')
    expect(status(done, UNLOCK)).toBe('succeeded')
    expect(done?.steps.find((step) => step.stepId === UNLOCK)?.actor).toBe('tech.anna')
    expect(await jobs.get(held?.id ?? '', { requester: 'maria.garcia' })).toEqual(done)
    // Usernames compare without case: Maria.Garcia is the same person.
    expect(await jobs.get(held?.id ?? '', { requester: 'Maria.Garcia' })).toEqual(done)
    await close()
  })

  it('a denied approval ends the job denied; nothing shows to another requester', async () => {
    const { jobs, stack, approvalId, close } = await heldUnlock()
    await stack.service.deny(approvalId, TECHNICIAN, 'not during the audit freeze')
    const [denied] = await jobs.list({})
    expect(denied?.status).toBe('denied')
    expect(denied?.steps.find((step) => step.stepId === UNLOCK)?.status).toBe('denied')
    expect(await jobs.list({ requester: 'jdoe' })).toEqual([])
    expect(await jobs.get(denied?.id ?? '', { requester: 'jdoe' })).toBeUndefined()
    await close()
  })
})
