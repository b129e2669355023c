import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { InventoryData } from '../inventory/inventory-schema.ts'
import { readOperationRequest } from './request-reader.ts'
import { fleetOf } from './request-targets.ts'

/**
 * Round 20 of the operation reader (issue 10), from the odd half of the fresh10 set (messages
 * pasted from chat, mail, tickets and alerts) once its failures were read
 * (`tests/fixtures/operations-dev-fresh10.jsonl`): a reason told in a sentence of its own, before
 * or after the request, is context (request-context.ts); display names with the service's own
 * name in brackets; slips in "check" and "running"; "replace PATH with FILE" is a copy over it.
 */
const fleet = fleetOf(
  parse(readFileSync('tests/fixtures/operations-inventory.yaml', 'utf8')) as InventoryData,
)
const read = (text: string) => readOperationRequest(text, fleet)

describe('round 20 phrasings', () => {
  it('a reason in a sentence of its own is context, before or after the request', () => {
    expect(
      read("Stop the Windows Search (WSearch) service on fs01; it's hammering the disk.")
        .operations,
    ).toEqual([{ operation: 'service.stop', parameters: { service: 'WSearch' } }])
    expect(
      read(
        'Is the Windows Time (W32Time) service running on dc01? Kerberos is complaining about clock skew.',
      ).operations,
    ).toEqual([{ operation: 'service.status', parameters: { service: 'W32Time' } }])
    expect(
      read(
        "A plain restart didn't clear the lock file. Stop dataprocessor on dp01 and then start it again.",
      ).operations,
    ).toEqual([
      { operation: 'service.stop', parameters: { service: 'dataprocessor' } },
      { operation: 'service.start', parameters: { service: 'dataprocessor' } },
    ])
    const patch = read(
      "Patch Tuesday: reboot all Windows machines except dc01, we'll do that one by hand.",
    )
    expect(patch.operations).toEqual([{ operation: 'system.reboot', parameters: {} }])
    expect(patch.targets).toMatchObject({ all: true, os: 'windows' })
    // A correction in its own sentence stays with the request; an employee's own words keep it theirs.
    expect(read('is chronyd running on dp01? (chrony, sorry)').operations).toEqual([
      { operation: 'service.status', parameters: { service: 'chrony' } },
    ])
    expect(
      read(
        "Please install Visio on LT-0423. Also my password expires tomorrow and I'll be travelling, can you reset it now?",
      ).kind,
    ).toBe('employee')
  })

  it('display names, slips, "whole fleet:", "replace PATH with FILE", "kill the process"', () => {
    expect(
      read('Stop the World Wide Web Publishing Service (W3SVC) on app-win01').operations,
    ).toEqual([{ operation: 'service.stop', parameters: { service: 'W3SVC' } }])
    expect(
      read('Can you chekc whether the postgresql service is runing on both db servers?').operations,
    ).toEqual([{ operation: 'service.status', parameters: { service: 'postgresql' } }])
    const fleetWide = read("whole fleet: update openssl, but only on machines where it's installed")
    expect(fleetWide.targets.all).toBe(true)
    expect(fleetWide.condition).toBe('only-where-installed')
    expect(
      read(
        'On app-win01, replace C:\\ProgramData\\agent\\config.json with agent/config.json from the files directory.',
      ).operations,
    ).toEqual([
      {
        operation: 'file.copy',
        parameters: {
          source: 'agent/config.json',
          destination: 'C:\\ProgramData\\agent\\config.json',
          overwrite: 'yes',
        },
      },
    ])
    expect(read('If php-fpm is running on web03, kill the process.').operations).toEqual([
      { operation: 'process.stop', parameters: { process: 'php-fpm' } },
    ])
  })

  it('how big a path is, how a machine is reached', () => {
    expect(
      read('How big is C:\\Windows\\System32\\spool\\PRINTERS getting on print01?').operations,
    ).toEqual([
      { operation: 'disk.usage', parameters: { path: 'C:\\Windows\\System32\\spool\\PRINTERS' } },
    ])
    expect(read('quick q: how is mon01 reached, ssh or winrm?').operations).toEqual([
      { operation: 'inventory.describe', parameters: {} },
    ])
    expect(read('is print01 windows or linux?').kind).toBe('inventory')
  })
})
