import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { InventoryData } from '../inventory/inventory-schema.ts'
import { evaluationRecord, readOperationRequest } from './request-reader.ts'
import { fleetOf } from './request-targets.ts'

/**
 * How the reader decides between fleet work and an employee's problem when the words alone lean
 * the other way: a command with no machine ("restart nginx") asks which machines; work asked for
 * on machines the inventory names stays an operation whatever employee word it holds (outlook,
 * spooler, vpn, laptops). The cases of the first tests of each block were read as an employee's
 * request (or without their targets) before; the last tests guard what must stay as it was.
 */

const fleet = fleetOf(
  parse(readFileSync('tests/fixtures/operations-inventory.yaml', 'utf8')) as InventoryData,
)
const reading = (text: string) => readOperationRequest(text, fleet)
const read = (text: string) => evaluationRecord(reading(text))
const none = { machines: [], groups: [], all: false, os: null }

describe('an operation with no machine named', () => {
  it('is an operation that asks which machines, naming the groups', () => {
    for (const [text, operation] of [
      ['restart nginx', { operation: 'service.restart', parameters: { service: 'nginx' } }],
      [
        'can you stop nginx please',
        { operation: 'service.stop', parameters: { service: 'nginx' } },
      ],
      ['kill java', { operation: 'process.stop', parameters: { process: 'java' } }],
      ['bounce nginx pls', { operation: 'service.restart', parameters: { service: 'nginx' } }],
      ['reboot', { operation: 'system.reboot', parameters: {} }],
    ] as const) {
      const request = reading(text)
      expect(evaluationRecord(request), text).toEqual({
        kind: 'operation',
        operations: [operation],
        targets: none,
        condition: null,
      })
      expect(request.clarify, text).toMatch(/^Which machines should I /)
      expect(request.clarify, text).toContain('web-servers, data-processing, databases')
    }
    expect(reading('reboot').clarify).toMatch(/^Which machines should I reboot\?/)
  })

  it('reads commands in the catalog words with paths, hosts and one more word', () => {
    for (const text of [
      'how much disk is left',
      'show me recent errors for the postgresql service',
      'can u start grafana-server',
      'cycle the docker daemon (service docker)',
      'is smtp.corp.local port 25 open',
      'end the stuck msiexec process',
    ]) {
      const request = reading(text)
      expect(request.kind, text).toBe('operation')
      expect(request.operations.length, text).toBeGreaterThan(0)
      expect(request.clarify, text).toMatch(/^Which machines should I /)
    }
  })

  it('names the groups whose names share a word with the service when there are some', () => {
    const request = reading('restart the dataprocessor service')
    expect(request.kind).toBe('operation')
    expect(request.clarify).toBe(
      'Which machines should I restart dataprocessor on? Name machines or a group, or say "all servers". The groups: data-processing. For example: "restart dataprocessor on the data-processing group".',
    )
  })

  it('leaves package work alone as an employee request by its words, with the question ready', () => {
    // "please install 7-zip" is how employees ask for software: the desk asks a technician.
    const request = reading('install htop')
    expect(evaluationRecord(request)).toEqual({
      kind: 'employee',
      operations: [],
      targets: none,
      condition: null,
    })
    expect(request.clarify).toMatch(/^Which machines should I install htop on\?/)
    // Package work in other words ("add X to" is an install by the lexicon) is not asked about:
    // "add kwong to jira-fin-users" is a group membership for the runbooks.
    expect(read('add kwong to jira-fin-users').kind).toBe('employee')
    expect(reading('add kwong to jira-fin-users').clarify).toBeNull()
  })

  it('keeps told problems and first-person requests for the runbooks', () => {
    for (const text of [
      'Stop code: 0x0000007E, then it reboots',
      'please install 7-zip, can\u2019t open the archives the vendor sent',
      'restart my laptop',
      'can you restart outlook for me',
      'task manager shows disk at 100% all the time',
      'one drive stop sync from yesterday, the cloud icon is grey',
      'stop code DRIVER_POWER_STATE_FAILURE, then it reboots',
      'i need vim',
    ]) {
      expect(read(text).kind, text).toBe('employee')
      expect(reading(text).clarify, text).toBeNull()
    }
  })
})

describe('operation words on named machines stay operations', () => {
  it('reads work on laptops and workstations the inventory names as an operation', () => {
    expect(read('restart outlook on WS-FIN-12')).toEqual({
      kind: 'operation',
      operations: [],
      targets: { machines: ['WS-FIN-12'], groups: [], all: false, os: null },
      condition: null,
    })
    expect(reading('restart outlook on WS-FIN-12').clarify).toMatch(
      /^What should I restart on WS-FIN-12\?/,
    )
    expect(read('clear the outlook cache on LT-0423 and LT-0424').targets.machines).toEqual([
      'LT-0423',
      'LT-0424',
    ])
    expect(read('clear the outlook cache on LT-0423 and LT-0424').kind).toBe('operation')
    expect(read('restart the wifi adapter on LT-0423').kind).toBe('operation')
  })

  it('reads "all laptops" and "every workstation" as every machine of that class', () => {
    const laptops = reading('install zoom on all laptops')
    expect(evaluationRecord(laptops)).toEqual({
      kind: 'operation',
      operations: [{ operation: 'package.install', parameters: { package: 'zoom' } }],
      targets: { machines: [], groups: [], all: true, os: null },
      condition: null,
    })
    expect(laptops.machineClass).toBe('laptop')
    expect(reading('update chrome on every workstation').machineClass).toBe('workstation')
    expect(read('kill teams on all laptops').kind).toBe('operation')
  })

  it('keeps the print spooler on the print servers an operation', () => {
    expect(read('restart the print spooler on the print servers')).toEqual({
      kind: 'operation',
      operations: [{ operation: 'service.restart', parameters: { service: 'spooler' } }],
      targets: { machines: ['print01'], groups: [], all: false, os: null },
      condition: null,
    })
  })

  it('keeps an employee telling of their own machine for the runbooks', () => {
    expect(read('my laptop LT-0423 is slow').kind).toBe('employee')
    expect(read('please install Visio on LT-0423, my laptop').kind).toBe('employee')
    expect(read('our laptops keep dropping the wifi, can you restart something').kind).toBe(
      'employee',
    )
  })
})
