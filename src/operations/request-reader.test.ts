import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { InventoryData } from '../inventory/inventory-schema.ts'
import { type LabelledOperationRequest, scoreOperationRequests } from './operations-evaluation.ts'
import { evaluationRecord, readOperationRequest } from './request-reader.ts'
import { fleetOf } from './request-targets.ts'

const fleet = fleetOf(
  parse(readFileSync('tests/fixtures/operations-inventory.yaml', 'utf8')) as InventoryData,
)
const lines = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T)

const read = (text: string) => readOperationRequest(text, fleet)

describe('the offline reader of operation requests', () => {
  it('reads the dev set (>= 150 requests) at >= 0.95, sending no operation to an employee runbook', () => {
    const requests = lines<LabelledOperationRequest>('tests/fixtures/operations-dev.jsonl')
    expect(requests.length).toBeGreaterThanOrEqual(150)
    const report = scoreOperationRequests(
      requests.map((request) => ({ request, got: read(request.text) })),
    )
    expect(report.errors.map((error) => error.id)).toEqual([])
    expect(report.accuracy).toBeGreaterThanOrEqual(0.95)
    expect(report.routedToEmployee).toBe(0)
    expect(report.employeeTakenAsOperation).toBe(0)
  })

  it('reads the later rounds (phrasings added after tuning began)', () => {
    for (const file of [
      'tests/fixtures/operations-dev-round2.jsonl',
      'tests/fixtures/operations-dev-round3.jsonl',
      'tests/fixtures/operations-dev-round4.jsonl',
      'tests/fixtures/operations-dev-round5.jsonl',
      'tests/fixtures/operations-dev-round6.jsonl',
      'tests/fixtures/operations-dev-round7.jsonl',
      'tests/fixtures/operations-dev-round8.jsonl',
      'tests/fixtures/operations-dev-round9.jsonl',
      'tests/fixtures/operations-dev-round10.jsonl',
      'tests/fixtures/operations-dev-round11.jsonl',
      'tests/fixtures/operations-dev-round12.jsonl',
      // Exclusions, operations with no machine, work words on named laptops (round 13).
      'tests/fixtures/operations-dev-round13.jsonl',
      'tests/fixtures/operations-dev-round14.jsonl',
      // One verb on several objects, described exclusions, first-person commands (round 15).
      'tests/fixtures/operations-dev-round15.jsonl',
      // The fresh7 set, written blind and read since (round 17).
      'tests/fixtures/operations-dev-fresh7.jsonl',
      // The fresh8 set's odd half, read since (round 18); its even half is kept unread.
      'tests/fixtures/operations-dev-fresh8.jsonl',
      // The fresh9 set's odd half, read since (round 19); its even half is kept unread.
      'tests/fixtures/operations-dev-fresh9.jsonl',
      // The fresh10 set's odd half, read since (round 20); its even half is kept unread.
      'tests/fixtures/operations-dev-fresh10.jsonl',
    ]) {
      const requests = lines<LabelledOperationRequest>(file)
      const report = scoreOperationRequests(
        requests.map((request) => ({ request, got: read(request.text) })),
      )
      // Round 8's "reboot web02 if nginx is stopped" (a condition named by another service) is
      // read since conditions are read by their sense (request-conditions.ts).
      expect(report.errors.map((error) => error.id)).toEqual([])
      expect(report.routedToEmployee).toBe(0)
    }
  })

  it('takes none of the employee routing requests (dev and holdout) for fleet work, with either fleet', () => {
    const conversationsFleet = fleetOf(
      parse(readFileSync('tests/fixtures/conversations-inventory.yaml', 'utf8')) as InventoryData,
    )
    for (const each of [fleet, conversationsFleet]) {
      for (const file of [
        'tests/fixtures/routing-dev.jsonl',
        'tests/fixtures/routing-holdout.jsonl',
      ]) {
        const taken = lines<{ id: string; text: string }>(file).filter(
          (line) => readOperationRequest(line.text, each).kind !== 'employee',
        )
        expect(taken.map((line) => line.id)).toEqual([])
      }
    }
  })

  it('reads the issue example as one stop over the group', () => {
    expect(
      evaluationRecord(
        read('Stop the dataprocessor service on all servers in the Data Processing group'),
      ),
    ).toEqual({
      kind: 'operation',
      operations: [{ operation: 'service.stop', parameters: { service: 'dataprocessor' } }],
      targets: { machines: [], groups: ['data-processing'], all: false, os: null },
      condition: null,
    })
  })

  it('expands a machine range and keeps "after" in the order things must run', () => {
    expect(read('restart nginx on web01 through web03').targets.machines).toEqual([
      'web01',
      'web02',
      'web03',
    ])
    expect(read('reboot db02 after stopping postgresql').operations).toEqual([
      { operation: 'service.stop', parameters: { service: 'postgresql' } },
      { operation: 'system.reboot', parameters: {} },
    ])
  })

  it('reports machines the inventory does not know, and keeps the known ones', () => {
    const request = read('restart nginx on web01 and web07')
    expect(request.targets.machines).toEqual(['web01'])
    expect(request.unknownMachines).toEqual(['web07'])
  })

  it('does not take a parameter value for a target: "reach db01" names the host, not a machine to act on', () => {
    const request = read('can web01 reach db01 on port 5432')
    expect(request.operations).toEqual([
      { operation: 'network.port-check', parameters: { host: 'db01', port: 5432 } },
    ])
    expect(request.targets.machines).toEqual(['web01'])
  })

  it('keeps multi-step order, fills "it" from the previous object and reads the condition', () => {
    const request = read(
      'check if nginx is running on the web servers and restart it where it is running',
    )
    expect(request.operations.map((operation) => operation.operation)).toEqual([
      'service.status',
      'service.restart',
    ])
    expect(request.operations[1]?.parameters).toEqual({ service: 'nginx' })
    expect(request.condition).toBe('only-where-running')
  })

  it('reads "all Linux machines" as every machine of one OS, and an employee about their own laptop as an employee', () => {
    expect(read('install curl on all linux machines').targets).toEqual({
      machines: [],
      groups: [],
      all: true,
      os: 'linux',
    })
    expect(read('please install Visio on LT-0423, my laptop').kind).toBe('employee')
    expect(read('install Visio on LT-0423').kind).toBe('operation')
  })

  it('answers inventory questions only when they are about the fleet', () => {
    expect(read('how many windows servers are in the file servers group').kind).toBe('inventory')
    expect(read('how many holiday days do I have left').kind).toBe('employee')
    const question = read('how many laptops do we manage')
    expect(question.operations).toEqual([{ operation: 'inventory.count', parameters: {} }])
    expect(question.machineClass).toBe('laptop')
  })
})
