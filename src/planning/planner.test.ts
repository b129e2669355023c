import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { fillSlots } from '../agent/core/slot-filling.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import { parseInstruction } from '../knowledge/instructions/instruction-loader.ts'
import { buildPlan } from './planner.ts'

const parsed = parseInstruction(
  'password_reset.md',
  await readFile('data/instructions/password_reset.md', 'utf8'),
)
if (!parsed.ok) throw new Error('the reference runbook must parse')
const passwordReset: Instruction = parsed.instruction

describe('planning from a runbook', () => {
  it('selects the steps for the account system and renders operations with their arguments', () => {
    const plan = buildPlan(passwordReset, { username: 'jdoe', system: 'aws_iam' })
    expect(plan.steps.map((step) => step.actionId)).toEqual([
      'check_aws_user',
      'reset_aws_password',
      'deliver_password',
    ])
    const reset = plan.steps[1]
    expect(reset?.invocation).toEqual({
      type: 'operation',
      executor: 'aws_iam',
      operation: 'reset_console_password',
      description: expect.stringContaining('UpdateLoginProfile'),
      arguments: { username: 'jdoe', passwordResetRequired: true },
    })
    expect(reset?.approvalLevel).toBe(2)
    // The verification reads the account; it must not inherit the reset's own arguments.
    expect(reset?.verification?.invocation).toMatchObject({
      operation: 'get_user',
      arguments: { username: 'jdoe' },
    })
    expect(plan.steps[0]?.approvalLevel).toBe(0)
    expect(plan.risk).toBe('high')
  })

  it('binds script parameters through a param() block and one quoted literal each', () => {
    const plan = buildPlan(passwordReset, {
      username: "o'brien",
      system: 'local',
      device: 'LT-0423',
    })
    const step = plan.steps.find((each) => each.actionId === 'reset_local_password')
    expect(step?.target).toBe('LT-0423')
    if (step?.invocation.type !== 'script') throw new Error('expected a script')
    expect(step.invocation.language).toBe('powershell')
    expect(step.invocation.script).toMatch(/^& \{\nparam\(\[string\]\$username\)\n/)
    expect(step.invocation.script.trimEnd().endsWith("} -username 'o''brien'")).toBe(true)
    expect(step.verification?.invocation?.type).toBe('script')
  })

  it('asks for the machine when a local-account step needs one', () => {
    const slots = fillSlots(passwordReset, {
      message: 'reset the password of the local account admin2 please',
      mode: 'message',
      known: {},
    })
    expect(slots.values).toMatchObject({ username: 'admin2', system: 'local' })
    expect(slots.missing.map((each) => each.parameter)).toEqual(['device'])
  })

  it('fills the username from the requester, and asks which system when the message does not say', () => {
    const slots = fillSlots(passwordReset, {
      message: 'I forgot my password',
      mode: 'message',
      known: {},
      requester: 'maria.garcia',
    })
    expect(slots.values).toEqual({ username: 'maria.garcia' })
    expect(slots.missing.map((each) => each.parameter)).toEqual(['system'])
  })

  it('explains why an answer was rejected and asks again', () => {
    const slots = fillSlots(passwordReset, {
      message: 'jdoe; rm -rf /',
      mode: 'answer',
      answering: 'username',
      known: {},
    })
    expect(slots.missing[0]).toMatchObject({
      parameter: 'username',
      problem: expect.stringMatching(/^username "jdoe; rm -rf \/" must not contain " -"/),
    })
  })
})
