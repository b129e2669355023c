import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { describeApproval, writeReply } from '../agent/core/reply-writer.ts'
import type { PendingApproval } from '../agent/core/turn.ts'
import type { StepResult } from '../executors/executor.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { Plan } from '../planning/plan.ts'
import { REQUEST_TEXT_SHOWN } from './approval-request-builder.ts'
import { approvalRequester } from './pending-approval.ts'
import {
  type ApprovalStack,
  cleanCachesPlan,
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
} from './testing/approval-fixture.ts'

let instructions: Map<string, Instruction>
let directory: string
let stack: ApprovalStack

beforeEach(async () => {
  instructions = await loadTestInstructions()
  directory = mkdtempSync(path.join(tmpdir(), 'pending-approval-'))
  stack = openApprovalStack({
    file: path.join(directory, 'helpdesk.sqlite'),
    instructions,
    executor: new RecordingExecutor(),
    machineOf: (name) =>
      name.toUpperCase() === 'LT-0423'
        ? { name: 'LT-0423', class: 'laptop', assignedTo: ['jdoe', 'group:finance'] }
        : undefined,
  })
})

afterEach(async () => {
  await stack.close()
  rmSync(directory, { recursive: true, force: true })
})

/** What the chat's turn produced for the level-1 plan: the check ran (or not), the change held. */
function turnResults(plan: Plan, check: Partial<StepResult>): StepResult[] {
  return plan.steps.map((step): StepResult => {
    const base = {
      stepId: step.id,
      wouldRun: step.id,
      ...(step.target ? { target: step.target } : {}),
      stdout: '',
      stderr: '',
      exitCode: null,
      durationMs: 1,
      changed: false,
    }
    if (step.readOnly) return { ...base, status: 'succeeded', stdout: 'load 0.4', ...check }
    return { ...base, status: 'awaiting_approval', errorCode: 'AWAITING_APPROVAL' }
  })
}

const unreachable = {
  status: 'failed' as const,
  stdout: '',
  errorCode: 'CONNECT_FAILED',
  errorMessage: 'LT-0423 (10.0.0.23:22) cannot be reached (ECONNREFUSED)',
}

describe('approvalRequester: opening a request from a chat turn', () => {
  it("keeps the employee's words, who typed them, what the checks found and the machine's owner", async () => {
    const plan = cleanCachesPlan(instructions)
    const pending = await approvalRequester(stack.service)({
      plan,
      results: turnResults(plan, {}),
      requester: 'jdoe',
      sessionId: 'session-1',
      message: '  my laptop <b>LT-0423</b> is really slow  ',
      actor: { username: 'helper', role: 'technician' },
    })
    expect(pending).toMatchObject({ level: 1, requester: 'jdoe', actor: 'helper' })
    const stored = await stack.service.get(pending?.id ?? '')
    expect(stored.requestText).toBe('my laptop <b>LT-0423</b> is really slow')
    expect(stored.actor).toBe('helper')
    expect(stored.machines).toEqual([
      { name: 'LT-0423', class: 'laptop', assignedTo: ['jdoe', 'group:finance'] },
    ])
    const check = stored.steps.find((step) => step.readOnly)
    expect(check?.dryRun).toMatchObject({ status: 'succeeded', output: 'load 0.4' })
  })

  it('says how much of a very long message it does not show, and drops who typed it when it is the requester', async () => {
    const plan = cleanCachesPlan(instructions)
    const pending = await approvalRequester(stack.service)({
      plan,
      results: turnResults(plan, {}),
      requester: 'jdoe',
      sessionId: 'session-1',
      message: 'x'.repeat(REQUEST_TEXT_SHOWN + 25),
      actor: { username: 'JDoe', role: 'requester' },
    })
    const stored = await stack.service.get(pending?.id ?? '')
    expect(stored.requestText).toBe(
      `${'x'.repeat(REQUEST_TEXT_SHOWN)}\n[25 more characters not shown]`,
    )
    expect(stored.actor).toBeUndefined()
  })

  it('opens no request when a check of the same turn could not reach the machine', async () => {
    const plan = cleanCachesPlan(instructions)
    const results = turnResults(plan, unreachable)
    const pending = await approvalRequester(stack.service)({
      plan,
      results,
      requester: 'jdoe',
      sessionId: 'session-1',
      message: 'my laptop is slow',
    })
    expect(pending).toBeUndefined()
    expect(await stack.service.list()).toEqual([])
    // The reply says so plainly, and what to do, instead of "awaiting approval".
    const instruction = instructions.get('laptop_running_slow')
    if (!instruction) throw new Error('no runbook')
    const reply = writeReply({ plans: [{ plan, instruction, results }] })
    expect(reply).toMatch(
      /I could not reach LT-0423 \(LT-0423 \(10\.0\.0\.23:22\) cannot be reached \(ECONNREFUSED\)\), so I have not asked anyone to approve the changes/,
    )
    expect(reply).toMatch(/Check that LT-0423 is switched on and connected to the network/)
    expect(reply).not.toMatch(/awaiting approval\./)
  })

  it('still opens one when a check failed in another way (the script ran and found something)', async () => {
    const plan = cleanCachesPlan(instructions)
    const pending = await approvalRequester(stack.service)({
      plan,
      results: turnResults(plan, { ...unreachable, errorCode: 'EXIT_CODE' }),
      requester: 'jdoe',
      sessionId: 'session-1',
    })
    expect(pending?.level).toBe(1)
  })
})

describe('describeApproval: who must act', () => {
  const base: PendingApproval = {
    id: '7d4e7432-0000-0000-0000-000000000000',
    taskType: 'laptop_running_slow',
    level: 1,
    requester: 'jdoe',
    stepIds: ['laptop_running_slow.clean_caches_linux'],
    wouldRun: ['rm -rf ~/.cache/thumbnails'],
    expiresAt: '2026-11-21T11:00:00.000Z',
  }

  it('level 1: the employee confirms it here', () => {
    expect(describeApproval(base)).toBe(
      'You confirm this step (approval 7d4e7432, open until 2026-11-21 11:00 UTC): press Confirm on the plan below to carry it out, or Cancel to drop it. Nothing changes until you do.',
    )
  })

  it('level 1 asked by a technician: the person it is for or a technician', () => {
    expect(describeApproval({ ...base, actor: 'helper' })).toMatch(
      /^jdoe, whom it is for, or a technician confirms this step .*As a technician you can: press Confirm/,
    )
  })

  it('levels 2 and 3: a technician other than the one who asked', () => {
    expect(describeApproval({ ...base, level: 2 })).toBe(
      "A technician other than you must approve this step (approval 7d4e7432, open until 2026-11-21 11:00 UTC); you'll see the result here. I will carry it out as soon as it is approved.",
    )
    expect(describeApproval({ ...base, level: 3, stepIds: ['a', 'b'], actor: 'helper' })).toMatch(
      /^A technician other than you and jdoe must approve each of these 2 steps/,
    )
  })
})
