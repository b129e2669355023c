import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ApprovalDecision, ApprovalStore, NewApprovalRequest } from './approval-store.ts'

/**
 * Run by every ApprovalStore implementation. `reopen` opens the same backing store again, as a
 * restarted server would; `second` opens another live connection to it, as a second process would.
 */
export interface ApprovalStoreContractInitializer {
  name: string
  create(): Promise<{
    store: ApprovalStore
    reopen: () => Promise<ApprovalStore>
    second: () => Promise<ApprovalStore>
  }>
}

export function sampleRequest(id: string, overrides: Partial<NewApprovalRequest> = {}) {
  const request: NewApprovalRequest = {
    id,
    requester: 'jdoe',
    taskType: 'account_locked',
    runbook: { id: 'account_locked', title: 'Unlock a locked-out account' },
    level: 2,
    plan: {
      taskType: 'account_locked',
      title: 'Unlock a locked-out account',
      risk: 'high',
      parameters: { username: 'jdoe', system: 'active_directory' },
      steps: [],
    },
    steps: [
      {
        stepId: 'account_locked.unlock_ad_account',
        title: 'Unlock the account',
        executor: 'active_directory',
        risk: 'high',
        readOnly: false,
        approvalLevel: 2,
        wouldRun: 'active_directory.unlock_account(username="jdoe")',
        dryRun: { status: 'dry_run', output: '[dry-run] would run: Unlock the account' },
      },
    ],
    sessionId: 'session-1',
    createdAt: '2026-11-21T10:00:00.000Z',
    expiresAt: '2026-11-21T11:00:00.000Z',
    ...overrides,
  }
  return request
}

const granted: ApprovalDecision = {
  outcome: 'approved',
  approver: 'tech.anna',
  role: 'technician',
  at: '2026-11-21T10:05:00.000Z',
}
const denied: ApprovalDecision = {
  outcome: 'denied',
  approver: 'tech.ben',
  role: 'technician',
  reason: 'not this week',
  at: '2026-11-21T10:05:00.000Z',
}

export function runApprovalStoreContract(initializer: ApprovalStoreContractInitializer): void {
  describe(`ApprovalStore contract: ${initializer.name}`, () => {
    let subject: Awaited<ReturnType<ApprovalStoreContractInitializer['create']>>
    const opened: ApprovalStore[] = []
    beforeEach(async () => {
      subject = await initializer.create()
      opened.push(subject.store)
    })
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close()
    })

    it('creates a pending request at version 1 and returns it as get does', async () => {
      const created = await subject.store.create(sampleRequest('a1'))
      expect(created).toMatchObject({ status: 'pending', version: 1, decisions: [] })
      expect(created).toMatchObject(sampleRequest('a1'))
      expect(await subject.store.get('a1')).toEqual(created)
      expect(await subject.store.get('missing')).toBeUndefined()
    })

    it("keeps the employee's words, who typed them and the machines' owners, as given", async () => {
      const request = sampleRequest('a2', {
        requestText: 'my laptop <b>LT-0423</b> is slow\nsince Monday',
        actor: 'tech.anna',
        machines: [{ name: 'LT-0423', class: 'laptop', assignedTo: ['jdoe', 'group:finance'] }],
      })
      await subject.store.create(request)
      const reopened = await subject.reopen()
      opened.push(reopened)
      expect(await reopened.get('a2')).toMatchObject(request)
      // Without them, none appear.
      await subject.store.create(sampleRequest('a3'))
      const plain = await subject.store.get('a3')
      expect(plain && 'requestText' in plain).toBe(false)
      expect(plain && 'machines' in plain).toBe(false)
    })

    it("keeps an operation's workflow whole, scripts and targets, across a reopen", async () => {
      const request = sampleRequest('w1', {
        taskType: 'operation',
        workflow: {
          steps: [
            {
              id: 'step-1',
              operation: 'service.stop',
              parameters: { service: 'dataprocessor' },
              title: 'Stop the service dataprocessor',
              risk: 'medium',
              changes: true,
              scripts: { linux: "systemctl stop -- 'dataprocessor'" },
              condition: { kind: 'only-where-running', scripts: { linux: 'true' } },
              timeoutSeconds: 60,
            },
          ],
          targets: ['dp01', 'dp02'],
          continueOnFailure: true,
        },
      })
      await subject.store.create(request)
      const reopened = await subject.reopen()
      opened.push(reopened)
      expect((await reopened.get('w1'))?.workflow).toEqual(request.workflow)
      await subject.store.create(sampleRequest('a3'))
      const plain = await subject.store.get('a3')
      expect(plain && 'workflow' in plain).toBe(false)
    })

    it('refuses a second request with the same id', async () => {
      await subject.store.create(sampleRequest('a1'))
      await expect(subject.store.create(sampleRequest('a1'))).rejects.toMatchObject({
        code: 'APPROVAL_CONFLICT',
      })
    })

    it('lists newest first, by status and by requester', async () => {
      await subject.store.create(sampleRequest('old', { createdAt: '2026-11-21T09:00:00.000Z' }))
      await subject.store.create(sampleRequest('new', { requester: 'maria.garcia' }))
      await subject.store.decide('old', 1, denied, 'denied')
      expect((await subject.store.list()).map((each) => each.id)).toEqual(['new', 'old'])
      expect((await subject.store.list({ status: 'pending' })).map((each) => each.id)).toEqual([
        'new',
      ])
      expect((await subject.store.list({ requester: 'jdoe' })).map((each) => each.id)).toEqual([
        'old',
      ])
      // Usernames compare without case.
      expect((await subject.store.list({ requester: 'JDoe' })).map((each) => each.id)).toEqual([
        'old',
      ])
      expect(await subject.store.list({ limit: 1 })).toHaveLength(1)
    })

    it('decides with compare-and-set: exactly one of two decisions on one version wins', async () => {
      await subject.store.create(sampleRequest('a1'))
      const outcomes = await Promise.all([
        subject.store.decide('a1', 1, granted, 'approved'),
        subject.store.decide('a1', 1, denied, 'denied'),
      ])
      expect(outcomes.filter(Boolean)).toHaveLength(1)
      const stored = await subject.store.get('a1')
      expect(stored?.version).toBe(2)
      expect(stored?.decisions).toHaveLength(1)
      expect(await subject.store.decide('a1', 2, granted, 'approved')).toBeUndefined()
    })

    it('keeps collecting decisions while the request stays pending', async () => {
      await subject.store.create(sampleRequest('a1', { level: 3 }))
      const first = await subject.store.decide('a1', 1, { ...granted, stepIds: ['s1'] }, 'pending')
      const second = await subject.store.decide(
        'a1',
        2,
        { ...granted, stepIds: ['s2'] },
        'approved',
      )
      expect(first?.status).toBe('pending')
      expect(second).toMatchObject({ status: 'approved', version: 3 })
      expect(second?.decisions.map((each) => each.stepIds)).toEqual([['s1'], ['s2']])
    })

    it('lets one of two connections win a decision', async () => {
      await subject.store.create(sampleRequest('a1'))
      const other = await subject.second()
      opened.push(other)
      const outcomes = await Promise.all([
        subject.store.decide('a1', 1, granted, 'approved'),
        other.decide('a1', 1, denied, 'denied'),
      ])
      expect(outcomes.filter(Boolean)).toHaveLength(1)
    })

    it('expires only pending requests that are due, each once', async () => {
      await subject.store.create(sampleRequest('due'))
      await subject.store.create(sampleRequest('later', { expiresAt: '2026-11-21T12:00:00.000Z' }))
      await subject.store.create(sampleRequest('decided'))
      await subject.store.decide('decided', 1, granted, 'approved')
      const now = new Date('2026-11-21T11:00:00.000Z')
      expect((await subject.store.expireDue(now)).map((each) => each.id)).toEqual(['due'])
      expect(await subject.store.expireDue(now)).toEqual([])
      expect((await subject.store.get('due'))?.status).toBe('expired')
      expect((await subject.store.get('decided'))?.status).toBe('approved')
      expect(await subject.store.expireDue(new Date('2026-11-21T13:00:00.000Z'), 'due')).toEqual([])
      expect(
        (await subject.store.expireDue(new Date('2026-11-21T13:00:00.000Z'), 'later')).map(
          (each) => each.id,
        ),
      ).toEqual(['later'])
      expect(await subject.store.decide('due', 2, granted, 'approved')).toBeUndefined()
    })

    it('marks an approved request executed once; an unknown outcome takes a known one', async () => {
      await subject.store.create(sampleRequest('a1'))
      const finishedAt = '2026-11-21T10:06:00.000Z'
      expect(await subject.store.markExecuted('a1', { finishedAt, outcome: 'succeeded' })).toBe(
        undefined,
      )
      await subject.store.decide('a1', 1, granted, 'approved')
      const executed = await subject.store.markExecuted('a1', { finishedAt, outcome: 'unknown' })
      expect(executed).toMatchObject({ status: 'executed', execution: { outcome: 'unknown' } })
      expect(await subject.store.markExecuted('a1', { finishedAt, outcome: 'unknown' })).toBe(
        undefined,
      )
      const known = await subject.store.markExecuted('a1', { finishedAt, outcome: 'failed' })
      expect(known?.execution?.outcome).toBe('failed')
      expect(await subject.store.markExecuted('a1', { finishedAt, outcome: 'succeeded' })).toBe(
        undefined,
      )
    })

    it('survives a reopen', async () => {
      await subject.store.create(sampleRequest('a1'))
      await subject.store.decide('a1', 1, granted, 'approved')
      await subject.store.close()
      const reopened = await subject.reopen()
      opened.push(reopened)
      expect(await reopened.get('a1')).toMatchObject({
        status: 'approved',
        decisions: [granted],
        steps: sampleRequest('a1').steps,
      })
    })
  })
}
