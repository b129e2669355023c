import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import { employeeSteps } from '../../knowledge/instructions/guidance-steps.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { loadInstructions } from '../../knowledge/instructions/instruction-loader.ts'
import { writeEmployeeReply } from './employee-reply.ts'
import type { HelpdeskCore } from './helpdesk-core.ts'
import { stepsForPlatform } from './platform-steps.ts'

let core: HelpdeskCore
let instructions: Instruction[]
const technician = { username: 'tom', role: 'technician' as const }

beforeAll(async () => {
  core = (await buildMemoryRuntime()).core
  instructions = await loadInstructions('data/instructions')
})

function guidanceSteps(runbook: string): string[] {
  const action = instructions
    .find((each) => each.id === runbook)
    ?.actions.find((each) => each.executor === 'guidance' && each.text)
  const steps = action?.text ? employeeSteps(action.text) : undefined
  if (!steps) throw new Error(`no employee guidance in ${runbook}`)
  return steps
}

describe("steps for the machine's operating system", () => {
  it('leaves the Windows-only steps of the slow-computer advice out on Linux', () => {
    const all = guidanceSteps('laptop_running_slow')
    const linux = stepsForPlatform(all, 'linux')
    expect(linux.steps.join(' ')).not.toMatch(/Task Manager|Storage Sense|MsMpEng/)
    expect(linux.steps.length).toBeGreaterThan(0)
    expect(linux.leftOut).toBe(all.length - linux.steps.length)
    expect(stepsForPlatform(all, 'windows')).toEqual({ steps: all, leftOut: 0 })
  })

  it('keeps a step that says what to do on Linux too', () => {
    const wifi = stepsForPlatform(guidanceSteps('wifi_not_working'), 'linux').steps.join(' ')
    expect(wifi).toMatch(/nmcli/)
    expect(wifi).not.toMatch(/gpupdate/)
    // The step written for both says only the Linux way to a Linux user (no netsh beside it).
    expect(wifi).not.toMatch(/netsh|Action Center|Settings > Network/)
    expect(
      stepsForPlatform(['Restart the laptop (on Linux: from the menu)'], 'linux').steps,
    ).toEqual(['Restart the laptop (on Linux: from the menu)'])
    expect(
      stepsForPlatform(['Open Task Manager (on Linux: htop), end the task'], 'linux').steps,
    ).toEqual(['On Linux: htop.'])
    expect(
      stepsForPlatform(['Open Task Manager and end it; on Linux `top` then k'], 'linux').steps,
    ).toEqual(['On Linux: `top` then k.'])
  })

  it('tells the employee of a Linux laptop what was left out, and offers a person when nothing is left', async () => {
    const turn = await core.handleTurn({
      message: 'LT-0424 is really slow, it runs linux',
      requester: 'bob',
      actor: technician,
    })
    const plan = turn.plan[0]
    if (!plan) throw new Error(`no plan: ${turn.reply}`)
    expect(plan.parameters.platform).toBe('linux')
    const reply = writeEmployeeReply({ plans: [{ plan, results: turn.results }] })
    expect(reply).not.toMatch(/Task Manager|Storage Sense|MsMpEng/)
    expect(reply).toMatch(/only apply to Windows; your computer runs Linux/)
    const windowsOnly = {
      ...plan,
      steps: plan.steps.map((step) =>
        step.invocation.type === 'guidance'
          ? {
              ...step,
              invocation: {
                ...step.invocation,
                text: 'With the employee: open Task Manager and end the task.',
              },
            }
          : step,
      ),
    }
    expect(writeEmployeeReply({ plans: [{ plan: windowsOnly, results: turn.results }] })).toMatch(
      /only has steps for Windows.+talk to a person/,
    )
  })
})
