import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService } from '../../../tests/support/test-services.ts'
import type { Target } from '../../inventory/inventory-schema.ts'
import { factsOf, type SshdFacts, sharedStateDirectory } from '../../jobs/testing/sshd-fleet.ts'
import { fileUploaderContract } from '../file-uploader-contract.case.test.ts'
import { SftpUploader } from './sftp-uploader.ts'
import { SshRemoteShell } from './ssh-remote-shell.ts'

// The SFTP uploader on the real loopback OpenSSH server (scripts/test-services/sshd.sh): the
// files are written by the ssh user over SFTP and read back here (same host) to compare.

let facts: SshdFacts
let shell: SshRemoteShell
let directory: string
let target: Target

beforeAll(async () => {
  facts = factsOf(await startTestService('sshd'))
  shell = new SshRemoteShell()
  directory = sharedStateDirectory('sftp-upload-')
  target = {
    name: 'SFTP-01',
    host: '127.0.0.1',
    port: facts.port,
    os: 'linux',
    transport: 'ssh',
    username: facts.user,
    credential: `file:${facts.keyFile}`,
    hostKey: facts.hostKey,
    class: 'server',
  }
})
afterAll(async () => {
  await shell?.close()
})

describe('SftpUploader on the loopback sshd', () => {
  fileUploaderContract(() => ({
    uploader: new SftpUploader({ shell }),
    target,
    freshPath: (name) => path.join(directory, `${randomUUID()}-${name}`),
    readRemote: async (remotePath) =>
      existsSync(remotePath) ? readFileSync(remotePath) : undefined,
    writeRemote: async (remotePath, bytes) => writeFileSync(remotePath, bytes),
  }))

  it('writes mode 0644 as the ssh user whatever its umask, and never follows a link planted at the path', async () => {
    const victim = path.join(directory, 'victim.txt')
    writeFileSync(victim, 'keep me\n', { mode: 0o666 })
    const remotePath = path.join(directory, 'planted.helpdesk-upload')
    symlinkSync(victim, remotePath)
    const bytes = Buffer.from('uploaded\n')
    const { createHash } = await import('node:crypto')
    await new SftpUploader({ shell }).upload(
      target,
      { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), remotePath },
      { timeoutMs: 30_000 },
    )
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n')
    expect(readFileSync(remotePath, 'utf8')).toBe('uploaded\n')
    const stats = statSync(remotePath)
    expect(stats.isFile()).toBe(true)
    expect(stats.mode & 0o777).toBe(0o644)
    // Written by the ssh user over SFTP, not by this (root) test process.
    expect(stats.uid).not.toBe(process.getuid?.())
  })
})
