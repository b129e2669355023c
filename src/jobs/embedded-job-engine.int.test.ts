import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService } from '../../tests/support/test-services.ts'
import type { ApprovalRecord } from '../policy/approval-record.ts'
import type { JobCell, JobEvent } from './job-model.ts'
import { sampleWorkflow } from './testing/sample-workflow.ts'
import {
  factsOf,
  fleetNames,
  openSshdEngine,
  type SshdEngine,
  type SshdFacts,
  sharedStateDirectory,
} from './testing/sshd-fleet.ts'

// The embedded job engine on the real loopback sshd: 12 machines (distinct inventory names on
// the one server), the sample workflow (check, stop where running, copy with backup and checksum,
// start, verify), every script over SSH, audited in the project store.

const APPROVAL: ApprovalRecord = {
  id: 'int-approval',
  approver: 'tom',
  approvedAt: new Date().toISOString(),
  level: 2,
  scope: 'plan',
  via: 'test',
}
const NAMES = fleetNames(12)
let facts: SshdFacts
let fleet: SshdEngine

beforeAll(async () => {
  facts = factsOf(await startTestService('sshd'))
  const directory = sharedStateDirectory('jobs-int-db-')
  fleet = openSshdEngine({
    facts,
    names: NAMES,
    databaseFile: path.join(directory, 'helpdesk.sqlite'),
    concurrency: 6,
  })
})
afterAll(async () => {
  await fleet?.close()
})

const cellOf = (cells: JobCell[], step: number, target: string) =>
  cells.find((cell) => cell.stepIndex === step && cell.target === target)

describe('embedded job engine on the loopback sshd', () => {
  it('conditions, continue-on-failure and rollback over SSH', async () => {
    const directory = sharedStateDirectory('jobs-int-')
    for (const name of NAMES.slice(0, 6)) writeFileSync(path.join(directory, `${name}.running`), '')
    writeFileSync(path.join(directory, `${NAMES[1]}.broken`), '')
    writeFileSync(path.join(directory, `${NAMES[1]}.conf`), 'setting=old\n')
    writeFileSync(path.join(directory, `${NAMES[8]}.broken`), '')
    const id = await fleet.engine.start(sampleWorkflow({ directory, targets: NAMES }), {
      requester: 'alice',
      actor: 'tom',
      approval: APPROVAL,
    })
    const events: JobEvent[] = []
    for await (const event of fleet.engine.follow(id, 0)) events.push(event)
    const view = await fleet.engine.view(id)
    const cells = view?.cells ?? []
    expect(view?.status).toBe('failed')
    // Stop ran where running (first six), skipped elsewhere with the reason.
    expect(cellOf(cells, 1, NAMES[0] ?? '')?.state).toBe('succeeded')
    expect(cellOf(cells, 1, NAMES[7] ?? '')).toMatchObject({ state: 'skipped' })
    expect(cellOf(cells, 1, NAMES[7] ?? '')?.reason).toContain('condition not met')
    // NAMES[1]: start failed; copy and stop rolled back on the machine.
    expect(cellOf(cells, 3, NAMES[1] ?? '')).toMatchObject({ state: 'failed' })
    expect(cellOf(cells, 2, NAMES[1] ?? '')?.state).toBe('rolled-back')
    expect(cellOf(cells, 1, NAMES[1] ?? '')?.state).toBe('rolled-back')
    expect(cellOf(cells, 4, NAMES[1] ?? '')?.state).toBe('skipped')
    expect(readFileSync(path.join(directory, `${NAMES[1]}.conf`), 'utf8')).toBe('setting=old\n')
    expect(existsSync(path.join(directory, `${NAMES[1]}.running`))).toBe(true)
    // NAMES[8]: never running, start failed: the new file removed again.
    expect(cellOf(cells, 2, NAMES[8] ?? '')?.state).toBe('rolled-back')
    expect(existsSync(path.join(directory, `${NAMES[8]}.conf`))).toBe(false)
    // Everyone else: all five steps, the file in place, the service running.
    const others = NAMES.filter((name) => name !== NAMES[1] && name !== NAMES[8])
    for (const name of others) {
      expect(cellOf(cells, 4, name)?.state, name).toBe('succeeded')
      expect(readFileSync(path.join(directory, `${name}.conf`), 'utf8')).toBe('setting=new\n')
    }
    expect(view?.progress).toMatchObject({ done: 12, failed: 2, pending: 0 })
    const failures = events.filter((event) => event.type === 'target-failed')
    expect(failures).toHaveLength(2)
    expect(JSON.stringify(failures)).toContain('demo failed to start on')
    // Every script run is audited against the job, with the exact script.
    const records = await fleet.audit.list({ limit: 5000 })
    const executed = records.filter(
      (record) => record.action === 'step-execute' && record.requestId === id,
    )
    const results = records.filter(
      (record) => record.action === 'step-result' && record.requestId === id,
    )
    expect(executed.length).toBeGreaterThan(12 * 5)
    expect(results).toHaveLength(executed.length)
  })

  it('cancel stops the commands running on the machines and skips the rest', async () => {
    const directory = sharedStateDirectory('jobs-int-cancel-')
    for (const name of NAMES) writeFileSync(path.join(directory, `${name}.slow`), '')
    const id = await fleet.engine.start(
      sampleWorkflow({ directory, targets: NAMES, slowSeconds: 4 }),
      {
        requester: 'alice',
        approval: APPROVAL,
      },
    )
    for (let wait = 0; wait < 200; wait++) {
      if ((await fleet.engine.view(id))?.progress.current.length === 6) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    // Let the six checks reach their sleep on the machine.
    for (let wait = 0; wait < 100; wait++) {
      const checks = existsSync(path.join(directory, 'checks'))
        ? readFileSync(path.join(directory, 'checks'), 'utf8').trim().split('\n')
        : []
      if (checks.length === 6) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(await fleet.engine.cancel(id, 'alice')).toBe(true)
    const record = await fleet.engine.settled(id)
    expect(record?.status).toBe('cancelled')
    const cells = (await fleet.engine.view(id))?.cells ?? []
    expect(cells.every((cell) => cell.state === 'cancelled')).toBe(true)
    expect(cells.filter((cell) => cell.reason?.startsWith('stopped on the machine'))).toHaveLength(
      6,
    )
    // The sleeps were stopped on the server: none reaches its end (4 s) after the cancel.
    await new Promise((resolve) => setTimeout(resolve, 5000))
    expect(existsSync(path.join(directory, 'finished-slow'))).toBe(false)
    expect(readFileSync(path.join(directory, 'checks'), 'utf8').trim().split('\n')).toHaveLength(6)
  }, 30_000)
})
