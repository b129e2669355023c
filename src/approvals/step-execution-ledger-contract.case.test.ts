import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StepResult } from '../executors/executor.ts'
import { type StepExecutionLedger, stepIdempotencyKey } from './step-execution-ledger.ts'

/** Run by every StepExecutionLedger implementation; `second` is another process's connection. */
export interface StepExecutionLedgerContractInitializer {
  name: string
  create(): Promise<{
    ledger: StepExecutionLedger
    reopen: () => Promise<StepExecutionLedger>
    second: () => Promise<StepExecutionLedger>
  }>
}

const started = (key: string, stepId = 'account_locked.unlock_ad_account') => ({
  key,
  approvalId: 'a1',
  stepId,
  startedAt: '2026-11-21T10:00:00.000Z',
})

const result: StepResult = {
  stepId: 'account_locked.unlock_ad_account',
  status: 'succeeded',
  wouldRun: 'active_directory.unlock_account(username="jdoe")',
  stdout: 'unlocked',
  stderr: '',
  exitCode: 0,
  durationMs: 12,
  changed: true,
  data: { locked: false },
}

export function runStepExecutionLedgerContract(
  initializer: StepExecutionLedgerContractInitializer,
): void {
  describe(`StepExecutionLedger contract: ${initializer.name}`, () => {
    let subject: Awaited<ReturnType<StepExecutionLedgerContractInitializer['create']>>
    const opened: StepExecutionLedger[] = []
    beforeEach(async () => {
      subject = await initializer.create()
      opened.push(subject.ledger)
    })
    afterEach(async () => {
      for (const ledger of opened.splice(0)) await ledger.close()
    })

    it('builds keys from the approval, the step and the target', () => {
      expect(stepIdempotencyKey('a1', 'task.step')).toBe('a1:task.step')
      expect(stepIdempotencyKey('a1', 'task.step', 'LT-0423')).toBe('a1:task.step:LT-0423')
    })

    it('lets exactly one caller claim a key', async () => {
      const claims = await Promise.all([
        subject.ledger.begin(started('a1:s')),
        subject.ledger.begin(started('a1:s')),
        subject.ledger.begin({ ...started('a1:s'), startedAt: '2026-11-21T11:00:00.000Z' }),
      ])
      const winners = claims.filter((claim) => claim.claimed)
      expect(winners).toHaveLength(1)
      // Concurrent callers on a shared database may win in any order: whoever wins, every caller
      // is answered with the winner's entry, never its own attempt.
      const winning = winners[0]?.entry.startedAt
      expect(['2026-11-21T10:00:00.000Z', '2026-11-21T11:00:00.000Z']).toContain(winning)
      for (const claim of claims) expect(claim.entry.startedAt).toBe(winning)
    })

    it('lets exactly one of two connections claim a key', async () => {
      const other = await subject.second()
      opened.push(other)
      const claims = await Promise.all([
        subject.ledger.begin(started('a1:s')),
        other.begin(started('a1:s')),
      ])
      expect(claims.filter((claim) => claim.claimed)).toHaveLength(1)
    })

    it('shows a started step without a result until it is finished, then keeps the first result', async () => {
      await subject.ledger.begin({ ...started('a1:s:LT-0423'), target: 'LT-0423' })
      const before = await subject.ledger.get('a1:s:LT-0423')
      expect(before).toMatchObject({ target: 'LT-0423' })
      expect(before?.result).toBeUndefined()
      expect(await subject.ledger.finish('a1:s:LT-0423', result, '2026-11-21T10:00:01.000Z')).toBe(
        true,
      )
      expect(
        await subject.ledger.finish(
          'a1:s:LT-0423',
          { ...result, status: 'failed' },
          '2026-11-21T10:00:02.000Z',
        ),
      ).toBe(false)
      expect(await subject.ledger.get('a1:s:LT-0423')).toMatchObject({
        finishedAt: '2026-11-21T10:00:01.000Z',
        result,
      })
      expect(await subject.ledger.finish('never-begun', result, '2026-11-21T10:00:01.000Z')).toBe(
        false,
      )
      const again = await subject.ledger.begin(started('a1:s:LT-0423'))
      expect(again).toMatchObject({ claimed: false, entry: { result } })
    })

    it('lists an approval’s entries in the order they began, and survives a reopen', async () => {
      await subject.ledger.begin(started('a1:first', 'first'))
      await subject.ledger.begin(started('a1:second', 'second'))
      await subject.ledger.begin({ ...started('a2:other', 'other'), approvalId: 'a2' })
      await subject.ledger.finish('a1:first', result, '2026-11-21T10:00:01.000Z')
      await subject.ledger.close()
      const reopened = await subject.reopen()
      opened.push(reopened)
      const entries = await reopened.listFor('a1')
      expect(entries.map((entry) => entry.stepId)).toEqual(['first', 'second'])
      expect(entries[0]?.result).toEqual(result)
      expect(entries[1]?.result).toBeUndefined()
    })
  })
}
