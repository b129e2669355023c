import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type FakeWinRmEndpoint,
  startFakeWinRmEndpoint,
} from '../../../tests/support/fake-winrm-endpoint.ts'
import { Inventory } from '../../inventory/inventory.ts'
import type { Target } from '../../inventory/inventory-schema.ts'
import { loadInstructions } from '../../knowledge/instructions/instruction-loader.ts'
import type { PlanStep } from '../../planning/plan.ts'
import { loadPowerShellGrammar, withPowerShellTree } from '../../rendering/powershell-syntax.ts'
import { quotePowerShell } from '../../rendering/quoting.ts'
import { renderPowerShell } from '../../rendering/script-renderer.ts'
import { WinRmRemoteShell } from '../../transports/winrm/winrm-remote-shell.ts'
import { allRunbookSteps, runExecutorContract } from '../executor-contract.case.test.ts'
import { PowerShellExecutor } from './powershell-executor.ts'

const PASSWORD = 'Winrm-Test-Pa55!'
const ENCODED = /^powershell -NoProfile -NonInteractive -EncodedCommand ([A-Za-z0-9+/]+=*)$/

/** The script bytes the endpoint received, decoded from the -EncodedCommand argument. */
function receivedScript(commandLine: string): Buffer | undefined {
  const encoded = ENCODED.exec(commandLine)?.[1]
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64')
}

let endpoint: FakeWinRmEndpoint

beforeAll(async () => {
  endpoint = await startFakeWinRmEndpoint({
    authentication: 'ntlm',
    username: 'CORP\\svc-helpdesk',
    password: PASSWORD,
    run(commandLine) {
      const script = receivedScript(commandLine)?.toString('utf16le')
      if (script === undefined)
        return { rounds: [{ stderr: 'not an encoded command' }], exitCode: 1 }
      if (script.includes("'fail-on-purpose'")) {
        return { rounds: [{ stderr: 'Get-Thing : Access is denied.\r\n' }], exitCode: 1 }
      }
      return { rounds: [{ stdout: `ran ${script.length} characters\r\n` }], exitCode: 0 }
    },
  })
})

afterAll(async () => {
  await endpoint?.close()
  expect(endpoint.violations).toEqual([])
})

function windowsTarget(overrides: Partial<Target> = {}): Target {
  return {
    name: 'LT-0423',
    host: '127.0.0.1',
    port: endpoint.port,
    os: 'windows',
    transport: 'winrm',
    username: 'CORP\\svc-helpdesk',
    credential: 'env:WINRM_EXECUTOR_PASSWORD',
    ...overrides,
  }
}

function executor(target = windowsTarget(), timeoutMs = 15_000): PowerShellExecutor {
  const shell = new WinRmRemoteShell({
    config: { caFile: endpoint.caFile, allowHttp: false, authentication: 'ntlm' },
    environment: { WINRM_EXECUTOR_PASSWORD: PASSWORD, WINRM_WRONG: 'wrong' },
    receiveWaitSeconds: 1,
  })
  return new PowerShellExecutor({
    inventory: new Inventory({ targets: [target], groups: {} }),
    shells: { winrm: shell },
    timeoutMs,
  })
}

function scriptStep(body: string, bindings: Array<{ name: string; value: string }>): PlanStep {
  return {
    id: 'test.script',
    actionId: 'script',
    title: 'test script',
    executor: 'powershell',
    risk: 'low',
    readOnly: true,
    approvalLevel: 0,
    target: 'LT-0423',
    invocation: { type: 'script', language: 'powershell', ...renderPowerShell(body, bindings) },
  }
}

const context = { requester: 'jdoe', requestId: 'powershell-int' }

runExecutorContract({
  name: 'powershell over WinRM (NTLM, HTTPS) to the fake endpoint',
  async create() {
    return executor()
  },
  steps: (instructions) =>
    allRunbookSteps(instructions).filter((step) => step.executor === 'powershell'),
})

describe('PowerShellExecutor over WinRM, end to end', () => {
  it('delivers a runbook step: the decoded -EncodedCommand is the rendered script byte for byte', async () => {
    const steps = allRunbookSteps(await loadInstructions('data/instructions'))
    const step =
      steps.find((each) => each.id === 'account_locked.read_lockout_state') ??
      steps.find((each) => each.executor === 'powershell' && each.invocation.type === 'script')
    if (step?.invocation.type !== 'script') throw new Error('no runbook PowerShell step')
    const start = endpoint.messages.length
    const result = await executor().doExecute(step, context)
    expect(result.status, result.errorMessage).toBe('succeeded')
    expect(result.stdout).toBe(`ran ${step.invocation.script.length} characters\r\n`)
    const commands = endpoint.messages
      .slice(start)
      .filter((message) => message.action === 'command')
    expect(commands).toHaveLength(1)
    expect(receivedScript(commands[0]?.commandLine ?? '')).toEqual(
      Buffer.from(step.invocation.script, 'utf16le'),
    )
  })

  it('passes every hostile value as a single-quoted literal bound to the param block', async () => {
    await loadPowerShellGrammar()
    const values = readFileSync('tests/fixtures/hostile-inputs.jsonl', 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { value: string }).value)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused by quoting, tested elsewhere
      .filter((value) => !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(value))
    // In batches, so each script stays under cmd.exe's command-line limit.
    for (let first = 0; first < values.length; first += 25) {
      const batch = values.slice(first, first + 25)
      const bindings = batch.map((value, index) => ({ name: `value_${index}`, value }))
      const step = scriptStep('Write-Output $PSBoundParameters.Count', bindings)
      const start = endpoint.messages.length
      const result = await executor().doExecute(step, context)
      expect(result.status, result.errorMessage).toBe('succeeded')
      const command = endpoint.messages.slice(start).find((message) => message.action === 'command')
      const script = receivedScript(command?.commandLine ?? '')?.toString('utf16le') ?? ''
      expect(step.invocation.type === 'script' && script === step.invocation.script).toBe(true)
      expect(script).toContain(
        `param(${bindings.map(({ name }) => `[string]$${name}`).join(', ')})`,
      )
      // Parsed as PowerShell: after the script block, parameter then one verbatim string, each value.
      const blockEnd = script.indexOf('\n} -value_0 ')
      expect(blockEnd).toBeGreaterThan(0)
      const argumentsAfterBlock = withPowerShellTree(script, (root) =>
        root
          .descendantsOfType(['command_parameter', 'verbatim_string_characters'])
          .flatMap((node) =>
            node && node.startIndex > blockEnd
              ? [script.slice(node.startIndex, node.endIndex)]
              : [],
          ),
      )
      expect(argumentsAfterBlock).toEqual(
        bindings.flatMap(({ name, value }) => [`-${name}`, quotePowerShell(value)]),
      )
    }
  })

  it('reports a failing script with its exit code, and a wrong password as AUTHENTICATION_FAILED', async () => {
    const failing = await executor().doExecute(
      scriptStep("Get-Thing 'fail-on-purpose'", []),
      context,
    )
    expect(failing).toMatchObject({ status: 'failed', errorCode: 'EXIT_CODE', exitCode: 1 })
    expect(failing.errorMessage).toContain('Access is denied.')
    const wrong = await executor(windowsTarget({ credential: 'env:WINRM_WRONG' })).doExecute(
      scriptStep('Write-Output 1', []),
      context,
    )
    expect(wrong).toMatchObject({ status: 'failed', errorCode: 'AUTHENTICATION_FAILED' })
  })

  it('refuses a script that does not parse before any message is sent', async () => {
    const start = endpoint.messages.length
    const broken = await executor().doExecute(scriptStep("Write-Output 'unterminated", []), context)
    expect(broken).toMatchObject({ status: 'failed', errorCode: 'SCRIPT_SYNTAX' })
    expect(endpoint.messages.length).toBe(start)
  })
})
