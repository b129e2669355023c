import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { Approver } from './approval-rules.ts'
import {
  type ApprovalStack,
  cleanCachesPlan,
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
  unlockPlan,
} from './testing/approval-fixture.ts'

const anna: Approver = { username: 'tech.anna', role: 'technician' }
const ben: Approver = { username: 'tech.ben', role: 'admin' }
const jdoe: Approver = { username: 'jdoe', role: 'requester' }

let instructions: Map<string, Instruction>
let file: string
let clock: Date
let executor: RecordingExecutor
let stack: ApprovalStack

beforeEach(async () => {
  instructions = await loadTestInstructions()
  file = path.join(mkdtempSync(path.join(tmpdir(), 'approval-service-')), 'helpdesk.sqlite')
  clock = new Date('2026-11-21T10:00:00.000Z')
  executor = new RecordingExecutor()
  stack = openApprovalStack({ file, instructions, executor, now: () => clock })
})

afterEach(async () => {
  await stack.close()
})

describe('ApprovalService: asking', () => {
  it('shows the exact operations, targets, dry run, runbook and requester, and audits the request', async () => {
    const plan = cleanCachesPlan(instructions)
    const dryRun = await stack.execution.executePlan({
      plan,
      requester: 'jdoe',
      requestId: 'turn-1',
      dryRun: true,
    })
    const request = await stack.service.requestApproval({
      plan,
      requester: 'jdoe',
      dryRunResults: dryRun,
      sessionId: 'session-7',
    })
    expect(request).toMatchObject({
      status: 'pending',
      requester: 'jdoe',
      level: 1,
      runbook: { id: 'laptop_running_slow', title: plan.title },
      sessionId: 'session-7',
      expiresAt: '2026-11-21T11:00:00.000Z',
    })
    const clean = request.steps.find((step) => step.stepId.endsWith('clean_caches_linux'))
    expect(clean).toMatchObject({ approvalLevel: 1, target: 'LT-0423' })
    expect(clean?.wouldRun).toContain('journalctl --vacuum-time=14d')
    expect(clean?.wouldRun).toContain('bash -s')
    expect(clean?.dryRun).toMatchObject({
      status: 'dry_run',
      output: expect.stringContaining('LT-0423'),
    })
    const [record] = await stack.audit.list()
    expect(record).toMatchObject({
      actor: 'jdoe',
      action: 'approval-request',
      requestId: request.id,
    })
    expect(JSON.stringify(record?.detail.steps)).toContain('journalctl')
    expect(executor.ran).toEqual([])
  })

  it('takes each step’s level from its runbook, not from the plan it was handed', async () => {
    const plan = unlockPlan(instructions)
    const lowered = {
      ...plan,
      steps: plan.steps.map((step) => ({ ...step, approvalLevel: 1 as const })),
    }
    const request = await stack.service.requestApproval({ plan: lowered, requester: 'jdoe' })
    expect(request.level).toBe(2)
    await expect(stack.service.approve(request.id, jdoe)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
  })

  it('refuses a plan that needs no approval, and one that does not fit its runbook', async () => {
    const plan = unlockPlan(instructions)
    const readOnly = { ...plan, steps: plan.steps.filter((step) => step.approvalLevel === 0) }
    await expect(
      stack.service.requestApproval({ plan: readOnly, requester: 'jdoe' }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/without approval/),
    })
    const tampered = { ...plan, parameters: { ...plan.parameters, username: 'jdoe;rm -rf /' } }
    await expect(
      stack.service.requestApproval({ plan: tampered, requester: 'jdoe' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    expect(await stack.store.list()).toEqual([])
  })
})

describe('ApprovalService: who decides', () => {
  it('never lets the requester approve a technician-level plan, whatever their role or spelling', async () => {
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    for (const self of [
      jdoe,
      { username: 'jdoe', role: 'technician' as const },
      { username: 'JDoe', role: 'admin' as const },
    ]) {
      await expect(stack.service.approve(request.id, self)).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringMatching(/other than the requester/),
      })
    }
    expect((await stack.service.get(request.id)).status).toBe('pending')
  })

  it('lets no requester role approve a technician-level plan', async () => {
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    await expect(
      stack.service.approve(request.id, { username: 'maria.garcia', role: 'requester' }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/technician or an admin/),
    })
  })

  it('lets the requester confirm a level-1 plan, and nobody else but a technician', async () => {
    const request = await stack.service.requestApproval({
      plan: cleanCachesPlan(instructions),
      requester: 'jdoe',
    })
    await expect(
      stack.service.approve(request.id, { username: 'maria.garcia', role: 'requester' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' })
    const confirmed = await stack.service.approve(request.id, jdoe)
    expect(confirmed).toMatchObject({
      status: 'approved',
      decisions: [{ approver: 'jdoe', role: 'requester' }],
    })
    const other = await stack.service.requestApproval({
      plan: cleanCachesPlan(instructions),
      requester: 'jdoe',
    })
    expect((await stack.service.approve(other.id, anna)).status).toBe('approved')
  })

  it('records a technician’s approval with who and what, once', async () => {
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    clock = new Date('2026-11-21T10:10:00.000Z')
    const approved = await stack.service.approve(request.id, anna, { reason: 'checked with jdoe' })
    expect(approved).toMatchObject({
      status: 'approved',
      decisions: [
        {
          outcome: 'approved',
          approver: 'tech.anna',
          role: 'technician',
          reason: 'checked with jdoe',
          at: '2026-11-21T10:10:00.000Z',
        },
      ],
    })
    const grant = (await stack.audit.list()).find((record) => record.action === 'approval-grant')
    expect(grant).toMatchObject({
      actor: 'tech.anna',
      requestId: request.id,
      detail: { role: 'technician', requester: 'jdoe', status: 'approved' },
    })
    expect(JSON.stringify(grant?.detail.steps)).toContain('unlock_account(username=\\"jdoe\\")')
    await expect(stack.service.approve(request.id, ben)).rejects.toMatchObject({
      code: 'APPROVAL_CONFLICT',
      message: expect.stringMatching(/approved by tech.anna/),
    })
  })

  it('records a denial with its reason, and nothing runs', async () => {
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    await expect(stack.service.deny(request.id, anna, '  ')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    })
    await expect(
      stack.service.deny(request.id, { username: 'maria.garcia', role: 'requester' }, 'no'),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' })
    const denied = await stack.service.deny(request.id, anna, 'the account is under investigation')
    expect(denied).toMatchObject({
      status: 'denied',
      decisions: [{ outcome: 'denied', reason: 'the account is under investigation' }],
    })
    await expect(stack.service.executeApproved(request.id)).rejects.toMatchObject({
      code: 'APPROVAL_CONFLICT',
    })
    expect(executor.ran).toEqual([])
    const deny = (await stack.audit.list()).find((record) => record.action === 'approval-deny')
    expect(deny).toMatchObject({
      actor: 'tech.anna',
      detail: { reason: 'the account is under investigation' },
    })
  })

  it('lets the requester withdraw their own request', async () => {
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    expect((await stack.service.deny(request.id, jdoe, 'fixed itself')).status).toBe('denied')
  })

  it('names an unknown request, and refuses to run one still pending', async () => {
    await expect(stack.service.approve('nope', anna)).rejects.toMatchObject({
      code: 'APPROVAL_NOT_FOUND',
    })
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    await expect(stack.service.executeApproved(request.id)).rejects.toMatchObject({
      code: 'AWAITING_APPROVAL',
    })
    expect(executor.ran).toEqual([])
  })
})
