import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { InventoryData } from '../inventory/inventory-schema.ts'
import { readOperationRequest } from './request-reader.ts'
import { fleetOf } from './request-targets.ts'

/**
 * Round 17 of the operation reader (issue 10), from the fresh7 set once its failures were read
 * (`tests/fixtures/operations-dev-fresh7.jsonl`): "bring up" starts, a file put onto machines at
 * a path or given as "source -> destination" is a copy (never a package install), and "what's in
 * the event log" reads the errors rather than describing the machine.
 */
const fleet = fleetOf(
  parse(readFileSync('tests/fixtures/operations-inventory.yaml', 'utf8')) as InventoryData,
)
const read = (text: string) => readOperationRequest(text, fleet)

describe('round 17 phrasings', () => {
  it('"bring up" and "bring X back online" start a service; "bring X up to date" updates it', () => {
    const request = read("bring up the WinRM service on build-win01 where it's stopped")
    expect(request.operations).toEqual([
      { operation: 'service.start', parameters: { service: 'WinRM' } },
    ])
    expect(request.condition).toBe('only-where-stopped')
    expect(read('bring nginx back online on web01').operations).toEqual([
      { operation: 'service.start', parameters: { service: 'nginx' } },
    ])
    expect(read('bring python3 up to date on the data processing servers').operations).toEqual([
      { operation: 'package.update', parameters: { package: 'python3' } },
    ])
  })

  it('a named file put to a path is a copy, with the machines between file and path', () => {
    expect(
      read('deploy chrony.conf to /etc/chrony.conf on db01 and db02, replace the existing one')
        .operations,
    ).toEqual([
      {
        operation: 'file.copy',
        parameters: { source: 'chrony.conf', destination: '/etc/chrony.conf', overwrite: 'yes' },
      },
    ])
    expect(
      read('put config/app.json onto app-win02 at C:\\App\\config\\app.json, overwrite').operations,
    ).toEqual([
      {
        operation: 'file.copy',
        parameters: {
          source: 'config/app.json',
          destination: 'C:\\App\\config\\app.json',
          overwrite: 'yes',
        },
      },
    ])
    expect(
      read(
        'push this file to the data-processing group: dp/settings.yaml -> /opt/dataprocessor/settings.yaml',
      ).operations,
    ).toEqual([
      {
        operation: 'file.copy',
        parameters: { source: 'dp/settings.yaml', destination: '/opt/dataprocessor/settings.yaml' },
      },
    ])
    // A package put on a machine stays an install.
    expect(read('put htop on web01').operations).toEqual([
      { operation: 'package.install', parameters: { package: 'htop' } },
    ])
  })

  it('"what\'s in the event log on fs01" reads the errors, not the machine\'s details', () => {
    const request = read("what's in the event log on fs01, errors only, past 48 hours")
    expect(request.kind).toBe('operation')
    expect(request.operations).toEqual([{ operation: 'logs.errors', parameters: { hours: 48 } }])
    expect(read("what's in the data-processing group").kind).toBe('inventory')
  })
})
