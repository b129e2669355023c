import { beforeAll, describe, expect, it } from 'vitest'
import { startTestService } from '../../../tests/support/test-services.ts'
import { Inventory } from '../../inventory/inventory.ts'
import { loadInstructions } from '../../knowledge/instructions/instruction-loader.ts'
import { buildPlan } from '../../planning/planner.ts'
import { SshRemoteShell } from '../../transports/ssh/ssh-remote-shell.ts'
import { PowerShellExecutor } from './powershell-executor.ts'

let facts: Record<string, string> = {}
beforeAll(async () => {
  facts = await startTestService('sshd')
})

// The loopback sshd's `powershell` is a stand-in that decodes -EncodedCommand and prints the
// script (scripts/test-services/sshd.sh): this proves the transport and the encoding, not
// PowerShell itself, which cannot run here.
describe('PowerShell over SSH (real sshd, stand-in powershell)', () => {
  it('delivers the rendered script byte for byte through -EncodedCommand with the safety switches', async () => {
    const executor = new PowerShellExecutor({
      inventory: new Inventory({
        targets: [
          {
            name: 'WS-0101',
            host: '127.0.0.1',
            port: Number(facts.SSH_PORT),
            os: 'windows',
            transport: 'ssh',
            username: facts.SSH_USER ?? '',
            credential: `file:${facts.SSH_CLIENT_KEY}`,
            hostKey: facts.SSH_HOST_KEY ?? '',
          },
        ],
        groups: {},
      }),
      shells: { ssh: new SshRemoteShell() },
    })
    const instruction = (await loadInstructions('data/instructions')).find(
      (each) => each.id === 'printer_not_working',
    )
    if (!instruction) throw new Error('printer_not_working missing')
    const plan = buildPlan(instruction, {
      printer: 'PRN-3F-EAST',
      device: 'WS-0101',
      platform: 'windows',
    })
    const step = plan.steps.find((each) => each.executor === 'powershell' && each.readOnly)
    if (step?.invocation.type !== 'script') throw new Error('no PowerShell read step')
    const result = await executor.doExecute(step, { requester: 'jdoe', requestId: 'ps-ssh' })
    expect(result.status, result.errorMessage).toBe('succeeded')
    expect(result.stdout).toBe(step.invocation.script)
    expect(result.stderr).toContain('switches: -NoProfile -NonInteractive')
    expect(result.target).toBe('WS-0101')
  })
})
