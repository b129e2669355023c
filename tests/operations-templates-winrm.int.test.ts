import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqliteAuditLog } from '../src/audit/sqlite-audit-log.ts'
import { isHelpdeskError } from '../src/errors/index.ts'
import { Inventory } from '../src/inventory/inventory.ts'
import type { Target } from '../src/inventory/inventory-schema.ts'
import { EmbeddedJobEngine } from '../src/jobs/embedded-job-engine.ts'
import type { JobPhase } from '../src/jobs/job-model.ts'
import { SqliteJobStore } from '../src/jobs/sqlite-job-store.ts'
import { WorkflowScriptRunner } from '../src/jobs/workflow-script-runner.ts'
import { OperationCatalog } from '../src/operations/operation-catalog.ts'
import { OperationsDesk } from '../src/operations/operations-desk.ts'
import { type RenderedOperation, renderOperation } from '../src/operations/render-operation.ts'
import type { WorkflowStep } from '../src/operations/workflow.ts'
import { AccessPolicy } from '../src/policy/access-policy.ts'
import { AccountMap } from '../src/policy/account-map.ts'
import type { ApprovalRecord } from '../src/policy/approval-record.ts'
import { WinRmRemoteShell } from '../src/transports/winrm/winrm-remote-shell.ts'
import {
  type FakeCommand,
  type FakeWinRmEndpoint,
  startFakeWinRmEndpoint,
} from './support/fake-winrm-endpoint.ts'

/**
 * NOT REAL WINDOWS. Every Windows (PowerShell) template of the operations catalog, rendered as a
 * workflow carries it and sent by the job engine's script runner through the real WinRM client
 * (HTTPS, NTLMv2, WS-Management Create/Command/Receive/Delete) to the WS-Management test endpoint
 * (tests/support/fake-winrm-endpoint.ts) on 127.0.0.1. The endpoint checks every SOAP message and
 * decodes the -EncodedCommand, so the test sees the exact PowerShell that would reach Windows; it
 * does NOT run PowerShell: what it answers (output in chunks, stderr, exit codes) is scripted here.
 * What this proves: delivery byte for byte, quoting of the values, and the parsing of the answer.
 * What it cannot prove: that the templates do the right thing on a real Windows machine.
 */

const PASSWORD = 'Winrm-Catalog-Pa55!'
const ENCODED = /^powershell -NoProfile -NonInteractive -EncodedCommand ([A-Za-z0-9+/]+=*)$/

/** Values for each catalog operation: the awkward characters each kind still accepts. */
const VALUES: Record<string, Record<string, string | number>> = {
  'disk.usage': { path: 'C:\\Program Files\\Hostile, App=1 @x ~y+z' },
  'file.copy': {
    source: 'releases/app_v2.conf',
    destination: 'C:\\inetpub\\wwwroot\\web @prod, v2.config',
    overwrite: 'yes',
  },
  'logs.errors': { hours: 24, service: 'W3SVC' },
  'network.name-check': { host: 'fs01.corp.example.com' },
  'network.port-check': { host: 'db01', port: 1433 },
  'package.install': { package: 'Git.Git', version: '2.45.1' },
  'package.remove': { package: '7zip.7zip' },
  'package.update': { package: 'Microsoft.VisualStudioCode' },
  'process.check': { process: 'w3wp.exe' },
  'process.stop': { process: 'w3wp.exe' },
  'service.restart': { service: 'postgresql@16-main' },
  'service.start': { service: 'postgresql@16-main' },
  'service.status': { service: 'postgresql@16-main' },
  'service.stop': { service: 'postgresql@16-main' },
  'system.reboot': {},
  'system.uptime': {},
}

/**
 * What must follow the script block, written out by hand (not by the quoting function under
 * test): each value a single-quoted literal, hostnames upper-cased by their kind, `host` passed as
 * `-host_name` ($host is read-only in PowerShell), an unset optional value as ''.
 */
const ARGUMENTS: Record<string, string> = {
  'disk.usage': " -path 'C:\\Program Files\\Hostile, App=1 @x ~y+z'",
  'file.copy':
    " -source 'releases/app_v2.conf' -destination 'C:\\inetpub\\wwwroot\\web @prod, v2.config' -overwrite 'yes'",
  'logs.errors': " -hours '24' -service 'W3SVC'",
  'network.name-check': " -host_name 'FS01.CORP.EXAMPLE.COM'",
  'network.port-check': " -host_name 'DB01' -port '1433'",
  'package.install': " -package 'Git.Git' -version '2.45.1'",
  'package.remove': " -package '7zip.7zip'",
  'package.update': " -package 'Microsoft.VisualStudioCode' -version ''",
  'process.check': " -process 'w3wp.exe'",
  'process.stop': " -process 'w3wp.exe'",
  'service.restart': " -service 'postgresql@16-main'",
  'service.start': " -service 'postgresql@16-main'",
  'service.status': " -service 'postgresql@16-main'",
  'service.stop': " -service 'postgresql@16-main'",
  'system.reboot': '',
  'system.uptime': '',
}

/** A scripted Windows machine behind one endpoint: what it received, what it answers. */
interface FakeWindows {
  endpoint: FakeWinRmEndpoint
  target: Target
  received: string[]
  answer: (script: string) => FakeCommand
}

async function fakeWindows(name: string): Promise<FakeWindows> {
  const machine: Partial<FakeWindows> & { received: string[] } = {
    received: [],
    answer: () => ({ rounds: [{ stdout: 'ok\r\n' }], exitCode: 0 }),
  }
  machine.endpoint = await startFakeWinRmEndpoint({
    authentication: 'ntlm',
    username: 'CORP\\svc-helpdesk',
    password: PASSWORD,
    run(commandLine) {
      const encoded = ENCODED.exec(commandLine)?.[1]
      if (encoded === undefined)
        return { rounds: [{ stderr: 'not an encoded command' }], exitCode: 1 }
      const script = Buffer.from(encoded, 'base64').toString('utf16le')
      machine.received.push(script)
      return (machine.answer as FakeWindows['answer'])(script)
    },
  })
  machine.target = {
    name,
    host: '127.0.0.1',
    port: machine.endpoint.port,
    os: 'windows',
    transport: 'winrm',
    username: 'CORP\\svc-helpdesk',
    credential: 'env:CATALOG_WINRM_PASSWORD',
    class: 'server',
  }
  return machine as FakeWindows
}

let machines: FakeWindows[] = []
let shell: WinRmRemoteShell
let audit: SqliteAuditLog
let runner: WorkflowScriptRunner
let catalog: OperationCatalog

beforeAll(async () => {
  machines = [await fakeWindows('APP-WIN01'), await fakeWindows('APP-WIN02')]
  // One CA file trusting both endpoints' self-signed certificates, as WINRM_CA_FILE would.
  const { readFileSync, writeFileSync } = await import('node:fs')
  const caFile = `${machines[0]?.endpoint.caFile}.both.pem`
  writeFileSync(caFile, machines.map((each) => readFileSync(each.endpoint.caFile, 'utf8')).join(''))
  shell = new WinRmRemoteShell({
    config: { caFile, allowHttp: false, authentication: 'ntlm' },
    environment: { CATALOG_WINRM_PASSWORD: PASSWORD },
    receiveWaitSeconds: 1,
  })
  audit = new SqliteAuditLog({ file: ':memory:' })
  runner = new WorkflowScriptRunner({ shells: { winrm: shell }, audit })
  catalog = await OperationCatalog.load()
})

afterAll(async () => {
  await shell?.close()
  for (const machine of machines) {
    await machine.endpoint.close()
    expect(machine.endpoint.violations).toEqual([])
    expect(machine.endpoint.failedLogins).toBe(0)
  }
  await audit?.close()
})

/** Every Windows script of a rendered operation, by phase. */
function windowsPhases(rendered: RenderedOperation): Array<[JobPhase, string]> {
  const phases: Array<[JobPhase, string | undefined]> = [
    ...Object.values(rendered.conditions).map(
      (scripts) => ['condition', scripts?.windows] as [JobPhase, string | undefined],
    ),
    ['backup', rendered.backup?.windows],
    ['run', rendered.scripts.windows],
    ['verify', rendered.verify?.windows],
    ['rollback', rendered.rollback?.windows],
  ]
  return phases.filter((each): each is [JobPhase, string] => each[1] !== undefined)
}

describe("NOT REAL WINDOWS: every catalog operation's PowerShell over WinRM to the WS-Management test endpoint", () => {
  it('has values and expected arguments for every operation of the catalog', () => {
    expect(Object.keys(VALUES).sort()).toEqual(catalog.list().map((operation) => operation.id))
  })

  it('delivers each Windows template byte for byte, values quoted, and parses what comes back', async () => {
    const machine = machines[0] as FakeWindows
    let runs = 0
    for (const operation of catalog.list()) {
      const rendered = renderOperation(operation, VALUES[operation.id] ?? {})
      const phases = windowsPhases(rendered)
      expect(phases.length, operation.id).toBeGreaterThan(0)
      for (const [phase, script] of phases) {
        // The template's script block, then exactly the arguments written out above.
        expect(script.startsWith('& {\nparam('), operation.id).toBe(true)
        expect(script.endsWith(`\n}${ARGUMENTS[operation.id]}\n`), `${operation.id} ${phase}`).toBe(
          true,
        )
        // A different answer each run (multi-byte characters split across 7-byte chunks, CRLF,
        // stderr, exit codes), so a mix-up between runs or streams would show.
        runs++
        const answer = {
          stdout: `${operation.id} ${phase} #${runs}: Größe 12 GB\r\nzweite Zeile ✓\r\n`,
          stderr: runs % 3 === 0 ? `WARNING: ${operation.id} needed a retry\r\n` : '',
          exitCode: runs % 4 === 0 ? 1 : 0,
        }
        machine.answer = () => ({
          rounds: [
            { stdout: answer.stdout.slice(0, 10) },
            { stdout: answer.stdout.slice(10), stderr: answer.stderr },
          ],
          exitCode: answer.exitCode,
        })
        const before = machine.received.length
        const outcome = await runner.run({
          jobId: 'catalog-winrm',
          requester: 'tech',
          actor: 'tech',
          stepId: `${operation.id}.${phase}`,
          operation: operation.id,
          phase,
          target: machine.target,
          platform: 'windows',
          script,
          timeoutMs: 30_000,
          signal: new AbortController().signal,
        })
        expect(machine.received.slice(before), `${operation.id} ${phase}`).toEqual([script])
        expect(outcome).toMatchObject({
          exitCode: answer.exitCode,
          stdout: answer.stdout,
          stderr: answer.stderr,
          timedOut: false,
        })
        expect(outcome.errorCode).toBeUndefined()
      }
    }
    expect(runs).toBeGreaterThanOrEqual(catalog.list().length)
    // Each run: audited before it left (step-execute with the exact script) and after (step-result).
    const records = (await audit.list({ limit: 1000 })).filter(
      (record) => record.requestId === 'catalog-winrm',
    )
    expect(records.filter((record) => record.action === 'step-execute')).toHaveLength(runs)
    expect(records.filter((record) => record.action === 'step-result')).toHaveLength(runs)
  })

  it('refuses hostile values before anything is sent: nothing reaches the endpoint', () => {
    const machine = machines[0] as FakeWindows
    const messages = machine.endpoint.messages.length
    const hostile = [
      "W3SVC'; Remove-Item -Recurse -Force C:\\; '",
      'W3SVC`; shutdown /s',
      'W3SVC$(Stop-Computer)',
      'W3SVC\r\nStop-Computer',
      '‘W3SVC’',
    ]
    for (const operation of catalog.list()) {
      for (const parameter of operation.parameters) {
        if (parameter.kind === 'port' || parameter.kind === 'hours') continue
        for (const value of hostile) {
          const values = { ...VALUES[operation.id], [parameter.name]: value }
          let refused: unknown
          try {
            renderOperation(operation, values)
          } catch (error) {
            refused = error
          }
          expect(
            isHelpdeskError(refused) && refused.code,
            `${operation.id} ${parameter.name}=${value}`,
          ).toBe('INVALID_INPUT')
        }
      }
    }
    expect(machine.endpoint.messages.length).toBe(messages)
  })
})

/**
 * A scripted Windows service behind one endpoint, answering the workflow step's exact scripts
 * (and only those: any other script is a test failure) the way Get-Service/Stop-Service would.
 */
function serviceMachine(
  machine: FakeWindows,
  step: WorkflowStep,
  state: { status: 'Running' | 'Stopped'; stopDoesNothing?: boolean },
): void {
  machine.answer = (script) => {
    if (script === step.condition?.scripts.windows)
      return { rounds: [{}], exitCode: state.status === 'Running' ? 0 : 1 }
    if (script === step.scripts.windows) {
      if (!state.stopDoesNothing) state.status = 'Stopped'
      return { rounds: [{ stdout: 'service dataprocessor is stopped\r\n' }], exitCode: 0 }
    }
    if (script === step.verify?.windows)
      return { rounds: [{}], exitCode: state.status === 'Stopped' ? 0 : 1 }
    if (script === step.rollback?.windows) {
      state.status = 'Running'
      return { rounds: [{ stdout: 'service dataprocessor is running\r\n' }], exitCode: 0 }
    }
    return { rounds: [{ stderr: `unexpected script:\n${script}` }], exitCode: 99 }
  }
}

describe('NOT REAL WINDOWS: a workflow on two Windows targets through the job engine and WinRM', () => {
  const approval: ApprovalRecord = {
    id: 'winrm-approval',
    approver: 'tom',
    approvedAt: new Date().toISOString(),
    level: 2,
    scope: 'plan',
    via: 'test',
  }

  async function plannedJob() {
    const inventory = new Inventory({
      targets: machines.map((machine) => machine.target),
      groups: { 'windows-servers': machines.map((machine) => machine.target.name) },
    })
    const desk = new OperationsDesk({
      catalog,
      inventory,
      access: new AccessPolicy({ accounts: new AccountMap(), machines: inventory }),
    })
    const turn = await desk.answer(
      'stop the dataprocessor service on the windows-servers group, only where it is running',
      { username: 'tom', role: 'technician' },
    )
    const plan = turn?.plan
    if (!plan) throw new Error(`no plan: ${turn?.reply}`)
    const store = new SqliteJobStore({ file: ':memory:' })
    const engine = new EmbeddedJobEngine({ store, audit, runner, inventory })
    return { plan, engine, store, reply: turn?.reply ?? '' }
  }

  it('stops where running, skips where stopped, verifies; each script exactly as planned', async () => {
    const { plan, engine, store, reply } = await plannedJob()
    expect(reply).toContain('Windows 2 (APP-WIN01, APP-WIN02)')
    const step = plan.workflow.steps[0] as WorkflowStep
    expect(plan.workflow.steps).toHaveLength(1)
    expect(step).toMatchObject({
      operation: 'service.stop',
      condition: { kind: 'only-where-running' },
    })
    const [win01, win02] = machines as [FakeWindows, FakeWindows]
    const states = [{ status: 'Running' as const }, { status: 'Stopped' as const }]
    serviceMachine(win01, step, states[0] as { status: 'Running' | 'Stopped' })
    serviceMachine(win02, step, states[1] as { status: 'Running' | 'Stopped' })
    const before = [win01.received.length, win02.received.length]
    const id = await engine.start(plan.workflow, { requester: 'tom', approval })
    const events = []
    for await (const event of engine.follow(id, 0)) events.push(event)
    const view = await engine.view(id)
    expect(view?.status).toBe('succeeded')
    expect(view?.cells.map(({ target, state, reason }) => ({ target, state, reason }))).toEqual([
      { target: 'APP-WIN01', state: 'succeeded', reason: undefined },
      {
        target: 'APP-WIN02',
        state: 'skipped',
        reason: 'condition not met (only-where-running, exit 1)',
      },
    ])
    // APP-WIN01: condition, stop, verify; APP-WIN02: the condition only. Byte for byte.
    expect(win01.received.slice(before[0])).toEqual([
      step.condition?.scripts.windows,
      step.scripts.windows,
      step.verify?.windows,
    ])
    expect(win02.received.slice(before[1])).toEqual([step.condition?.scripts.windows])
    expect(states[0]?.status).toBe('Stopped')
    expect(
      events.some(
        (event) =>
          event.type === 'log' &&
          JSON.stringify(event).includes('service dataprocessor is stopped'),
      ),
    ).toBe(true)
    await engine.close()
    await store.close()
  })

  it('a verification that fails on one target fails it there and the other still succeeds', async () => {
    const { plan, engine, store } = await plannedJob()
    const step = plan.workflow.steps[0] as WorkflowStep
    const [win01, win02] = machines as [FakeWindows, FakeWindows]
    serviceMachine(win01, step, { status: 'Running' })
    // Stop-Service returns, but the service is still running: the verification must catch it.
    serviceMachine(win02, step, { status: 'Running', stopDoesNothing: true })
    const id = await engine.start(plan.workflow, { requester: 'tom', approval })
    for await (const _event of engine.follow(id, 0)) {
      // drain until the job ends
    }
    const view = await engine.view(id)
    expect(view?.status).toBe('failed')
    const cells = view?.cells ?? []
    expect(cells.find((cell) => cell.target === 'APP-WIN01')?.state).toBe('succeeded')
    expect(cells.find((cell) => cell.target === 'APP-WIN02')).toMatchObject({
      state: 'failed',
      phase: 'verify',
      errorCode: 'VERIFICATION_FAILED',
    })
    expect(view?.progress).toMatchObject({ done: 2, failed: 1, pending: 0 })
    await engine.close()
    await store.close()
  })
})
