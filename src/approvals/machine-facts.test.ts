import { describe, expect, it } from 'vitest'
import { Inventory } from '../inventory/inventory.ts'
import { machineFactsFrom } from './machine-facts.ts'

const common = {
  host: '127.0.0.1',
  os: 'linux' as const,
  transport: 'ssh' as const,
  username: 'helpdesk',
  credential: 'env:SSH_KEY',
  hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE1b',
}

describe('machineFactsFrom', () => {
  const inventory = new Inventory({
    targets: [
      { ...common, name: 'LT-0423', class: 'laptop', assignedTo: ['jdoe', 'group:finance'] },
      { ...common, name: 'SRV-DB-01' },
    ],
    groups: {},
  })
  const lookup = machineFactsFrom(inventory)

  it('gives the class and the assignees, matching the name without case', () => {
    expect(lookup('lt-0423')).toEqual({
      name: 'LT-0423',
      class: 'laptop',
      assignedTo: ['jdoe', 'group:finance'],
    })
  })

  it('takes an unset class as a server assigned to nobody; an unknown machine as unknown', () => {
    expect(lookup('SRV-DB-01')).toEqual({ name: 'SRV-DB-01', class: 'server', assignedTo: [] })
    expect(lookup('LT-9999')).toBeUndefined()
  })
})
