import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SqliteAuditLog } from '../audit/sqlite-audit-log.ts'
import { Inventory } from '../inventory/inventory.ts'
import type { Target } from '../inventory/inventory-schema.ts'
import { metrics } from '../observability/metrics.ts'
import type { ApprovalRecord } from '../policy/approval-record.ts'
import { EmbeddedJobEngine } from './embedded-job-engine.ts'
import type { JobCell, JobEvent } from './job-model.ts'
import { SqliteJobStore } from './sqlite-job-store.ts'
import { LocalBashShell } from './testing/local-bash-shell.ts'
import { sampleWorkflow } from './testing/sample-workflow.ts'
import { WorkflowScriptRunner } from './workflow-script-runner.ts'

const APPROVAL: ApprovalRecord = {
  id: 'approval-1',
  approver: 'tech',
  approvedAt: new Date().toISOString(),
  level: 2,
  scope: 'plan',
  via: 'test',
}
const NAMES = ['M-01', 'M-02', 'M-03', 'M-04', 'M-05', 'M-06']
const HOST_KEY = `ssh-ed25519 ${Buffer.alloc(51, 1).toString('base64')}`

function machine(name: string): Target {
  return {
    name,
    host: '127.0.0.1',
    os: 'linux',
    transport: 'ssh',
    username: 'nobody',
    credential: 'env:UNUSED',
    hostKey: HOST_KEY,
  }
}

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

function world(file = ':memory:', directory = mkdtempSync(path.join(tmpdir(), 'jobs-'))) {
  const store = new SqliteJobStore({ file })
  const audit = new SqliteAuditLog({ file: path.join(directory, 'audit.sqlite') })
  const shell = new LocalBashShell()
  const engine = new EmbeddedJobEngine({
    store,
    audit,
    runner: new WorkflowScriptRunner({ shells: { ssh: shell }, audit }),
    inventory: new Inventory({ targets: NAMES.map(machine), groups: {} }),
    concurrency: 3,
  })
  closers.push(async () => {
    await engine.close()
    await store.close()
    await audit.close()
  })
  return { store, audit, shell, engine, directory }
}

const stateOf = (cells: JobCell[], step: number, target: string) =>
  cells.find((cell) => cell.stepIndex === step && cell.target === target)

async function allEvents(engine: EmbeddedJobEngine, id: string, after = 0): Promise<JobEvent[]> {
  const events: JobEvent[] = []
  for await (const event of engine.follow(id, after)) events.push(event)
  return events
}

/** The value of one labelled series of a counter. */
async function counted(
  counter: typeof metrics.jobs | typeof metrics.jobTargetSteps,
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await counter.get()
  const series = values.find((value) =>
    Object.entries(labels).every(([name, label]) => value.labels[name as never] === label),
  )
  return series?.value ?? 0
}

describe('EmbeddedJobEngine (local bash)', () => {
  it('runs conditions, continues past a failed target and rolls back its completed steps', async () => {
    const { engine, directory, audit, shell } = world()
    const before = {
      failedJobs: await counted(metrics.jobs, { status: 'failed' }),
      succeeded: await counted(metrics.jobTargetSteps, { executor: 'bash', state: 'succeeded' }),
      failed: await counted(metrics.jobTargetSteps, { executor: 'bash', state: 'failed' }),
      rolledBack: await counted(metrics.jobTargetSteps, { executor: 'bash', state: 'rolled-back' }),
    }
    for (const name of ['M-02', 'M-03', 'M-05'])
      writeFileSync(path.join(directory, `${name}.running`), '')
    for (const name of ['M-03', 'M-04']) writeFileSync(path.join(directory, `${name}.broken`), '')
    writeFileSync(path.join(directory, 'M-04.conf'), 'setting=old\n')
    const id = await engine.start(sampleWorkflow({ directory, targets: NAMES }), {
      requester: 'alice',
      actor: 'tech',
      approval: APPROVAL,
    })
    const events = await allEvents(engine, id)
    const view = await engine.view(id)
    if (!view) throw new Error('no view')
    expect(view.status).toBe('failed')
    // Condition: the stop ran only where the service was running.
    expect(stateOf(view.cells, 1, 'M-01')?.state).toBe('skipped')
    expect(stateOf(view.cells, 1, 'M-01')?.reason).toMatch(/condition not met \(only-where-running/)
    expect(stateOf(view.cells, 1, 'M-02')?.state).toBe('succeeded')
    // M-03: running, broken: stopped, copied, start failed -> copy and stop rolled back.
    expect(stateOf(view.cells, 3, 'M-03')).toMatchObject({
      state: 'failed',
      errorCode: 'EXIT_STATUS',
    })
    expect(stateOf(view.cells, 3, 'M-03')?.reason).toContain('demo failed to start on M-03')
    expect(stateOf(view.cells, 2, 'M-03')?.state).toBe('rolled-back')
    expect(stateOf(view.cells, 1, 'M-03')?.state).toBe('rolled-back')
    expect(stateOf(view.cells, 4, 'M-03')).toMatchObject({ state: 'skipped' })
    expect(existsSync(path.join(directory, 'M-03.running'))).toBe(true)
    expect(existsSync(path.join(directory, 'M-03.conf'))).toBe(false)
    // M-04: stopped, broken: its old file came back from the backup.
    expect(readFileSync(path.join(directory, 'M-04.conf'), 'utf8')).toBe('setting=old\n')
    expect(stateOf(view.cells, 1, 'M-04')?.state).toBe('skipped')
    // The others finished every step.
    for (const name of ['M-01', 'M-02', 'M-05', 'M-06']) {
      expect(stateOf(view.cells, 4, name)?.state, name).toBe('succeeded')
      expect(readFileSync(path.join(directory, `${name}.conf`), 'utf8')).toBe('setting=new\n')
    }
    expect(view.progress).toMatchObject({ done: 6, failed: 2, pending: 0, stepsEnded: 5, etaMs: 0 })
    // Events: numbered 1..n without a gap, each step started and ended once, the failures named.
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1))
    expect(events.filter((event) => event.type === 'step-started')).toHaveLength(5)
    expect(events.filter((event) => event.type === 'step-ended')).toHaveLength(5)
    const failed = events.filter((event) => event.type === 'target-failed')
    expect(failed.map((event) => event.type === 'target-failed' && event.target).sort()).toEqual([
      'M-03',
      'M-04',
    ])
    expect(events.filter((event) => event.type === 'target-succeeded')).toHaveLength(4)
    expect(
      events.some((event) => event.type === 'log' && event.lines.includes('stopped demo on M-02')),
    ).toBe(true)
    expect(events.at(-1)).toMatchObject({ type: 'job-ended', status: 'failed' })
    // One session per target; every script audited with the job and the exact script.
    expect(shell.sessionsOpened).toBe(6)
    const records = await audit.list({ limit: 1000 })
    const executes = records.filter((record) => record.action === 'step-execute')
    expect(executes.length).toBe(shell.ran.length)
    expect(executes.every((record) => record.requestId === id && record.actor === 'tech')).toBe(
      true,
    )
    expect(String(executes[0]?.detail.operation)).toContain('name="$1"')
    // On /metrics: the job's outcome, and each machine's steps by executor and final state.
    const cellsIn = (state: string) => view.cells.filter((cell) => cell.state === state).length
    expect(await counted(metrics.jobs, { status: 'failed' })).toBe(before.failedJobs + 1)
    expect(
      await counted(metrics.jobTargetSteps, { executor: 'bash', state: 'succeeded' }),
    ).toBeGreaterThanOrEqual(before.succeeded + cellsIn('succeeded'))
    expect(await counted(metrics.jobTargetSteps, { executor: 'bash', state: 'failed' })).toBe(
      before.failed + cellsIn('failed'),
    )
    expect(await counted(metrics.jobTargetSteps, { executor: 'bash', state: 'rolled-back' })).toBe(
      before.rolledBack + cellsIn('rolled-back'),
    )
  })

  it('stops at the first failure when continueOnFailure is false', async () => {
    const { engine, directory } = world()
    writeFileSync(path.join(directory, 'M-01.broken'), '')
    const id = await engine.start(
      sampleWorkflow({ directory, targets: NAMES, continueOnFailure: false }),
      { requester: 'alice', approval: APPROVAL, concurrency: 1 },
    )
    const record = await engine.settled(id)
    const view = await engine.view(id)
    expect(record?.status).toBe('failed')
    for (const name of NAMES.slice(1)) {
      expect(stateOf(view?.cells ?? [], 0, name)).toMatchObject({
        state: 'skipped',
        reason: 'not run: the workflow stops at the first failure (on M-01)',
      })
    }
  })

  it('cancel stops the running command and records the rest cancelled', async () => {
    const { engine, directory } = world()
    for (const name of NAMES) writeFileSync(path.join(directory, `${name}.slow`), '')
    const id = await engine.start(sampleWorkflow({ directory, targets: NAMES, slowSeconds: 20 }), {
      requester: 'alice',
      approval: APPROVAL,
    })
    for (let wait = 0; wait < 100; wait++) {
      if ((await engine.view(id))?.progress.current.length === 3) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const began = performance.now()
    expect(await engine.cancel(id, 'alice')).toBe(true)
    const record = await engine.settled(id)
    expect(performance.now() - began).toBeLessThan(5000)
    expect(record?.status).toBe('cancelled')
    const cells = (await engine.view(id))?.cells ?? []
    expect(cells.every((cell) => cell.state === 'cancelled')).toBe(true)
    expect(cells.filter((cell) => cell.reason?.startsWith('stopped on the machine'))).toHaveLength(
      3,
    )
    // The sleeping checks were killed: none reached its end.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(existsSync(path.join(directory, 'finished-slow'))).toBe(false)
    expect(await engine.cancel(id, 'alice')).toBe(false)
  })

  it('after a restart, a started cell is unknown and never re-run; the rest carries on', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'jobs-'))
    const file = path.join(directory, 'store.sqlite')
    const first = world(file, directory)
    // A job as a killed server leaves it: M-01's check running, nothing else started.
    const workflow = sampleWorkflow({ directory, targets: ['M-01', 'M-02'] })
    await first.store.create({
      id: 'job-crashed',
      workflow,
      requester: 'alice',
      actor: 'tech',
      approval: APPROVAL,
      concurrency: 2,
      status: 'running',
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    })
    await first.store.updateCell('job-crashed', 0, 'M-01', { state: 'running', phase: 'run' })
    await first.store.append('job-crashed', { type: 'target-started', target: 'M-01' })
    const second = world(file, directory)
    expect(await second.engine.recover()).toEqual(['job-crashed'])
    const record = await second.engine.settled('job-crashed')
    const cells = (await second.engine.view('job-crashed'))?.cells ?? []
    expect(record?.status).toBe('failed')
    expect(stateOf(cells, 0, 'M-01')?.state).toBe('unknown')
    expect(stateOf(cells, 1, 'M-01')?.reason).toBe(
      'not run: step-1 ended with an unknown outcome on this machine',
    )
    expect(stateOf(cells, 4, 'M-02')?.state).toBe('succeeded')
    expect(second.shell.ran.filter((run) => run.target === 'M-01')).toHaveLength(0)
    const events = await allEvents(second.engine, 'job-crashed')
    expect(events[0]).toMatchObject({ id: 1, type: 'target-started' })
    expect(events.some((event) => event.type === 'job-resumed' && event.unknown === 1)).toBe(true)
  })

  it('follow from an event id replays exactly the events after it', async () => {
    const { engine, directory } = world()
    const id = await engine.start(sampleWorkflow({ directory, targets: NAMES }), {
      requester: 'alice',
      approval: APPROVAL,
    })
    const all = await allEvents(engine, id)
    const tail = await allEvents(engine, id, 17)
    expect(tail).toEqual(all.slice(17))
  })

  it('refuses a job it cannot run and stores nothing', async () => {
    const { engine, store, directory } = world()
    const workflow = sampleWorkflow({ directory, targets: NAMES })
    await expect(
      engine.start(
        { ...workflow, targets: ['M-01', 'NOPE'] },
        { requester: 'alice', approval: APPROVAL },
      ),
    ).rejects.toThrow('targets[1]: "NOPE" is not in the inventory')
    await expect(
      engine.start(
        { ...workflow, targets: ['M-01', 'm-01'] },
        { requester: 'alice', approval: APPROVAL },
      ),
    ).rejects.toThrow('appears twice')
    await expect(engine.start(workflow, { requester: 'alice' })).rejects.toMatchObject({
      code: 'AWAITING_APPROVAL',
    })
    const noWindows = {
      ...workflow,
      steps: workflow.steps.map((step) => ({ ...step, scripts: { windows: 'Get-Date' } })),
    }
    await expect(
      engine.start(noWindows, { requester: 'alice', approval: APPROVAL }),
    ).rejects.toThrow('steps.step-1.scripts: no linux script for M-01')
    await expect(
      engine.start(workflow, { requester: 'alice', approval: APPROVAL, concurrency: 0 }),
    ).rejects.toThrow('concurrency')
    // A copy's file as an API caller might hand it: each field checked by its kind.
    const transfer = {
      source: 'motd.txt',
      destination: '/etc/motd',
      size: 3,
      sha256: 'a'.repeat(64),
    }
    const copying = (change: Partial<typeof transfer>) => ({
      ...workflow,
      steps: workflow.steps.map((step, index) =>
        index === 2 ? { ...step, transfer: { ...transfer, ...change } } : step,
      ),
    })
    for (const [change, message] of [
      [
        { source: '../../etc/shadow' },
        'steps[2].transfer.source: "../../etc/shadow" is not a valid source',
      ],
      [{ source: '/etc/shadow' }, 'steps[2].transfer.source: "/etc/shadow" is not a valid source'],
      [
        { destination: 'etc/motd' },
        'steps[2].transfer.destination: "etc/motd" is not a valid destination',
      ],
      [{ sha256: 'abc' }, 'steps[2].transfer.sha256: expected 64 lower-case hex digits'],
      [
        { destination: 'C:\\motd.txt' },
        'steps.step-3.transfer.destination: C:\\motd.txt is a Windows path, but M-01 runs Linux',
      ],
      [{ size: -1 }, 'steps[2].transfer.size: expected a whole number of bytes'],
    ] as const) {
      await expect(
        engine.start(copying(change), { requester: 'alice', approval: APPROVAL }),
      ).rejects.toThrow(message)
    }
    expect(await store.unfinished()).toEqual([])
  })
})
