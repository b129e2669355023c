import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { InventoryData } from '../inventory/inventory-schema.ts'
import { applyLexicon } from './request-lexicon.ts'
import { readOperationRequest } from './request-reader.ts'
import { fleetOf } from './request-targets.ts'

/**
 * The reader's lexicon (slang verbs to catalog verbs) and its fall-back (fleet work it cannot read
 * in full stays fleet work, with a question back); the employee sets that must stay employee
 * requests are checked in request-reader.test.ts.
 */

const inventory = (file: string) => fleetOf(parse(readFileSync(file, 'utf8')) as InventoryData)
const fleet = inventory('tests/fixtures/operations-inventory.yaml')
const read = (text: string) => readOperationRequest(text, fleet)

describe("the technicians' lexicon", () => {
  it.each([
    ['nuke the java process on dp01', 'kill the java process on dp01'],
    ['fire up nginx on web04', 'start nginx on web04'],
    ['shut nginx off on web02', 'stop nginx on web02'],
    ['give nginx a kick on web03', 'restart nginx on web03'],
    ['rip out telnet from every server', 'remove telnet from every server'],
    ['nuke apache2 off web04', 'remove apache2 off web04'],
    ['put htop on web01', 'install htop on web01'],
    ['rstart chronyd on every linux host', 'restart chronyd on every linux host'],
    ['isntall jq on build01', 'install jq on build01'],
  ])('%s -> %s', (typed, canonical) => {
    expect(applyLexicon(typed)).toBe(canonical)
  })

  it('leaves words that only look like slips or places alone', () => {
    for (const text of [
      'remote desktop to web01 fails',
      'nginx was updated on web01',
      'get the status on web01',
      'put /tmp/a.conf to /etc/a.conf on web01',
      'add web05 to the web-servers group',
    ])
      expect(applyLexicon(text)).toBe(text)
  })
})

describe('the fall-back for fleet work not read in full', () => {
  it('keeps a named server an operation and asks for the missing name', () => {
    const request = read('restart the service on web01')
    expect(request.kind).toBe('operation')
    expect(request.operations).toEqual([])
    expect(request.targets.machines).toEqual(['web01'])
    expect(request.clarify).toBe('Which service should I restart on web01?')
  })

  it('asks what to do when no catalog verb is there, naming groups and "all"', () => {
    expect(read('fix web03').clarify).toMatch(/^What should I do on web03\? I can check/)
    expect(read('stop everything on every linux box').clarify).toMatch(
      /^What should I stop on every Linux machine\?/,
    )
    expect(read('web01 and the databases are acting weird').clarify).toMatch(
      /on web01 and the databases group\?/,
    )
  })

  it('answers a bare question about servers from the inventory', () => {
    expect(read('show me the databases').kind).toBe('inventory')
    expect(read('is print01 linux or windows?').operations).toEqual([
      { operation: 'inventory.describe', parameters: {} },
    ])
  })

  it('reads requests it can read in full without a question', () => {
    expect(read('restart nginx on web01').clarify).toBeNull()
    expect(read('how many linux servers do we have').clarify).toBeNull()
  })

  it("never takes an employee's own laptop, a department or 'everywhere else' for the fleet", () => {
    const conversations = inventory('tests/fixtures/conversations-inventory.yaml')
    for (const text of [
      'my laptop LT-0423 is really slow since the update',
      'teams keeps asking me to sign in, my password works everywhere else',
      "can't reach \\\\fs01\\projects from home",
      'the intranet on web02 is down for me',
      "I can't log into the app server since this morning",
      'I deleted a file on the file server by mistake, can you restore it',
    ])
      expect(read(text).kind).toBe('employee')
    expect(
      readOperationRequest('Excel crashes when I open files from the finance share', conversations)
        .kind,
    ).toBe('employee')
  })
})
