import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { Approver } from './approval-rules.ts'
import { stepIdempotencyKey } from './step-execution-ledger.ts'
import {
  type ApprovalStack,
  cleanCachesPlan,
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
  unlockPlan,
} from './testing/approval-fixture.ts'

const anna: Approver = { username: 'tech.anna', role: 'technician' }
const checkStep = 'account_locked.check_ad_status'
const unlockStep = 'account_locked.unlock_ad_account'

let instructions: Map<string, Instruction>
let file: string
let executor: RecordingExecutor
let stacks: ApprovalStack[]

function open(): ApprovalStack {
  const stack = openApprovalStack({ file, instructions, executor })
  stacks.push(stack)
  return stack
}

beforeEach(async () => {
  instructions = await loadTestInstructions()
  file = path.join(mkdtempSync(path.join(tmpdir(), 'approval-execution-')), 'helpdesk.sqlite')
  executor = new RecordingExecutor()
  stacks = []
})

afterEach(async () => {
  for (const stack of stacks) await stack.close()
})

async function approvedUnlock(stack: ApprovalStack): Promise<string> {
  const request = await stack.service.requestApproval({
    plan: unlockPlan(instructions),
    requester: 'jdoe',
  })
  await stack.service.approve(request.id, anna)
  return request.id
}

describe('ApprovalService: running an approved plan exactly once', () => {
  it('runs each step once; a second call returns the recorded results and runs nothing', async () => {
    const stack = open()
    const id = await approvedUnlock(stack)
    const first = await stack.service.executeApproved(id)
    expect(first.results.map((result) => [result.stepId, result.status, result.replayed])).toEqual([
      [checkStep, 'succeeded', false],
      [unlockStep, 'succeeded', false],
      ['account_locked.remove_stale_credentials', 'skipped', false],
    ])
    expect(first.results[1]?.idempotencyKey).toBe(stepIdempotencyKey(id, unlockStep))
    expect(first.approval).toMatchObject({
      status: 'executed',
      execution: { outcome: 'succeeded' },
    })
    const second = await stack.service.executeApproved(id)
    expect(second.results.map((result) => result.replayed)).toEqual([true, true, true])
    expect(second.results[1]).toMatchObject({ status: 'succeeded', stdout: 'ok' })
    expect(executor.count(unlockStep)).toBe(1)
    expect(executor.count(checkStep)).toBe(1)
  })

  it('shares one run between concurrent calls, and between two servers nothing runs twice', async () => {
    const stack = open()
    const id = await approvedUnlock(stack)
    executor.beforeRun = () => new Promise((resolve) => setTimeout(resolve, 20))
    const other = open()
    const runs = await Promise.all([
      stack.service.executeApproved(id),
      stack.service.executeApproved(id),
      other.service.executeApproved(id),
    ])
    expect(runs[0]).toBe(runs[1])
    const sawUnknown = runs.map((run) => run.results.some((result) => result.status === 'unknown'))
    expect([sawUnknown[0], sawUnknown[2]].filter(Boolean)).toHaveLength(1)
    expect(executor.count(unlockStep)).toBe(1)
    expect(executor.count(checkStep)).toBe(1)
    // The other server saw a step started and reported it unknown; the run that owned it finished
    // and recorded the known outcome.
    expect((await stack.service.get(id)).execution?.outcome).toBe('succeeded')
  })

  it('survives a restart: asked before, approved and run after, once', async () => {
    const before = open()
    const request = await before.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    await before.close()
    stacks = []

    const after = open()
    expect((await after.service.list({ status: 'pending' })).map((each) => each.id)).toEqual([
      request.id,
    ])
    await after.service.approve(request.id, anna)
    await after.service.executeApproved(request.id)
    await after.close()
    stacks = []

    const again = open()
    const replay = await again.service.executeApproved(request.id)
    expect(replay.results.every((result) => result.replayed)).toBe(true)
    expect(executor.count(unlockStep)).toBe(1)
    const actions = (await again.audit.list()).map((record) => record.action)
    expect(actions).toEqual([
      'approval-request',
      'approval-grant',
      'step-execute',
      'step-result',
      'step-execute',
      'step-result',
      'approval-execute',
    ])
    expect(await again.audit.verify()).toMatchObject({ ok: true, count: actions.length })
  })

  it('reports a step started before a crash as unknown and never runs it again', async () => {
    const stack = open()
    const id = await approvedUnlock(stack)
    // What a process killed between "started" and the result leaves behind.
    await stack.ledger.begin({
      key: stepIdempotencyKey(id, checkStep),
      approvalId: id,
      stepId: checkStep,
      startedAt: '2026-11-21T10:00:00.000Z',
    })
    const run = await stack.service.executeApproved(id)
    expect(run.results.map((result) => result.status)).toEqual(['unknown', 'skipped', 'skipped'])
    expect(run.results[0]).toMatchObject({
      errorCode: 'OUTCOME_UNKNOWN',
      errorMessage: expect.stringMatching(/will not be run again/),
    })
    expect(run.approval.execution?.outcome).toBe('unknown')
    expect(executor.ran).toEqual([])
    const again = await stack.service.executeApproved(id)
    expect(again.results.map((result) => result.status)).toEqual(['unknown', 'skipped', 'skipped'])
    expect(executor.ran).toEqual([])
  })

  it('stops at the first failure and does not retry it', async () => {
    const stack = open()
    const id = await approvedUnlock(stack)
    executor.failStepId = checkStep
    const run = await stack.service.executeApproved(id)
    expect(run.results.map((result) => result.status)).toEqual(['failed', 'skipped', 'skipped'])
    expect(run.approval.execution?.outcome).toBe('failed')
    executor.failStepId = undefined
    const again = await stack.service.executeApproved(id)
    expect(again.results.map((result) => result.status)).toEqual(['failed', 'skipped', 'skipped'])
    expect(executor.ran).toEqual([checkStep])
  })

  it('runs a level-1 plan the requester confirmed', async () => {
    const stack = open()
    const request = await stack.service.requestApproval({
      plan: cleanCachesPlan(instructions),
      requester: 'jdoe',
    })
    await stack.service.approve(request.id, { username: 'jdoe', role: 'requester' })
    const run = await stack.service.executeApproved(request.id)
    expect(run.results.map((result) => result.status)).toEqual([
      'succeeded',
      'succeeded',
      'skipped',
    ])
    expect(executor.count('laptop_running_slow.clean_caches_linux')).toBe(1)
  })

  it('does not run a script that changed in the runbook after it was approved', async () => {
    const stack = open()
    const request = await stack.service.requestApproval({
      plan: cleanCachesPlan(instructions),
      requester: 'jdoe',
    })
    await stack.service.approve(request.id, { username: 'jdoe', role: 'requester' })
    const runbook = instructions.get('laptop_running_slow')
    if (!runbook) throw new Error('laptop_running_slow missing')
    instructions.set('laptop_running_slow', {
      ...runbook,
      actions: runbook.actions.map((action) =>
        action.id === 'clean_caches_linux'
          ? { ...action, script: 'sudo -n rm -rf /var/cache' }
          : action,
      ),
    })
    const run = await stack.service.executeApproved(request.id)
    expect(run.results[1]).toMatchObject({ status: 'failed', errorCode: 'APPROVED_TEXT_CHANGED' })
    expect(executor.count('laptop_running_slow.clean_caches_linux')).toBe(0)
    const refusal = (await stack.audit.list()).find((record) => record.action === 'step-refuse')
    expect(refusal?.detail.approved).toContain('journalctl')
  })
})
