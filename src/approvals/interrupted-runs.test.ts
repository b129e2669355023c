import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CoreAgent } from '../agent/adapters/core-agent.ts'
import { openLiveStack } from '../agent/adapters/testing/live-approval-stack.ts'
import { lastReply } from '../agent/event-stream.ts'
import { isHelpdeskError } from '../errors/index.ts'
import { JobHistory } from '../jobs/job-history.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { Approver } from './approval-rules.ts'
import { describeEnding } from './conversation-report.ts'
import { SqliteApprovalStore } from './sqlite-approval-store.ts'
import {
  type ApprovalStack,
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
  unlockPlan,
} from './testing/approval-fixture.ts'

const anna: Approver = { username: 'tech.anna', role: 'technician' }
const CHECK = 'account_locked.check_ad_status'
const UNLOCK = 'account_locked.unlock_ad_account'
const GUIDANCE = 'account_locked.remove_stale_credentials'

let instructions: Map<string, Instruction>
let file: string
let stacks: ApprovalStack[]

beforeEach(async () => {
  instructions = await loadTestInstructions()
  file = path.join(mkdtempSync(path.join(tmpdir(), 'interrupted-runs-')), 'helpdesk.sqlite')
  stacks = []
})

afterEach(async () => {
  for (const stack of stacks) await stack.close()
})

function open(executor = new RecordingExecutor()): ApprovalStack & { executor: RecordingExecutor } {
  const stack = openApprovalStack({ file, instructions, executor })
  stacks.push(stack)
  return { ...stack, executor }
}

/**
 * A "server" approves the unlock plan and runs it until `stopAt` starts, where the step hangs
 * for good: what a SIGKILL at that moment leaves in the store (the step "started", audited, no
 * result). `stopAt` undefined: approved and killed before the run began.
 */
async function killedRun(stopAt?: string): Promise<string> {
  const crashed = open()
  const request = await crashed.service.requestApproval({
    plan: unlockPlan(instructions),
    requester: 'jdoe',
  })
  await crashed.service.approve(request.id, anna)
  if (stopAt) {
    let started: () => void = () => {}
    const reached = new Promise<void>((resolve) => {
      started = resolve
    })
    crashed.executor.beforeRun = (step) => {
      if (step.id !== stopAt) return
      started()
      return new Promise(() => {})
    }
    void crashed.service.executeApproved(request.id)
    await reached
  }
  return request.id
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (isHelpdeskError(error)) return `${error.code}: ${error.message}`
    throw error
  }
  return 'no error'
}

describe('interrupted approved runs, found at start', () => {
  it('killed mid-step: the step is unknown, never re-run; the rest waits for a technician', async () => {
    const id = await killedRun(UNLOCK)
    const next = open()
    const [found, ...others] = await next.service.recoverInterrupted()
    expect(others).toEqual([])
    expect(found).toMatchObject({
      id,
      status: 'interrupted',
      interruption: { unknownSteps: [UNLOCK], waitingSteps: [GUIDANCE] },
    })
    expect((await next.service.list({ status: 'interrupted' })).map((each) => each.id)).toEqual([
      id,
    ])
    // Found once: a second start finds nothing new.
    expect(await next.service.recoverInterrupted()).toEqual([])

    // Nothing runs it, and approve/deny say what to do instead of a bare conflict.
    expect(await codeOf(next.service.executeApproved(id))).toMatch(
      /^APPROVAL_INTERRUPTED: .*outcome of account_locked.unlock_ad_account is unknown.*\/resume/,
    )
    expect(await codeOf(next.service.approve(id, anna))).toMatch(/^APPROVAL_INTERRUPTED: /)
    expect(await codeOf(next.service.deny(id, anna, 'no'))).toMatch(/^APPROVAL_INTERRUPTED: /)

    // Only a technician resumes, saying what they found for each unknown step.
    expect(
      await codeOf(
        next.service.resume(
          id,
          { username: 'jdoe', role: 'requester' },
          { resolve: {}, stop: false, reason: 'x' },
        ),
      ),
    ).toMatch(/^FORBIDDEN: only a technician or admin/)
    expect(
      await codeOf(next.service.resume(id, anna, { resolve: {}, stop: false, reason: 'looked' })),
    ).toMatch(/^INVALID_INPUT: resolve: .*missing: account_locked.unlock_ad_account/)
    expect(
      await codeOf(
        next.service.resume(id, anna, {
          resolve: { [UNLOCK]: 'succeeded', [CHECK]: 'succeeded' },
          stop: false,
          reason: 'looked',
        }),
      ),
    ).toMatch(/^INVALID_INPUT: resolve: account_locked.check_ad_status is not of unknown outcome/)
    expect(
      await codeOf(
        next.service.resume(id, anna, {
          resolve: { [UNLOCK]: 'succeeded' },
          stop: false,
          reason: ' ',
        }),
      ),
    ).toMatch(/^INVALID_INPUT: reason/)
    expect((await next.service.get(id)).status).toBe('interrupted')

    const resumed = await next.service.resume(id, anna, {
      resolve: { [UNLOCK]: 'succeeded' },
      stop: false,
      reason: 'the account shows unlocked in ADUC',
    })
    expect(resumed).toMatchObject({
      status: 'approved',
      interruption: { resumed: { by: 'tech.anna', resolved: { [UNLOCK]: 'succeeded' } } },
    })
    const run = await next.service.executeApproved(id, { actor: 'tech.anna' })
    expect(run.results.map((result) => [result.stepId, result.status, result.replayed])).toEqual([
      [CHECK, 'succeeded', true],
      [UNLOCK, 'succeeded', true],
      [GUIDANCE, 'skipped', false],
    ])
    expect(run.results[1]?.stdout).toMatch(/tech.anna checked .* found it succeeded/)
    expect(run.approval).toMatchObject({ status: 'executed', execution: { outcome: 'succeeded' } })
    expect(next.executor.count(UNLOCK)).toBe(0)
    expect(
      await codeOf(next.service.resume(id, anna, { resolve: {}, stop: false, reason: 'again' })),
    ).toMatch(/^APPROVAL_CONFLICT: .* is executed, not interrupted/)
    const actions = (await next.audit.list()).map((record) => record.action)
    expect(actions.slice(-3)).toEqual(['approval-interrupt', 'approval-resume', 'approval-execute'])
    expect(await next.audit.verify()).toMatchObject({ ok: true })
  })

  it('an unknown step the technician found failed ends the run failed; nothing after it runs', async () => {
    const id = await killedRun(UNLOCK)
    const next = open()
    await next.service.recoverInterrupted()
    await next.service.resume(id, anna, {
      resolve: { [UNLOCK]: 'failed' },
      stop: false,
      reason: 'still locked',
    })
    const run = await next.service.executeApproved(id)
    expect(run.results.map((result) => result.status)).toEqual(['succeeded', 'failed', 'skipped'])
    expect(run.results[1]).toMatchObject({ errorCode: 'FAILED_PER_TECHNICIAN' })
    expect(run.approval.execution?.outcome).toBe('failed')
    expect(next.executor.ran).toEqual([])
  })

  it('killed before the first step: nothing is unknown, every step waits; resumed, each runs once', async () => {
    const id = await killedRun()
    const next = open()
    const [found] = await next.service.recoverInterrupted()
    expect(found?.interruption).toMatchObject({
      unknownSteps: [],
      waitingSteps: [CHECK, UNLOCK, GUIDANCE],
    })
    expect(next.executor.ran).toEqual([])
    await next.service.resume(id, anna, { resolve: {}, stop: false, reason: 'still needed' })
    const run = await next.service.executeApproved(id)
    expect(run.approval.execution?.outcome).toBe('succeeded')
    expect([next.executor.count(CHECK), next.executor.count(UNLOCK)]).toEqual([1, 1])
  })

  it('killed between steps, then stopped by a technician: the rest never runs', async () => {
    const id = await killedRun(UNLOCK)
    const next = open()
    await next.service.recoverInterrupted()
    await next.service.resume(id, anna, {
      resolve: { [UNLOCK]: 'succeeded' },
      stop: true,
      reason: 'done by hand',
    })
    const run = await next.service.executeApproved(id, { stop: 'stopped by tech.anna' })
    expect(run.results.map((result) => result.status)).toEqual([
      'succeeded',
      'succeeded',
      'skipped',
    ])
    expect(run.results[2]?.errorMessage).toBe('not run: stopped by tech.anna')
    expect(run.approval.execution?.outcome).toBe('stopped')
    expect(next.executor.ran).toEqual([])
  })

  it('killed after its last step: the run is only finished, nothing interrupted, nothing re-run', async () => {
    const crashed = open()
    const request = await crashed.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    await crashed.service.approve(request.id, anna)
    await crashed.service.executeApproved(request.id)
    // As if the process died before it marked the request executed.
    crashed.store.close()
    const database = new DatabaseSync(file)
    database
      .prepare("UPDATE approval_requests SET status = 'approved', execution = NULL WHERE id = ?")
      .run(request.id)
    database.close()
    const next = open()
    expect(await next.service.recoverInterrupted()).toEqual([])
    expect(await next.service.get(request.id)).toMatchObject({
      status: 'executed',
      execution: { outcome: 'succeeded' },
    })
    expect(next.executor.ran).toEqual([])
  })

  it('the job shows the unknown step and the waiting ones, then their outcome after the resume', async () => {
    const storeFile = path.join(mkdtempSync(path.join(tmpdir(), 'interrupted-job-')), 's.sqlite')
    const hanging = new RecordingExecutor()
    const first = await openLiveStack((toolbox) => new CoreAgent(toolbox), {
      file: storeFile,
      executor: hanging,
    })
    const turn = await lastReply(
      first.agent.handleTurn({
        message: 'user maria.garcia is locked out of active directory',
        requester: 'maria.garcia',
      }),
    )
    const approvalId = turn.approvals?.[0]?.id ?? ''
    await first.stack.service.approve(approvalId, anna)
    let reached: () => void = () => {}
    const started = new Promise<void>((resolve) => {
      reached = resolve
    })
    hanging.beforeRun = (step) => {
      if (step.id !== UNLOCK) return
      reached()
      return new Promise(() => {})
    }
    void first.stack.service.executeApproved(approvalId, { actor: 'tech.anna' })
    await started

    const second = await openLiveStack((toolbox) => new CoreAgent(toolbox), { file: storeFile })
    const jobs = new JobHistory(second.stack.audit)
    expect((await jobs.list())[0]?.status).toBe('running')
    const [request] = await second.stack.service.recoverInterrupted()
    const [job] = await jobs.list()
    expect(job?.status).toBe('interrupted')
    expect(job?.steps.find((step) => step.stepId === UNLOCK)?.status).toBe('unknown')
    if (!request) throw new Error('the run was not found interrupted')
    expect(describeEnding(request, { kind: 'interrupted' })).toMatch(
      /server stopped while it was carrying this out.*\n- Unlock .*not known whether it finished/,
    )
    await second.stack.service.resume(approvalId, anna, {
      resolve: { [UNLOCK]: 'succeeded' },
      stop: false,
      reason: 'unlocked, checked in the directory',
    })
    await second.stack.service.executeApproved(approvalId)
    const [after] = await jobs.list()
    expect(after?.status).toBe('succeeded')
    expect(after?.steps.find((step) => step.stepId === UNLOCK)?.status).toBe('succeeded')
    await second.close()
    await first.close()
  })

  it('a store from before `interrupted` existed is upgraded in place, keeping its requests', async () => {
    const old = new DatabaseSync(file)
    old.exec(`CREATE TABLE approval_requests (
      id TEXT PRIMARY KEY, requester TEXT NOT NULL, task_type TEXT NOT NULL, level INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'executed')),
      created_at TEXT NOT NULL, expires_at TEXT NOT NULL, version INTEGER NOT NULL,
      body TEXT NOT NULL, decisions TEXT NOT NULL, execution TEXT);
      CREATE INDEX approval_requests_by_status ON approval_requests (status, created_at);`)
    const body = JSON.stringify({
      runbook: { id: 'r', title: 'R' },
      plan: { steps: [] },
      steps: [],
    })
    old
      .prepare(
        `INSERT INTO approval_requests VALUES ('a1', 'jdoe', 't', 2, 'approved', '2026-01-01T00:00:00Z',
         '2026-01-01T01:00:00Z', 2, ?, '[]', NULL)`,
      )
      .run(body)
    old.close()
    const store = new SqliteApprovalStore({ file })
    const again = new SqliteApprovalStore({ file })
    try {
      expect(await again.get('a1')).toMatchObject({ status: 'approved', version: 2 })
      const marked = await store.markInterrupted('a1', 2, {
        at: '2026-01-01T00:30:00Z',
        unknownSteps: [],
        waitingSteps: [],
      })
      expect(marked).toMatchObject({ status: 'interrupted', version: 3 })
      expect(await store.markInterrupted('a1', 2, marked?.interruption ?? ({} as never))).toBe(
        undefined,
      )
    } finally {
      await store.close()
      await again.close()
    }
  })
})
