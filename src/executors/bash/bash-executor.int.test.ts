import { existsSync, readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { startTestService } from '../../../tests/support/test-services.ts'
import { Inventory } from '../../inventory/inventory.ts'
import type { Target } from '../../inventory/inventory-schema.ts'
import { loadInstructions } from '../../knowledge/instructions/instruction-loader.ts'
import type { PlanStep } from '../../planning/plan.ts'
import { renderBash } from '../../rendering/script-renderer.ts'
import { SshRemoteShell } from '../../transports/ssh/ssh-remote-shell.ts'
import { allRunbookSteps, runExecutorContract } from '../executor-contract.case.test.ts'
import { BashExecutor } from './bash-executor.ts'

let facts: Record<string, string> = {}
const facts$ = startTestService('sshd').then((found) => {
  facts = found
  return found
})

function linuxTarget(name = 'LT-0423'): Target {
  return {
    name,
    host: '127.0.0.1',
    port: Number(facts.SSH_PORT),
    os: 'linux',
    transport: 'ssh',
    username: facts.SSH_USER ?? '',
    credential: `file:${facts.SSH_CLIENT_KEY}`,
    hostKey: facts.SSH_HOST_KEY ?? '',
  }
}

function executor(targets: Target[] = [linuxTarget()]): BashExecutor {
  return new BashExecutor({
    inventory: new Inventory({ targets, groups: {} }),
    shell: new SshRemoteShell(),
    timeoutMs: 15_000,
  })
}

function scriptStep(
  body: string,
  bindings: Array<{ name: string; value: string }>,
  readOnly = true,
): PlanStep {
  return {
    id: 'test.script',
    actionId: 'script',
    title: 'test script',
    executor: 'bash',
    risk: 'low',
    readOnly,
    approvalLevel: 0,
    target: 'LT-0423',
    invocation: { type: 'script', language: 'bash', ...renderBash(body, bindings) },
  }
}

runExecutorContract({
  name: 'bash over SSH to a real sshd',
  async create() {
    await facts$
    return executor()
  },
  // Only the read-only Bash steps of the runbooks run for real here: the changing ones would
  // restart services or clear caches on this machine.
  steps: (instructions) =>
    allRunbookSteps(instructions).filter((step) => step.executor === 'bash' && step.readOnly),
})

describe('BashExecutor against a real sshd', () => {
  beforeAll(async () => {
    await facts$
  })

  it('runs a runbook step for real and returns its output', async () => {
    const instructions = await loadInstructions('data/instructions')
    const readStep = allRunbookSteps(instructions).find(
      (step) => step.id === 'laptop_overheating.read_thermal_state_linux',
    )
    if (!readStep) throw new Error('laptop_overheating has no read_thermal_state_linux step')
    const result = await executor().doExecute(readStep, { requester: 'jdoe', requestId: 'r1' })
    expect(result.status, result.errorMessage).toBe('succeeded')
    expect(result.exitCode).toBe(0)
    expect(result.stdout.length).toBeGreaterThan(0)
    expect(result.changed).toBe(false)
  })

  it('delivers every hostile value as one literal argument and runs nothing else', async () => {
    const corpus = readFileSync('tests/fixtures/hostile-inputs.jsonl', 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { value: string })
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused by quoting, tested elsewhere
      .filter(({ value }) => !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(value))
    const marker = `/tmp/helpdesk-pwned-${process.pid}`
    // One run with every value as its own argument: each comes back byte for byte.
    const values = corpus.map(({ value }) => value.replaceAll('/tmp/pwned', marker))
    const step = scriptStep(
      'shift 0; for each in "$@"; do printf "%s\\0" "$each"; done',
      values.map((value, index) => ({ name: `value_${index}`, value })),
    )
    const result = await executor().doExecute(step, { requester: 'jdoe', requestId: 'hostile' })
    expect(result.status, result.stderr).toBe('succeeded')
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(values)
    expect(existsSync(marker)).toBe(false)
  })

  it('refuses a script that bash -n rejects without connecting', async () => {
    const step = scriptStep('if true; then echo "never', [])
    const result = await executor([{ ...linuxTarget(), port: 1 }]).doExecute(step, {
      requester: 'jdoe',
      requestId: 'syntax',
    })
    expect(result.status).toBe('failed')
    expect(result.errorCode).toBe('SCRIPT_SYNTAX')
  })

  it('reports a failing command with its exit code and last error line', async () => {
    const result = await executor().doExecute(scriptStep('echo oops >&2; exit 7', []), {
      requester: 'jdoe',
      requestId: 'exit',
    })
    expect(result).toMatchObject({ status: 'failed', exitCode: 7, errorCode: 'EXIT_CODE' })
    expect(result.errorMessage).toContain('oops')
  })

  it('fails cleanly for an unknown target and a changed host key', async () => {
    const unknown = await executor([linuxTarget('OTHER')]).doExecute(scriptStep('true', []), {
      requester: 'jdoe',
      requestId: 'unknown',
    })
    expect(unknown).toMatchObject({ status: 'failed', errorCode: 'UNKNOWN_TARGET' })
    expect(unknown.errorMessage).toContain('OTHER')
    const otherKey = readFileSync(`${facts.SSH_CLIENT_KEY}.pub`, 'utf8')
      .split(' ')
      .slice(0, 2)
      .join(' ')
    const mismatch = await executor([{ ...linuxTarget(), hostKey: otherKey }]).doExecute(
      scriptStep('true', []),
      { requester: 'jdoe', requestId: 'key' },
    )
    expect(mismatch).toMatchObject({ status: 'failed', errorCode: 'HOST_KEY_MISMATCH' })
  })
})
