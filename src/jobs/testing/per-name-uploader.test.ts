import { describe, expect, it } from 'vitest'
import type { Target } from '../../inventory/inventory-schema.ts'
import type { FileUploader, FileUploadRequest } from '../../transports/file-upload.ts'
import { checkWorkflow } from '../workflow-checks.ts'
import { PerNameUploader, perNamePath } from './per-name-uploader.ts'
import { sampleWorkflow } from './sample-workflow.ts'
import { fleetInventory, fleetNames } from './sshd-fleet.ts'

// The benchmark's copy on a fleet of names sharing one host: each name's upload must land in its
// own file, and the sample workflow's transfer mode must be a copy the engine accepts.

const TARGET: Target = {
  name: 'JOB-007',
  host: '127.0.0.1',
  os: 'linux',
  transport: 'ssh',
  username: 'helpdesk-ssh',
  credential: 'env:UNUSED',
}
const SHA = 'a'.repeat(64)

describe('PerNameUploader', () => {
  it('puts the target name before the file name and passes everything else unchanged', async () => {
    const sent: Array<{ target: string; upload: FileUploadRequest; session: unknown }> = []
    const inner: FileUploader = {
      upload: async (target, upload, _options, session) => {
        sent.push({ target: target.name, upload, session })
        return { size: upload.bytes.length, sha256: upload.sha256, durationMs: 1, requests: 1 }
      },
    }
    const bytes = Buffer.from('x')
    const session = { marker: true } as never
    await new PerNameUploader({ inner }).upload(
      TARGET,
      { bytes, sha256: SHA, remotePath: '/srv/state/conf.helpdesk-upload', mode: 0o600 },
      { timeoutMs: 1000 },
      session,
    )
    expect(sent).toEqual([
      {
        target: 'JOB-007',
        upload: {
          bytes,
          sha256: SHA,
          remotePath: '/srv/state/JOB-007.conf.helpdesk-upload',
          mode: 0o600,
        },
        session,
      },
    ])
  })

  it('keeps the directory of the path', () => {
    expect(perNamePath('/a/b/c', 'N')).toBe('/a/b/N.c')
  })
})

describe('sampleWorkflow with a transfer', () => {
  const names = fleetNames(3, 'JOB')
  const workflow = sampleWorkflow({
    directory: '/srv/state',
    targets: names,
    transfer: { source: 'demo.conf', size: 10, sha256: SHA },
  })
  const copy = workflow.steps[2]

  it('uploads the pinned file to DIRECTORY/conf and moves each name upload into place', () => {
    expect(copy?.transfer).toEqual({
      source: 'demo.conf',
      size: 10,
      sha256: SHA,
      destination: '/srv/state/conf',
    })
    expect(copy?.scripts.linux).toContain('mv "$d/$name.conf.helpdesk-upload" "$d/$name.conf"')
    expect(copy?.scripts.linux).not.toContain('base64')
    // The engine checks a copy's verification printed the approved SHA-256.
    expect(copy?.verify?.linux).toContain(SHA)
    expect(copy?.verify?.linux).toContain('has SHA-256')
  })

  it('is a workflow the engine accepts', () => {
    const facts = { port: 22, user: 'u', keyFile: '/k', hostKey: 'ssh-ed25519 AAAA' }
    const targets = checkWorkflow(
      workflow,
      {
        requester: 'bench',
        approval: {
          id: 'a',
          approver: 'tom',
          approvedAt: new Date().toISOString(),
          level: 2,
          scope: 'plan',
          via: 'test',
        },
      },
      fleetInventory(facts, names),
    )
    expect(targets.map((target) => target.name)).toEqual(names)
  })

  it('leaves the script-written copy as it was without one', () => {
    const plain = sampleWorkflow({ directory: '/srv/state', targets: names }).steps[2]
    expect(plain?.transfer).toBeUndefined()
    expect(plain?.scripts.linux).toContain('base64 -d')
    expect(plain?.verify?.linux).not.toContain('has SHA-256')
  })
})
