import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { Approver } from './approval-rules.ts'
import {
  type ApprovalStack,
  CRITICAL_PRINTER_STEPS,
  criticalPrinterPlan,
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
  unlockPlan,
} from './testing/approval-fixture.ts'

const anna: Approver = { username: 'tech.anna', role: 'technician' }
const ben: Approver = { username: 'tech.ben', role: 'admin' }

let instructions: Map<string, Instruction>
let file: string
let clock: Date
let executor: RecordingExecutor
let stack: ApprovalStack

beforeEach(async () => {
  instructions = await loadTestInstructions()
  file = path.join(mkdtempSync(path.join(tmpdir(), 'approval-decisions-')), 'helpdesk.sqlite')
  clock = new Date('2026-11-21T10:00:00.000Z')
  executor = new RecordingExecutor()
  stack = openApprovalStack({ file, instructions, executor, now: () => clock })
})

afterEach(async () => {
  await stack.close()
})

const unlockStep = 'account_locked.unlock_ad_account'

describe('ApprovalService: concurrency and expiry', () => {
  it('lets exactly one of a concurrent approve and deny win', async () => {
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    const outcomes = await Promise.allSettled([
      stack.service.approve(request.id, anna),
      stack.service.deny(request.id, ben, 'no'),
    ])
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
    const lost = outcomes.find((outcome) => outcome.status === 'rejected')
    expect(lost?.status === 'rejected' && lost.reason).toMatchObject({ code: 'APPROVAL_CONFLICT' })
    expect((await stack.service.get(request.id)).decisions).toHaveLength(1)
  })

  it('lets exactly one of two servers on the same store win', async () => {
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    const other = openApprovalStack({ file, instructions, executor, now: () => clock })
    try {
      const outcomes = await Promise.allSettled([
        stack.service.deny(request.id, anna, 'no'),
        other.service.approve(request.id, ben),
      ])
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
      expect(await stack.audit.verify()).toMatchObject({ ok: true, count: 2 })
    } finally {
      await other.close()
    }
  })

  it('expires a request nobody decided in time', async () => {
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    clock = new Date('2026-11-21T11:00:00.000Z')
    await expect(stack.service.approve(request.id, anna)).rejects.toMatchObject({
      code: 'APPROVAL_EXPIRED',
    })
    expect((await stack.service.get(request.id)).status).toBe('expired')
    await expect(stack.service.deny(request.id, anna, 'late')).rejects.toMatchObject({
      code: 'APPROVAL_EXPIRED',
    })
    const expiries = (await stack.audit.list()).filter(
      (record) => record.action === 'approval-expire',
    )
    expect(expiries).toMatchObject([{ actor: 'system', requestId: request.id }])
  })

  it('sweeps what expired and lists only what is still pending', async () => {
    const early = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    clock = new Date('2026-11-21T10:30:00.000Z')
    const late = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    const swept = await stack.service.sweepExpired(new Date('2026-11-21T11:00:00.000Z'))
    expect(swept.map((each) => each.id)).toEqual([early.id])
    expect((await stack.service.list({ status: 'pending' })).map((each) => each.id)).toEqual([
      late.id,
    ])
    clock = new Date('2026-11-21T11:30:00.000Z')
    expect(await stack.service.list({ status: 'pending' })).toEqual([])
  })

  it('takes its expiry from the option', async () => {
    const short = openApprovalStack({
      file,
      instructions,
      executor,
      ttlMinutes: 5,
      now: () => clock,
    })
    try {
      const request = await short.service.requestApproval({
        plan: unlockPlan(instructions),
        requester: 'jdoe',
      })
      expect(request.expiresAt).toBe('2026-11-21T10:05:00.000Z')
    } finally {
      await short.close()
    }
  })
})

describe('ApprovalService: level 3, each step', () => {
  it('needs a technician’s approval naming each critical step before it is approved', async () => {
    const plan = criticalPrinterPlan(instructions)
    const request = await stack.service.requestApproval({ plan, requester: 'jdoe' })
    expect(request.level).toBe(3)
    const [first, second] = CRITICAL_PRINTER_STEPS.map(
      (action) => `printer_not_working_critical.${action}`,
    )
    await expect(stack.service.approve(request.id, anna)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining(String(first)),
    })
    await expect(
      stack.service.approve(request.id, anna, {
        stepIds: ['printer_not_working_critical.print_test_page_linux'],
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    const partly = await stack.service.approve(request.id, anna, { stepIds: [String(first)] })
    expect(partly.status).toBe('pending')
    await expect(
      stack.service.approve(request.id, ben, { stepIds: [String(first)] }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/approved already/),
    })
    await expect(stack.service.executeApproved(request.id)).rejects.toMatchObject({
      code: 'AWAITING_APPROVAL',
    })
    const approved = await stack.service.approve(request.id, ben, { stepIds: [String(second)] })
    expect(approved.status).toBe('approved')

    const run = await stack.service.executeApproved(request.id)
    expect(run.results.map((result) => result.status)).not.toContain('awaiting_approval')
    expect(executor.count(String(first))).toBe(1)
    expect(executor.count(String(second))).toBe(1)
    const executions = (await stack.audit.list()).filter(
      (record) => record.action === 'step-execute',
    )
    const approvers = Object.fromEntries(
      executions.map((record) => [
        record.detail.stepId,
        (record.detail.approval as { approver?: string } | null)?.approver ?? null,
      ]),
    )
    expect(approvers[String(first)]).toBe('tech.anna')
    expect(approvers[String(second)]).toBe('tech.ben')
  })

  it('refuses step ids on a plan that is approved as a whole', async () => {
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    await expect(
      stack.service.approve(request.id, anna, { stepIds: [unlockStep] }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })
})
