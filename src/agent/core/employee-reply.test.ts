import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import type { StepResult } from '../../executors/executor.ts'
import { employeeSteps, splitSteps } from '../../knowledge/instructions/guidance-steps.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { loadInstructions } from '../../knowledge/instructions/instruction-loader.ts'
import type { Plan } from '../../planning/plan.ts'
import {
  redactForRequester,
  TYPICAL_APPROVAL_MINUTES,
  writeEmployeeReply,
} from './employee-reply.ts'
import type { HelpdeskCore } from './helpdesk-core.ts'
import { extractParameter } from './parameter-extraction.ts'
import { writeReply } from './reply-writer.ts'
import { parameterOptions } from './slot-filling.ts'
import type { PendingApproval } from './turn.ts'

let core: HelpdeskCore
let instructions: Instruction[]
const employee = { username: 'alice', role: 'requester' as const }
const technician = { username: 'tom', role: 'technician' as const }

beforeAll(async () => {
  core = (await buildMemoryRuntime()).core
  instructions = await loadInstructions('data/instructions')
})

/** Marks of a technician's reply that must never reach an employee. */
const TECHNICAL = [
  /\brisk\b/i,
  /\[dry-run\]/,
  /dry run/i,
  /tell the employee/i,
  /ask the employee/i,
]

describe('the reply for an employee', () => {
  it('is short plain text: no risks, step statuses or technician wording; advice as numbered steps', async () => {
    const result = await core.handleTurn({
      message: 'I have no sound on my laptop LT-0423',
      requester: 'alice',
      actor: employee,
    })
    expect(result.plan.length).toBeGreaterThan(0)
    for (const mark of TECHNICAL) expect(result.reply).not.toMatch(mark)
    expect(result.reply).toMatch(/nothing has been changed/)
    expect(result.reply).toMatch(/^Next: /m)
    expect(result.reply).toMatch(/What you can do now:\n1\. [A-Z].+\n2\. /)
    // The structured plan still travels beside it, for the page's collapsed details.
    expect(result.plan[0]?.steps.length).toBeGreaterThan(0)
  })

  it.each(['can you add me to jira-software-users', 'please install 7-zip on my laptop LT-0423'])(
    'after an access or application request (%s) says who acts, never "contact the service desk"',
    async (message) => {
      const result = await core.handleTurn({ message, requester: 'alice', actor: employee })
      expect(result.plan.length).toBeGreaterThan(0)
      for (const mark of TECHNICAL) expect(result.reply).not.toMatch(mark)
      expect(result.reply).not.toMatch(/contact the service desk|still not working|try the steps/i)
      expect(result.reply).toMatch(/^Next: a technician checks and approves your request/m)
    },
  )

  it('is the full reply for a technician', async () => {
    const result = await core.handleTurn({
      message: 'my teams will not sign in on laptop LT-0423',
      requester: 'alice',
      actor: technician,
    })
    expect(result.reply).toMatch(/\(risk (low|medium|high|critical);/)
    expect(result.reply).toMatch(/\[dry-run\]/)
    // Numbered guidance reads as numbered steps, in the runbook's words for the technician.
    expect(result.reply).toMatch(
      /What you can do:\n1\. Ask the employee, signed in as themselves: quit Teams/,
    )
  })

  it("never carries a failed step's address, port or error code", async () => {
    const { plan, results } = await plannedWithFailure('ssh 10.1.2.3:2222 ECONNREFUSED')
    const technicians = writeReply({ plans: [{ plan, results, instruction: instructionOf(plan) }] })
    expect(technicians).toContain('10.1.2.3:2222 ECONNREFUSED')
    const reply = writeEmployeeReply({ plans: [{ plan, results }] })
    for (const secret of ['10.1.2.3', '2222', 'ECONNREFUSED', 'ssh'])
      expect(reply).not.toContain(secret)
    expect(reply).toMatch(/could not finish; a technician can see why/)
  })

  it('says who acts next: the employee confirms level 1; a technician approves, typically within N minutes', async () => {
    const { plan } = await plannedWithFailure('unused')
    const step = plan.steps.find((each) => each.invocation.type !== 'guidance')
    if (!step) throw new Error('the plan has no step that changes something')
    const results: StepResult[] = [heldResult(step.id)]
    const approval = (level: 1 | 2 | 3): PendingApproval => ({
      id: '7d4e7432-0000-4000-8000-000000000000',
      taskType: plan.taskType,
      level,
      requester: 'alice',
      stepIds: [step.id],
      wouldRun: ['Restart-Service x'],
      expiresAt: '2026-12-03T12:00:00.000Z',
    })
    const confirm = writeEmployeeReply({ plans: [{ plan, results }], approvals: [approval(1)] })
    expect(confirm).toMatch(/Next: you confirm\. Press Confirm/)
    expect(confirm).not.toContain('7d4e7432')
    const approve = writeEmployeeReply({ plans: [{ plan, results }], approvals: [approval(2)] })
    expect(approve).toContain(
      `a technician reviews and approves the change, typically within ${TYPICAL_APPROVAL_MINUTES[step.risk]} minutes`,
    )
    expect(approve).not.toContain('7d4e7432')
  })

  it('redacts addresses, ports, error codes and ids from text that reaches a requester', () => {
    expect(
      redactForRequester(
        'ssh 10.1.2.3:2222 ECONNREFUSED; host pc7.corp.example:5986 port 22 0x80070005 id 7d4e7432-0000-4000-8000-000000000000',
      ),
    ).toBe('ssh [address] [code]; host [address] a port [code] id [id]')
  })
})

describe('guidance as the employee reads it', () => {
  it('rewrites guidance handed to the employee into direct address and numbered steps', () => {
    expect(
      employeeSteps(
        'Ask the employee to save their work and close Excel, then press Win+R and run excel /safe. If it opens, disable add-ins.',
      ),
    ).toEqual([
      'Save your work and close Excel, then press Win+R and run excel /safe.',
      'If it opens, disable add-ins.',
    ])
    expect(
      employeeSteps(
        'With the employee in Zoom: (1) click the ^ next to Mute; (2) pick the speaker.',
      ),
    ).toEqual(['In Zoom: click the ^ next to Mute.', 'Pick the speaker.'])
    expect(
      employeeSteps('Ask the employee, signed in as themselves: (1) quit Teams; (2) sign in again'),
    ).toEqual(['Signed in as yourself: quit Teams.', 'Sign in again.'])
    expect(
      employeeSteps('Tell the employee to stop retrying and to update the old password.'),
    ).toEqual(['Stop retrying and update the old password.'])
  })

  it('leaves out guidance only a technician can follow', () => {
    expect(
      employeeSteps('With the employee: (1) restart; (2) sign in. Technician: read the event log.'),
    ).toEqual(['Restart.', 'Sign in.'])
    expect(
      employeeSteps('On a management host with RSAT: read Event 4740 on the PDC.'),
    ).toBeUndefined()
    expect(employeeSteps('Give the temporary password to the employee by phone.')).toBeUndefined()
  })

  it('splits into sentences when the runbook did not number the steps', () => {
    expect(splitSteps('Restart it. Then sign in')).toEqual(['Restart it.', 'Then sign in.'])
  })

  it('rewrites every runbook guidance handed to the employee without technician wording', () => {
    let rewritten = 0
    for (const instruction of instructions) {
      for (const action of instruction.actions) {
        if (action.executor !== 'guidance' || !action.text) continue
        const steps = employeeSteps(action.text)
        if (!steps) continue
        rewritten++
        for (const step of steps) {
          expect(step).not.toMatch(/\bthe employee\b|\btheir\b/i)
          // No runbook ids (zoom_audio_not_working): an employee cannot use them.
          expect(step).not.toMatch(/\b[a-z]+_[a-z]+_[a-z_]+\b/)
          expect(step).toMatch(/^[A-Z0-9("']/)
        }
      }
    }
    expect(rewritten).toBeGreaterThanOrEqual(10)
  })
})

describe('quick-reply options of a question', () => {
  it('are read back as their value for every listed parameter of every runbook', () => {
    let checked = 0
    for (const instruction of instructions) {
      for (const spec of instruction.parameters) {
        for (const option of parameterOptions(spec) ?? []) {
          expect(
            extractParameter(spec, option.answer, 'answer'),
            `${instruction.id}.${spec.name}`,
          ).toBe(option.value)
          expect(option.label.length).toBeGreaterThan(0)
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(5)
  })

  it('come with the question in the turn result', async () => {
    const result = await core.handleTurn({ message: 'my account is locked', requester: 'alice' })
    const question = result.missing.find((each) => each.parameter === 'system')
    if (question) expect(question.options?.map((each) => each.value)).toContain('active_directory')
    const freely = result.missing.find((each) => each.parameter === 'username')
    expect(freely?.options).toBeUndefined()
  })
})

function instructionOf(plan: Plan): Instruction {
  const found = instructions.find((each) => each.id === plan.taskType)
  if (!found) throw new Error(`no runbook ${plan.taskType}`)
  return found
}

function heldResult(stepId: string): StepResult {
  return {
    stepId,
    status: 'awaiting_approval',
    wouldRun: 'Restart-Service x',
    stdout: '',
    stderr: '',
    exitCode: null,
    durationMs: 0,
    changed: false,
  }
}

/** A real plan (printer on a laptop) whose first step failed with `message`. */
async function plannedWithFailure(message: string): Promise<{ plan: Plan; results: StepResult[] }> {
  const turn = await core.handleTurn({
    message: 'printer PRN-3F-EAST is not working on laptop LT-0423',
    requester: 'alice',
    actor: technician,
  })
  const plan = turn.plan[0]
  if (!plan) throw new Error(`no plan: ${turn.reply}`)
  const failing = plan.steps.find((step) => step.invocation.type !== 'guidance')
  if (!failing) throw new Error('no step that runs')
  const results = turn.results.map((result) =>
    result.stepId === failing.id
      ? { ...result, status: 'failed' as const, errorCode: 'CONNECT_FAILED', errorMessage: message }
      : result,
  )
  return { plan, results }
}

describe('a long guidance step', () => {
  it('is cut at its semicolons outside brackets', () => {
    const long = `Update the password everywhere it is saved: the phone (forget the network; join again); Credential Manager ${'x'.repeat(150)}; and a second laptop.`
    expect(splitSteps(long)).toEqual([
      'Update the password everywhere it is saved: the phone (forget the network; join again).',
      `Credential Manager ${'x'.repeat(150)}.`,
      'A second laptop.',
    ])
  })
})
