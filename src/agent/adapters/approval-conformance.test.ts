import { describe, expect, it } from 'vitest'
import { lastReply } from '../event-stream.ts'
import {
  ADAPTERS,
  type AdapterFactory,
  openLiveStack,
  PAUSING,
} from './testing/live-approval-stack.ts'

const TECHNICIAN = { username: 'tech.anna', role: 'technician' as const }
const UNLOCK = 'account_locked.unlock_ad_account'

/** A live stack per test, one held unlock asked for, and the API's way of deciding. */
async function live(adapter: AdapterFactory, now?: () => Date) {
  const { executor, stack, agent } = await openLiveStack(adapter, now ? { now } : {})
  const turn = await lastReply(
    agent.handleTurn({
      message: 'user maria.garcia is locked out of active directory',
      requester: 'maria.garcia',
    }),
  )
  const approvalId = turn.approvals?.[0]?.id ?? ''
  let resumedByAdapter = false
  /** What the API does on a decision: the adapter resumes its paused run, or the plan runs here. */
  const decide = async (outcome: 'approved' | 'denied') => {
    if (outcome === 'denied') {
      await stack.service.deny(approvalId, TECHNICIAN, 'not during the audit freeze')
      await agent.resumeApproval?.(approvalId, { outcome, actor: TECHNICIAN.username })
      return undefined
    }
    await stack.service.approve(approvalId, TECHNICIAN)
    const resumed = await agent.resumeApproval?.(approvalId, {
      outcome,
      actor: TECHNICIAN.username,
    })
    resumedByAdapter = resumed !== undefined
    return (
      resumed ?? (await stack.service.executeApproved(approvalId, { actor: TECHNICIAN.username }))
    )
  }
  return { turn, approvalId, executor, stack, decide, resumed: () => resumedByAdapter, agent }
}

/** Audit actions of the approved scenario, per adapter: they must be the same for all. */
const auditTrails = new Map<string, string[]>()

for (const [name, adapter] of ADAPTERS) {
  describe(`approval scenarios: ${name}`, () => {
    it('a held unlock opens one request; approved by a technician it runs exactly once', async () => {
      const { turn, approvalId, executor, stack, decide, resumed } = await live(adapter)
      expect(turn.results.find((result) => result.stepId === UNLOCK)?.status).toBe(
        'awaiting_approval',
      )
      expect(turn.approvals?.[0]?.stepIds).toEqual([UNLOCK])
      expect(executor.count(UNLOCK)).toBe(0)
      const run = await decide('approved')
      expect(run?.results.find((result) => result.stepId === UNLOCK)?.status).toBe('succeeded')
      // A run paused by its framework carried it out; the others hand it to the service.
      expect(resumed()).toBe(PAUSING.has(name))
      await stack.service.executeApproved(approvalId).catch(() => undefined)
      expect(executor.count(UNLOCK)).toBe(1)
      const audit = await stack.audit.list({ limit: 1000 })
      expect(
        audit.filter(
          (record) => record.action === 'step-execute' && record.detail.stepId === UNLOCK,
        ),
      ).toHaveLength(1)
      expect((await stack.audit.verify()).ok).toBe(true)
      auditTrails.set(
        name,
        audit.map(
          (record) =>
            `${record.action} ${String(record.detail.stepId ?? '')} ${String(record.detail.status ?? '')}`,
        ),
      )
      await stack.close()
    })

    it('denied: nothing runs and the reason is recorded', async () => {
      const { approvalId, executor, stack, decide, agent } = await live(adapter)
      await decide('denied')
      expect(executor.count(UNLOCK)).toBe(0)
      // The paused run took the denial and ended: nothing is left waiting to be resumed.
      expect(
        await agent.resumeApproval?.(approvalId, { outcome: 'approved', actor: 'tech.anna' }),
      ).toBeUndefined()
      expect(executor.count(UNLOCK)).toBe(0)
      const request = await stack.service.get(approvalId)
      expect(request.status).toBe('denied')
      expect(request.decisions.at(-1)?.reason).toBe('not during the audit freeze')
      await stack.close()
    })

    it('expired: it can no longer be approved and nothing runs', async () => {
      let clock = Date.parse('2026-11-21T10:00:00Z')
      const { approvalId, executor, stack, agent } = await live(adapter, () => new Date(clock))
      // As the server wires it: an expiry ends the run paused on it.
      stack.service.whenExpired(async (request) =>
        agent.resumeApproval?.(request.id, { outcome: 'expired', actor: 'system' }),
      )
      clock += 61 * 60_000
      expect((await stack.service.sweepExpired()).map((request) => request.id)).toEqual([
        approvalId,
      ])
      await expect(stack.service.approve(approvalId, TECHNICIAN)).rejects.toMatchObject({
        code: 'APPROVAL_EXPIRED',
      })
      expect(executor.count(UNLOCK)).toBe(0)
      // Nothing is left paused on it.
      expect(
        await agent.resumeApproval?.(approvalId, { outcome: 'approved', actor: 'tech.anna' }),
      ).toBeUndefined()
      expect(executor.count(UNLOCK)).toBe(0)
      await stack.close()
    })
  })
}

describe('approval scenarios: the same audit trail whatever the framework', () => {
  it('every adapter wrote the same audit records, in the same order, as the core', () => {
    const reference = auditTrails.get('core')
    expect(reference?.length).toBeGreaterThan(4)
    for (const [name] of ADAPTERS) expect(auditTrails.get(name), name).toEqual(reference)
  })
})
