import { describe, expect, it } from 'vitest'
import { HelpdeskError } from '../../errors/index.ts'
import { Inventory } from '../../inventory/inventory.ts'
import type { Target } from '../../inventory/inventory-schema.ts'
import type { PlanStep } from '../../planning/plan.ts'
import { renderPowerShell } from '../../rendering/script-renderer.ts'
import type {
  RemoteCommand,
  RemoteCommandResult,
  RemoteRunOptions,
  RemoteShell,
} from '../../transports/remote-shell.ts'
import { MAX_COMMAND_LINE, PowerShellExecutor } from './powershell-executor.ts'

/** A RemoteShell double: records what it was asked to run and answers as told. */
class RecordingShell implements RemoteShell {
  readonly transport: Target['transport']
  readonly calls: Array<{ target: Target; command: RemoteCommand; options: RemoteRunOptions }> = []
  private readonly answer: () => Promise<RemoteCommandResult>

  constructor(transport: Target['transport'], answer: Partial<RemoteCommandResult> | Error = {}) {
    this.transport = transport
    this.answer = async () => {
      if (answer instanceof Error) throw answer
      return {
        exitCode: 0,
        stdout: 'ok\r\n',
        stderr: '',
        stdoutTruncated: false,
        stderrTruncated: false,
        timedOut: false,
        durationMs: 5,
        ...answer,
      }
    }
  }

  run(target: Target, command: RemoteCommand, options: RemoteRunOptions) {
    this.calls.push({ target, command, options })
    return this.answer()
  }

  async close(): Promise<void> {}
}

const windowsOverSsh: Target = {
  name: 'LT-0423',
  host: 'lt-0423.corp.example.com',
  os: 'windows',
  transport: 'ssh',
  username: 'svc-helpdesk',
  credential: 'env:HELPDESK_SSH_KEY',
  hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGy0',
}
const windowsOverWinRm: Target = {
  name: 'WS-FIN-12',
  host: 'ws-fin-12.corp.example.com',
  os: 'windows',
  transport: 'winrm',
  username: 'CORP\\svc-helpdesk',
  credential: 'file:/etc/helpdesk/winrm.password',
}
const inventory = new Inventory({ targets: [windowsOverSsh, windowsOverWinRm], groups: {} })

function step(body: string, overrides: Partial<PlanStep> = {}): PlanStep {
  return {
    id: 'test.script',
    actionId: 'script',
    title: 'test script',
    executor: 'powershell',
    risk: 'low',
    readOnly: false,
    approvalLevel: 0,
    target: 'LT-0423',
    invocation: {
      type: 'script',
      language: 'powershell',
      ...renderPowerShell(body, [{ name: 'username', value: "o'brien" }]),
    },
    ...overrides,
  }
}

const context = { requester: 'jdoe', requestId: 'r-1' }

describe('PowerShellExecutor', () => {
  it('runs the script as powershell -EncodedCommand over the target transport', async () => {
    const ssh = new RecordingShell('ssh')
    const executor = new PowerShellExecutor({
      inventory,
      shells: { ssh },
      timeoutMs: 1234,
      outputLimit: 99,
    })
    const planned = step('Get-LocalUser -Name $username')
    const result = await executor.doExecute(planned, context)
    expect(result).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      stdout: 'ok\r\n',
      changed: true,
      target: 'LT-0423',
    })
    const [call] = ssh.calls
    expect(call?.target.name).toBe('LT-0423')
    expect(call?.options).toMatchObject({ timeoutMs: 1234, outputLimit: 99 })
    expect(call?.command.stdin).toBeUndefined()
    const match = /^powershell -NoProfile -NonInteractive -EncodedCommand ([A-Za-z0-9+/]+=*)$/.exec(
      call?.command.commandLine ?? '',
    )
    if (planned.invocation.type !== 'script') throw new Error('a script step')
    expect(Buffer.from(match?.[1] ?? '', 'base64')).toEqual(
      Buffer.from(planned.invocation.script, 'utf16le'),
    )
    // The audit and the person see the script, never the base64.
    expect(result.wouldRun).toContain("-username 'o''brien'")
    expect(result.wouldRun).not.toContain(match?.[1])
  })

  it('reports a read-only step as unchanged and a non-zero exit as EXIT_CODE with the last error line', async () => {
    const executor = new PowerShellExecutor({
      inventory,
      shells: {
        winrm: new RecordingShell('winrm', {
          exitCode: 1,
          stderr: 'first\r\nAccess is denied.\r\n',
        }),
      },
    })
    const result = await executor.doExecute(
      step('Write-Output 1', { target: 'ws-fin-12' }),
      context,
    )
    expect(result).toMatchObject({
      status: 'failed',
      errorCode: 'EXIT_CODE',
      exitCode: 1,
      changed: false,
    })
    expect(result.errorMessage).toContain('Access is denied.')
    const readOnly = new PowerShellExecutor({
      inventory,
      shells: { ssh: new RecordingShell('ssh') },
    })
    expect(
      (await readOnly.doExecute(step('Write-Output 1', { readOnly: true }), context)).changed,
    ).toBe(false)
  })

  it('maps a timeout to TIMEOUT and a transport failure to its reason, without throwing', async () => {
    const slow = new PowerShellExecutor({
      inventory,
      shells: { ssh: new RecordingShell('ssh', { exitCode: null, timedOut: true }) },
    })
    expect(await slow.doExecute(step('Start-Sleep 99'), context)).toMatchObject({
      status: 'failed',
      errorCode: 'TIMEOUT',
    })
    const refused = new HelpdeskError({
      code: 'BACKEND_UNAVAILABLE',
      message: 'WS-FIN-12 refused the login for CORP\\svc-helpdesk',
      details: { reason: 'AUTHENTICATION_FAILED', target: 'WS-FIN-12' },
    })
    const down = new PowerShellExecutor({
      inventory,
      shells: { winrm: new RecordingShell('winrm', refused) },
    })
    expect(
      await down.doExecute(step('Write-Output 1', { target: 'WS-FIN-12' }), context),
    ).toMatchObject({
      status: 'failed',
      errorCode: 'AUTHENTICATION_FAILED',
      errorMessage: refused.message,
      changed: false,
    })
  })

  it('refuses without connecting: a script that does not parse, and one too long for cmd.exe', async () => {
    const ssh = new RecordingShell('ssh')
    const executor = new PowerShellExecutor({ inventory, shells: { ssh } })
    const broken = await executor.doExecute(step("if ($true) {\n  Write-Output 'never'\n"), context)
    expect(broken).toMatchObject({ status: 'failed', errorCode: 'SCRIPT_SYNTAX' })
    expect(broken.errorMessage).toMatch(/line \d+, column \d+/)
    const long = await executor.doExecute(
      step(`Write-Output '${'x'.repeat(MAX_COMMAND_LINE)}'`),
      context,
    )
    expect(long).toMatchObject({ status: 'failed', errorCode: 'SCRIPT_TOO_LONG' })
    expect(ssh.calls).toHaveLength(0)
  })

  it('fails clearly for a missing or unknown target, a transport with no shell, and a non-PowerShell step', async () => {
    const executor = new PowerShellExecutor({
      inventory,
      shells: { ssh: new RecordingShell('ssh') },
    })
    const { target: _none, ...withoutTarget } = step('Write-Output 1')
    expect(await executor.doExecute(withoutTarget, context)).toMatchObject({
      errorCode: 'NO_TARGET',
    })
    const unknown = await executor.doExecute(step('Write-Output 1', { target: 'PC-9' }), context)
    expect(unknown).toMatchObject({ status: 'failed', errorCode: 'UNKNOWN_TARGET' })
    expect(unknown.errorMessage).toMatch(
      /unknown target "PC-9"; the inventory has: LT-0423, WS-FIN-12/,
    )
    const noWinRm = await executor.doExecute(
      step('Write-Output 1', { target: 'WS-FIN-12' }),
      context,
    )
    expect(noWinRm).toMatchObject({ errorCode: 'UNSUPPORTED_TRANSPORT' })
    expect(noWinRm.errorMessage).toMatch(/no winrm shell/)
    const bash = step('echo', {
      executor: 'bash',
      invocation: {
        type: 'script',
        language: 'bash',
        script: 'echo hi\n',
        commandLine: 'bash -s --',
      },
    })
    expect(await executor.doExecute(bash, context)).toMatchObject({ errorCode: 'UNSUPPORTED_STEP' })
  })
})
