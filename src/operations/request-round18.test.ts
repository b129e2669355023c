import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { InventoryData } from '../inventory/inventory-schema.ts'
import { readOperationRequest } from './request-reader.ts'
import { fleetOf } from './request-targets.ts'

/**
 * Round 18 of the operation reader (issue 10), from the odd half of the fresh8 set once its
 * failures were read (`tests/fixtures/operations-dev-fresh8.jsonl`), and from what the blind
 * sets' remaining "routed to an employee runbook" requests had in common (seen only as counts:
 * a laptop named by its inventory name with no first person; machines named by a role the
 * inventory has no group for; "everything" / "the estate"; inventory questions in the first
 * person).
 */
const fleet = fleetOf(
  parse(readFileSync('tests/fixtures/operations-inventory.yaml', 'utf8')) as InventoryData,
)
const read = (text: string) => readOperationRequest(text, fleet)

describe('round 18 phrasings', () => {
  it('a version after "to" is no range of machines', () => {
    expect(read('update nodejs on web01 web02 web03 to 20.11.1').targets.machines).toEqual([
      'web01',
      'web02',
      'web03',
    ])
    expect(read('Please upgrade the postgresql package on db01 to 16.2.').targets.machines).toEqual(
      ['db01'],
    )
    expect(read('restart nginx on web01 to web03').targets.machines).toEqual([
      'web01',
      'web02',
      'web03',
    ])
  })

  it('a group word used as a thing is not the group', () => {
    expect(
      read(
        'the data processing boxes keep losing their connection to the database, check if they can reach db01 on port 5432',
      ).targets.groups,
    ).toEqual(['data-processing'])
    expect(
      read('build-win01 keeps hanging on builds, kill msbuild.exe there').targets.groups,
    ).toEqual([])
    expect(read('restart postgres on the dbs').targets.groups).toEqual(['databases'])
  })

  it("reads Windows' service commands, slips in key words, and the event viewer", () => {
    expect(read('sc stop spooler on print01').operations).toEqual([
      { operation: 'service.stop', parameters: { service: 'spooler' } },
    ])
    expect(read('net start spooler on print01').operations).toEqual([
      { operation: 'service.start', parameters: { service: 'spooler' } },
    ])
    expect(read('tail erors on web02 for teh last 6 hours').operations).toEqual([
      { operation: 'logs.errors', parameters: { hours: 6 } },
    ])
    expect(read('can dp03 reslove db02.internal.corp').operations).toEqual([
      { operation: 'network.name-check', parameters: { host: 'db02.internal.corp' } },
    ])
    expect(read('pull the event viewer errors from app-win01, last 12 hours').operations).toEqual([
      { operation: 'logs.errors', parameters: { hours: 12 } },
    ])
    // A word of its own one edit from a key word stays itself.
    expect(read('550 5.1.1 RESOLVER.ADR.RecipNotFound').kind).toBe('employee')
  })

  it('drop from, bring up to the latest, is it even running, keeps dying then "restart it"', () => {
    expect(read('drop the nodejs package from web04').operations).toEqual([
      { operation: 'package.remove', parameters: { package: 'nodejs' } },
    ])
    expect(read('bring nginx up to the latest version on the web tier').operations).toEqual([
      { operation: 'package.update', parameters: { package: 'nginx' } },
    ])
    expect(
      read('alerts are flapping all morning, is the prometheus service even running on mon01?')
        .operations,
    ).toEqual([{ operation: 'service.status', parameters: { service: 'prometheus' } }])
    expect(
      read('nginx keeps dying on the web boxes, can someone restart it pls').operations,
    ).toEqual([{ operation: 'service.restart', parameters: { service: 'nginx' } }])
  })

  it('"what broke in the last 3 hours" reads the errors; "what\'s WS-FIN-12?" describes it', () => {
    expect(read("what's been going wrong on fs01 in the last 48 hours").operations).toEqual([
      { operation: 'logs.errors', parameters: { hours: 48 } },
    ])
    expect(
      read('what broke in the last 3 hours on the data processing servers').operations,
    ).toEqual([{ operation: 'logs.errors', parameters: { hours: 3 } }])
    expect(read("what's WS-FIN-12?").operations).toEqual([
      { operation: 'inventory.describe', parameters: {} },
    ])
    expect(read('how big is the web tier, how many nodes are in it').operations).toEqual([
      { operation: 'inventory.count', parameters: {} },
    ])
  })

  it('never sends fleet work to an employee runbook for the shapes the blind sets had', () => {
    // A laptop by its inventory name, no first person: the technician is asked (or, for a
    // symptom, the desk hands it to the runbooks itself).
    expect(read('LT-0423 outlook profile needs rebuilding').kind).toBe('operation')
    expect(read('need python 3.12 installed on LT-0423 for a training course').kind).toBe(
      'employee',
    )
    expect(read('my laptop LT-0423 is slow').kind).toBe('employee')
    // An answer to the chat's question, or the conversation's problem for someone else, stays
    // with the conversation.
    expect(read('LT-0423').kind).toBe('employee')
    expect(read("it's LT-0423").kind).toBe('employee')
    expect(read('same problem for bob on LT-0425').kind).toBe('employee')
    // Machines named by a role the inventory has no group for.
    const role = read('check disk on the jenkins agents')
    expect(role.kind).toBe('operation')
    expect(role.clarify).toMatch(/^Which machines/)
    expect(read('restart ssh on the ci runners').kind).toBe('operation')
    // Everything, the estate.
    expect(read('copy motd.txt to /etc/motd on everything').targets.all).toBe(true)
    expect(read('push motd.txt to /etc/motd on the entire estate').targets.all).toBe(true)
    expect(read('dp03 is timing out on everything, reboot it').targets.all).toBe(false)
    // Inventory questions in the first person.
    for (const question of [
      'I want to see the inventory',
      'show me our whole fleet please',
      'what do we have in the inventory',
      'give me our machine list',
      "what's in our estate",
      'can I see the asset list',
    ])
      expect(read(question).kind).toBe('inventory')
  })
})
