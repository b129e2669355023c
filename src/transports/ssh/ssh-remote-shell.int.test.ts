import { execFile } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { startTestService } from '../../../tests/support/test-services.ts'
import type { Target } from '../../inventory/inventory-schema.ts'
import { quoteBash } from '../../rendering/quoting.ts'
import { runRemoteShellContract } from '../remote-shell-contract.case.test.ts'
import { SshRemoteShell } from './ssh-remote-shell.ts'

const run = promisify(execFile)
let facts: Record<string, string> = {}
process.env.HELPDESK_TEST_WRONG_SSH_PASSWORD = 'not-the-password'

beforeAll(async () => {
  facts = await startTestService('sshd')
})

function keyTarget(): Target {
  return {
    name: 'linux-01',
    host: facts.SSH_HOST ?? '127.0.0.1',
    port: Number(facts.SSH_PORT),
    os: 'linux',
    transport: 'ssh',
    username: facts.SSH_USER ?? '',
    credential: `file:${facts.SSH_CLIENT_KEY}`,
    hostKey: facts.SSH_HOST_KEY ?? '',
  }
}

const bash = (script: string) => ({ commandLine: 'bash -s --', stdin: script })
const markerPath = (marker: string) => `/tmp/${marker}`

runRemoteShellContract({
  name: 'SSH to a real sshd on loopback',
  async create() {
    return { shell: new SshRemoteShell(), target: keyTarget() }
  },
  printBoth: (out, err, code) =>
    bash(`printf '%s\\n' ${quoteBash(out)}; printf '%s\\n' ${quoteBash(err)} >&2; exit ${code}`),
  printMany: (count) => bash(`head -c ${count} /dev/zero | tr '\\0' x`),
  sleepThenMark: (seconds, marker) =>
    bash(`sleep ${seconds}; touch ${quoteBash(markerPath(marker))}`),
  async markerExists(marker) {
    return run('test', ['-e', markerPath(marker)]).then(
      () => true,
      () => false,
    )
  },
  withWrongHostKey: (target) => {
    const { publicKey } = generateKeyPairSync('ed25519')
    const der = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32)
    const blob = Buffer.concat([
      lengthPrefixed(Buffer.from('ssh-ed25519')),
      lengthPrefixed(der),
    ]).toString('base64')
    return { ...target, hostKey: `ssh-ed25519 ${blob}` }
  },
  withWrongCredential: (target) => ({
    ...target,
    username: facts.SSH_PASSWORD_USER ?? '',
    credential: 'env:HELPDESK_TEST_WRONG_SSH_PASSWORD',
  }),
})

function lengthPrefixed(data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  return Buffer.concat([length, data])
}

describe('SshRemoteShell specifics', () => {
  it('logs in with a password from a file reference', async () => {
    const shell = new SshRemoteShell()
    const target = {
      ...keyTarget(),
      username: facts.SSH_PASSWORD_USER ?? '',
      credential: `file:${facts.SSH_PASSWORD_FILE}`,
    }
    const result = await shell.run(target, bash('id -un'), { timeoutMs: 10_000, outputLimit: 1000 })
    expect(result.stdout.trim()).toBe(facts.SSH_PASSWORD_USER)
  })

  it('passes quoted arguments through bash -s -- as single literal words', async () => {
    const shell = new SshRemoteShell()
    const hostile = `$(touch /tmp/pwned-${process.pid}); \`id\` 'quoted' "double" *`
    const result = await shell.run(
      keyTarget(),
      { commandLine: `bash -s -- ${quoteBash(hostile)}`, stdin: 'printf "%s" "$1"' },
      { timeoutMs: 10_000, outputLimit: 10_000 },
    )
    expect(result.stdout).toBe(hostile)
    expect(
      await run('test', ['-e', `/tmp/pwned-${process.pid}`]).then(
        () => true,
        () => false,
      ),
    ).toBe(false)
  })

  it('reports an unreachable port as CONNECT_FAILED', async () => {
    const shell = new SshRemoteShell({ connectTimeoutMs: 2000 })
    const error = await shell
      .run({ ...keyTarget(), port: 1 }, bash('true'), { timeoutMs: 5000, outputLimit: 100 })
      .catch((caught: { details: { reason: string } }) => caught)
    expect((error as { details: { reason: string } }).details.reason).toBe('CONNECT_FAILED')
  })
})
