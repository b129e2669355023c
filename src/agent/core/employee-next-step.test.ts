import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import type { StepResult } from '../../executors/executor.ts'
import { writeEmployeeReply } from './employee-reply.ts'
import type { HelpdeskCore } from './helpdesk-core.ts'

let core: HelpdeskCore
const technician = { username: 'tom', role: 'technician' as const }

beforeAll(async () => {
  core = (await buildMemoryRuntime()).core
})

describe('what happens next', () => {
  it('never sends the employee to "contact the service desk": the chat is the service desk', async () => {
    const turn = await core.handleTurn({
      message: 'LT-0423 is really slow',
      requester: 'alice',
      actor: technician,
    })
    const plan = turn.plan[0]
    if (!plan) throw new Error(`no plan: ${turn.reply}`)
    const changing = plan.steps.find((step) => !step.readOnly)
    if (!changing) throw new Error('no changing step')
    const held: StepResult = {
      stepId: changing.id,
      status: 'awaiting_approval',
      wouldRun: 'Restart-Computer',
      stdout: '',
      stderr: '',
      exitCode: null,
      durationMs: 0,
      changed: false,
    }
    const advice = {
      ...plan,
      steps: plan.steps.filter((step) => step.invocation.type === 'guidance'),
    }
    const checksOnly = {
      ...plan,
      steps: plan.steps.filter((step) => step.readOnly && step.invocation.type !== 'guidance'),
    }
    for (const reply of [
      writeEmployeeReply({ plans: [{ plan, results: [held] }] }),
      writeEmployeeReply({ plans: [{ plan: advice, results: [] }] }),
      writeEmployeeReply({ plans: [{ plan: checksOnly, results: [] }] }),
    ]) {
      expect(reply).not.toMatch(/service desk/i)
      expect(reply).toMatch(/^Next: .*(technician|tell me here)/m)
    }
  })
})

describe("a detail only a technician's change by hand needs", () => {
  it('is asked with who acts and why: shared-mailbox access is approved by its owner', async () => {
    const result = await core.handleTurn({
      message: 'I need access to the finance shared mailbox',
      requester: 'alice',
      actor: { username: 'alice', role: 'requester' },
    })
    expect(result.missing[0]).toMatchObject({
      parameter: 'mailbox',
      purpose: "grant Full Access to the shared mailbox after the owner's approval",
    })
    expect(result.reply).toMatch(/^To grant Full Access .+ owner's approval, a technician needs/)
    const next = await core.handleTurn({
      message: 'finance@example.com',
      sessionId: result.sessionId,
      requester: 'alice',
      actor: { username: 'alice', role: 'requester' },
    })
    expect(next.plan[0]?.parameters).toMatchObject({ request: 'mailbox_access' })
    expect(next.reply).toMatch(/^Next: a technician needs to grant Full Access/m)
  })
})
