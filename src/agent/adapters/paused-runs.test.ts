import { describe, expect, it } from 'vitest'
import { lastReply } from '../event-stream.ts'
import { ADAPTERS, openLiveStack, PAUSING } from './testing/live-approval-stack.ts'

const TECHNICIAN = { username: 'tech.anna', role: 'technician' as const }
const UNLOCK = 'account_locked.unlock_ad_account'
const COMPOUND =
  'user maria.garcia is locked out of active directory and please also reset her password'

/**
 * The framework-native pauses (LangGraph's `interrupt`, LangChain's human-in-the-loop
 * middleware, the OpenAI Agents SDK's `needsApproval`) beyond the conformance cases: a paused
 * run outlives its process, and a turn's several requests may be decided in any order.
 */
for (const [name, adapter] of ADAPTERS.filter(([each]) => PAUSING.has(each))) {
  describe(`paused runs: ${name}`, () => {
    it('a run paused on an approval is resumed by a new process on the same store', async () => {
      const first = await openLiveStack(adapter)
      const turn = await lastReply(
        first.agent.handleTurn({
          message: 'user maria.garcia is locked out of active directory',
          requester: 'maria.garcia',
        }),
      )
      const approvalId = turn.approvals?.[0]?.id ?? ''
      expect(approvalId).not.toBe('')
      await first.close()

      // The "restarted server": new stores, a new adapter, the same file.
      const second = await openLiveStack(adapter, { file: first.file, executor: first.executor })
      await second.stack.service.approve(approvalId, TECHNICIAN)
      const run = await second.agent.resumeApproval?.(approvalId, {
        outcome: 'approved',
        actor: TECHNICIAN.username,
      })
      expect(run?.results.find((each) => each.stepId === UNLOCK)?.status).toBe('succeeded')
      expect(first.executor.count(UNLOCK)).toBe(1)
      const audit = await second.stack.audit.list({ limit: 1000 })
      const executed = audit.filter(
        (record) => record.action === 'step-execute' && record.detail.stepId === UNLOCK,
      )
      expect(executed).toHaveLength(1)
      expect(executed[0]?.actor).toBe(TECHNICIAN.username)
      await second.close()
    })

    it("a turn's two requests decided in reverse order: each runs once, nothing is left paused", async () => {
      const live = await openLiveStack(adapter)
      const turn = await lastReply(
        live.agent.handleTurn({ message: COMPOUND, requester: 'maria.garcia' }),
      )
      const ids = (turn.approvals ?? []).map((each) => each.id)
      expect(ids).toHaveLength(2)
      const [first, second] = ids as [string, string]
      const decide = async (id: string) => {
        await live.stack.service.approve(id, TECHNICIAN)
        const resumed = await live.agent.resumeApproval?.(id, {
          outcome: 'approved',
          actor: TECHNICIAN.username,
        })
        resumedIds.push(...(resumed ? [id] : []))
        return (
          resumed ?? (await live.stack.service.executeApproved(id, { actor: TECHNICIAN.username }))
        )
      }
      const resumedIds: string[] = []
      const later = await decide(second)
      const earlier = await decide(first)
      // LangGraph's interrupt waits on all of the turn's requests at once; the tool-call pauses
      // wait on one at a time, and the one decided out of turn goes to the service.
      expect(resumedIds).toEqual(name === 'langgraph' ? [second, first] : [first])
      // Both ran (guidance steps have nothing to run and are skipped); none failed.
      for (const run of [later, earlier]) {
        expect(run.results.some((each) => each.status === 'succeeded')).toBe(true)
        for (const result of run.results)
          expect(['succeeded', 'skipped'], result.stepId).toContain(result.status)
      }
      // Each held step ran exactly once (read-only checks also ran during the turn).
      const held = (turn.approvals ?? []).flatMap((each) => each.stepIds)
      expect(held.length).toBeGreaterThanOrEqual(2)
      for (const stepId of held) expect(live.executor.count(stepId), stepId).toBe(1)
      for (const id of ids) {
        expect((await live.stack.service.get(id)).status).toBe('executed')
        expect(
          await live.agent.resumeApproval?.(id, { outcome: 'approved', actor: 'tech.anna' }),
        ).toBeUndefined()
      }
      await live.close()
    })
  })
}
