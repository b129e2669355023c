import { describe, expect, it } from 'vitest'
import { loadTestInstructions } from '../../approvals/testing/approval-fixture.ts'
import { findMachineGroup, type MachineGroups, machinesOf } from './machine-groups.ts'

const FINANCE = [
  { name: 'LT-0423', platform: 'windows' },
  { name: 'LT-0424', platform: 'linux' },
]
const groups: MachineGroups = (name) => (name.toLowerCase() === 'finance' ? FINANCE : undefined)

describe('findMachineGroup', () => {
  it.each([
    'the laptops in the finance group are running slow',
    'every machine of the Finance team is slow',
    'please check machine group finance',
    'all finance laptops overheat',
    "the finance team's laptops have no sound",
    'run it on group finance',
  ])('finds the group in "%s"', (message) => {
    expect(findMachineGroup(message, groups)?.name).toBe('finance')
    expect(findMachineGroup(message, groups)?.members).toEqual(FINANCE)
  })

  it.each([
    'all the laptops in the office are slow',
    'my laptop LT-0423 is slow',
    'the finance report crashes excel',
    'add me to the finance group',
    'every sales laptop is slow',
  ])('finds none in "%s" (no group, or not machines of a known one)', (message) => {
    expect(findMachineGroup(message, groups)).toBeUndefined()
  })

  it('finds none without an inventory', () => {
    expect(findMachineGroup('all finance laptops overheat', undefined)).toBeUndefined()
  })
})

describe('machinesOf', () => {
  it("gives each machine its own name and system, for a runbook's machine and platform", async () => {
    const slow = (await loadTestInstructions()).get('laptop_running_slow')
    if (!slow) throw new Error('laptop_running_slow runbook missing')
    expect(machinesOf(slow, 'all finance laptops are slow', undefined, groups)).toEqual({
      name: 'finance',
      members: [
        { device: 'LT-0423', platform: 'windows' },
        { device: 'LT-0424', platform: 'linux' },
      ],
    })
    // Answering another question (not the machine) is not a group request.
    expect(machinesOf(slow, 'all finance laptops', 'platform', groups)).toBeUndefined()
  })

  it('is not used for runbooks that do not run on a machine', async () => {
    const jira = (await loadTestInstructions()).get('jira_access_request')
    if (!jira) throw new Error('jira_access_request runbook missing')
    expect(machinesOf(jira, 'all finance laptops', undefined, groups)).toBeUndefined()
  })
})
