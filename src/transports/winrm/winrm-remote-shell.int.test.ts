import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type FakeCommand,
  type FakeWinRmEndpoint,
  startFakeWinRmEndpoint,
} from '../../../tests/support/fake-winrm-endpoint.ts'
import type { Target } from '../../inventory/inventory-schema.ts'
import { runRemoteShellContract } from '../remote-shell-contract.case.test.ts'
import type { WinRmConfig } from './winrm-config.ts'
import { WinRmRemoteShell } from './winrm-remote-shell.ts'

const PASSWORD = 'Corr3ct-Horse!'
const environment = { WINRM_TEST_PASSWORD: PASSWORD, WINRM_TEST_WRONG: 'not-the-password' }
const OPTIONS = { timeoutMs: 10_000, outputLimit: 64 * 1024 }

/** Markers the fake "creates" when a sleep-then-mark command is left to finish. */
const markers = new Set<string>()

/** What the fake runs, by command line: Windows-looking commands with Windows-shaped output. */
function interpret(commandLine: string, stdin: string): FakeCommand {
  const both = /^cmd \/c "echo (.*)& echo (.*) 1>&2& exit \/b (\d+)"$/.exec(commandLine)
  if (both) {
    return {
      rounds: [{ stdout: `${both[1]}\r\n` }, { stderr: `${both[2]}\r\n` }],
      exitCode: Number(both[3]),
    }
  }
  const many = /^powershell -Command "\[Console\]::Out\.Write\('x' \* (\d+)\)"$/.exec(commandLine)
  if (many) {
    const count = Number(many[1])
    const rounds = Array.from({ length: Math.ceil(count / 50_000) }, (_, index) => ({
      stdout: 'x'.repeat(Math.min(50_000, count - index * 50_000)),
    }))
    return { rounds, exitCode: 0 }
  }
  const sleep = /^powershell -Command "Start-Sleep (\d+); New-Item (\S+)"$/.exec(commandLine)
  if (sleep) {
    const timer = setTimeout(() => markers.add(sleep[2] ?? ''), Number(sleep[1]) * 1000)
    return { rounds: [], exitCode: 0, hang: true, onStop: () => clearTimeout(timer) }
  }
  if (commandLine === 'more') return { rounds: [{ stdout: stdin }], exitCode: 0 }
  if (commandLine === 'slow') {
    return { rounds: [{ stdout: 'Grüße ✓ from a slow command' }], exitCode: 0, silentReceives: 2 }
  }
  return {
    rounds: [
      {
        stderr: `'${commandLine.split(' ')[0]}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`,
      },
    ],
    exitCode: 9009,
  }
}

let ntlm: FakeWinRmEndpoint
let basic: FakeWinRmEndpoint

beforeAll(async () => {
  const base = { password: PASSWORD, run: interpret }
  ntlm = await startFakeWinRmEndpoint({
    ...base,
    authentication: 'ntlm',
    username: 'CORP\\svc-helpdesk',
  })
  basic = await startFakeWinRmEndpoint({
    ...base,
    authentication: 'basic',
    username: 'svc-helpdesk',
  })
})

afterAll(async () => {
  await ntlm?.close()
  await basic?.close()
  expect(ntlm.violations).toEqual([])
  expect(basic.violations).toEqual([])
})

function target(endpoint: FakeWinRmEndpoint, overrides: Partial<Target> = {}): Target {
  return {
    name: 'WS-FIN-12',
    host: '127.0.0.1',
    port: endpoint.port,
    os: 'windows',
    transport: 'winrm',
    username: endpoint === ntlm ? 'CORP\\svc-helpdesk' : 'svc-helpdesk',
    credential: 'env:WINRM_TEST_PASSWORD',
    ...overrides,
  }
}

function shell(endpoint: FakeWinRmEndpoint, config: Partial<WinRmConfig> = {}): WinRmRemoteShell {
  return new WinRmRemoteShell({
    config: {
      caFile: endpoint.caFile,
      allowHttp: false,
      authentication: endpoint === ntlm ? 'ntlm' : 'basic',
      ...config,
    },
    environment,
    receiveWaitSeconds: 1,
  })
}

/** The messages one run sent, as `action` or `action:signal`. */
function actionsSince(endpoint: FakeWinRmEndpoint, start: number): string[] {
  return endpoint.messages
    .slice(start)
    .map((message) =>
      message.signalCode
        ? `${message.action}:${message.signalCode.split('/').at(-1)}`
        : message.action,
    )
}

async function failure(promise: Promise<unknown>) {
  return promise.then(
    () => undefined,
    (error: unknown) => error as { code: string; message: string; details: { reason: string } },
  )
}

runRemoteShellContract({
  name: 'WinRM (NTLM over HTTPS) to the fake endpoint',
  async create() {
    return { shell: shell(ntlm), target: target(ntlm) }
  },
  printBoth: (out, err, code) => ({
    commandLine: `cmd /c "echo ${out}& echo ${err} 1>&2& exit /b ${code}"`,
  }),
  printMany: (count) => ({
    commandLine: `powershell -Command "[Console]::Out.Write('x' * ${count})"`,
  }),
  sleepThenMark: (seconds, marker) => ({
    commandLine: `powershell -Command "Start-Sleep ${seconds}; New-Item ${marker}"`,
  }),
  markerExists: async (marker) => markers.has(marker),
  withWrongCredential: (each) => ({ ...each, credential: 'env:WINRM_TEST_WRONG' }),
})

describe('WinRmRemoteShell against the fake WinRM endpoint', () => {
  it('runs a command over NTLM: Create, Command, Receive rounds, Delete, streams apart', async () => {
    const start = ntlm.messages.length
    const loginsBefore = ntlm.logins
    const result = await shell(ntlm).run(
      target(ntlm),
      { commandLine: 'cmd /c "echo héllo wörld& echo wärning 1>&2& exit /b 4"' },
      OPTIONS,
    )
    expect(result).toMatchObject({
      exitCode: 4,
      stdout: 'héllo wörld\r\n',
      stderr: 'wärning\r\n',
      timedOut: false,
      stdoutTruncated: false,
    })
    expect(actionsSince(ntlm, start)).toEqual(['create', 'command', 'receive', 'receive', 'delete'])
    expect(ntlm.messages[start + 1]?.commandLine).toBe(
      'cmd /c "echo héllo wörld& echo wärning 1>&2& exit /b 4"',
    )
    // NTLM authenticated the connection once; the other four messages rode on it.
    expect(ntlm.logins).toBe(loginsBefore + 1)
  })

  it('asks again after Receive answers w:TimedOut, and decodes UTF-8 split across chunks', async () => {
    const start = ntlm.messages.length
    const result = await shell(ntlm).run(target(ntlm), { commandLine: 'slow' }, OPTIONS)
    expect(result).toMatchObject({ exitCode: 0, stdout: 'Grüße ✓ from a slow command' })
    expect(actionsSince(ntlm, start).filter((action) => action === 'receive')).toHaveLength(3)
  })

  it('writes stdin with Send and closes it', async () => {
    const start = ntlm.messages.length
    const input = "line one\r\nünïcode ✓ & <xml> 'quotes'\r\n"
    const result = await shell(ntlm).run(
      target(ntlm),
      { commandLine: 'more', stdin: input },
      OPTIONS,
    )
    expect(result.stdout).toBe(input)
    expect(actionsSince(ntlm, start)).toEqual(['create', 'command', 'send', 'receive', 'delete'])
  })

  it('logs in with Basic when configured, and refuses a wrong Basic password', async () => {
    const ok = await shell(basic).run(
      target(basic),
      { commandLine: 'more', stdin: 'basic' },
      OPTIONS,
    )
    expect(ok.stdout).toBe('basic')
    const refusedBefore = basic.failedLogins
    const error = await failure(
      shell(basic).run(
        target(basic, { credential: 'env:WINRM_TEST_WRONG' }),
        { commandLine: 'more' },
        OPTIONS,
      ),
    )
    expect(error?.details.reason).toBe('AUTHENTICATION_FAILED')
    expect(basic.failedLogins).toBe(refusedBefore + 1)
  })

  it('refuses a wrong NTLM password: the endpoint checked the NTLMv2 response and said 401', async () => {
    const refusedBefore = ntlm.failedLogins
    const error = await failure(
      shell(ntlm).run(
        target(ntlm, { credential: 'env:WINRM_TEST_WRONG' }),
        { commandLine: 'more' },
        OPTIONS,
      ),
    )
    expect(error).toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      details: { reason: 'AUTHENTICATION_FAILED' },
    })
    expect(error?.message).toContain('CORP\\svc-helpdesk')
    expect(error?.message).not.toContain('not-the-password')
    expect(ntlm.failedLogins).toBe(refusedBefore + 1)
  })

  it('refuses a certificate the configured CA did not sign, and one with no CA file at all', async () => {
    const start = ntlm.messages.length
    const wrongCa = await failure(
      shell(ntlm, { caFile: ntlm.otherCaFile }).run(target(ntlm), { commandLine: 'more' }, OPTIONS),
    )
    expect(wrongCa).toMatchObject({ details: { reason: 'TLS_FAILED' } })
    expect(wrongCa?.message).toMatch(/WINRM_CA_FILE/)
    const publicRootsOnly = new WinRmRemoteShell({
      config: { allowHttp: false, authentication: 'ntlm' },
      environment,
    })
    const noCa = await failure(publicRootsOnly.run(target(ntlm), { commandLine: 'more' }, OPTIONS))
    expect(noCa?.details.reason).toBe('TLS_FAILED')
    expect(ntlm.messages.length).toBe(start)
  })

  it('on timeout sends Signal terminate, then Delete, re-authenticating on a new connection', async () => {
    const start = ntlm.messages.length
    const loginsBefore = ntlm.logins
    const marker = `timeout-${Date.now()}`
    const result = await shell(ntlm).run(
      target(ntlm),
      { commandLine: `powershell -Command "Start-Sleep 3; New-Item ${marker}"` },
      { ...OPTIONS, timeoutMs: 600 },
    )
    expect(result).toMatchObject({ timedOut: true, exitCode: null })
    expect(result.durationMs).toBeLessThan(2500)
    const actions = actionsSince(ntlm, start)
    expect(actions.slice(0, 3)).toEqual(['create', 'command', 'receive'])
    expect(actions.slice(-2)).toEqual(['signal:terminate', 'delete'])
    const ids = ntlm.messages.slice(start)
    expect(ids.at(-2)?.commandId).toBe(ids[1]?.commandId)
    expect(new Set(ids.map((message) => message.shellId)).size).toBe(1)
    // The stop cut the held Receive's connection; Signal and Delete logged in again on a new one.
    expect(ntlm.logins).toBe(loginsBefore + 2)
    await new Promise((resolve) => setTimeout(resolve, 3200))
    expect(markers.has(marker)).toBe(false)
  })

  it('caps each stream at the output limit and still reports the exit code', async () => {
    const result = await shell(ntlm).run(
      target(ntlm),
      { commandLine: `powershell -Command "[Console]::Out.Write('x' * 120000)"` },
      { ...OPTIONS, outputLimit: 5000 },
    )
    expect(result).toMatchObject({ exitCode: 0, stdoutTruncated: true, stderrTruncated: false })
    expect(result.stdout).toBe('x'.repeat(5000))
  })

  it('reports an unreachable port as CONNECT_FAILED and refuses plain HTTP unless allowed', async () => {
    const closed = await failure(
      shell(ntlm).run(target(ntlm, { port: 1 }), { commandLine: 'more' }, OPTIONS),
    )
    expect(closed?.details.reason).toBe('CONNECT_FAILED')
    const http = await failure(
      shell(ntlm).run(target(ntlm, { port: 5985 }), { commandLine: 'more' }, OPTIONS),
    )
    expect(http).toMatchObject({ code: 'INVALID_CONFIGURATION' })
    expect(http?.message).toMatch(/WINRM_ALLOW_HTTP/)
  })
})
