import { createHash } from 'node:crypto'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SqliteAuditLog } from '../audit/sqlite-audit-log.ts'
import type { Target } from '../inventory/inventory-schema.ts'
import { FilesDirectory } from '../operations/files-directory.ts'
import type { FileUploader, FileUploadRequest } from '../transports/file-upload.ts'
import { type TransferRun, WorkflowScriptRunner } from './workflow-script-runner.ts'

// The runner's side of a copy: what it refuses before anything is sent, and what it audits.
// The uploads themselves are tested against the real sshd and the WinRM test endpoint.

const LINUX: Target = {
  name: 'web01',
  host: '127.0.0.1',
  os: 'linux',
  transport: 'ssh',
  username: 'deploy',
  credential: 'env:UNUSED',
}

const audits: SqliteAuditLog[] = []
afterEach(async () => {
  for (const audit of audits.splice(0)) await audit.close()
})

function setup(options: { files?: boolean } = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'runner-files-'))
  chmodSync(root, 0o755)
  writeFileSync(path.join(root, 'motd.txt'), 'hello\n')
  const files = new FilesDirectory({ directory: root })
  const sent: FileUploadRequest[] = []
  const uploader: FileUploader = {
    upload: async (_target, upload) => {
      sent.push(upload)
      return { size: upload.bytes.length, sha256: upload.sha256, durationMs: 1, requests: 1 }
    },
  }
  const audit = new SqliteAuditLog({ file: ':memory:' })
  audits.push(audit)
  const runner = new WorkflowScriptRunner({
    shells: {},
    audit,
    ...(options.files === false ? {} : { files }),
    uploaders: { linux: uploader },
  })
  const described = files.describe('motd.txt')
  const run = (target: Target, change: Partial<TransferRun['transfer']> = {}): TransferRun => ({
    jobId: 'job-1',
    requester: 'alice',
    actor: 'tom',
    stepId: 'step-1',
    operation: 'file.copy',
    target,
    platform: 'linux',
    transfer: {
      source: 'motd.txt',
      destination: '/etc/motd',
      size: described.size,
      sha256: described.sha256,
      ...change,
    },
    timeoutMs: 10_000,
    signal: new AbortController().signal,
  })
  return { runner, audit, sent, run, root, described }
}

describe('WorkflowScriptRunner.upload', () => {
  it('sends the approved bytes to <destination>.helpdesk-upload and audits the file by hash', async () => {
    const { runner, audit, sent, run, described } = setup()
    const outcome = await runner.upload(run(LINUX))
    expect(outcome.errorCode).toBeUndefined()
    expect(outcome.exitCode).toBe(0)
    expect(sent).toHaveLength(1)
    expect(sent[0]?.bytes.toString()).toBe('hello\n')
    expect(sent[0]?.remotePath).toBe('/etc/motd.helpdesk-upload')
    const records = await audit.list()
    expect(records.map((record) => record.action)).toEqual(['step-execute', 'step-result'])
    expect(records[0]?.detail).toMatchObject({
      phase: 'transfer',
      stepId: 'step-1.transfer',
      executor: 'sftp',
      file: 'motd.txt',
      size: 6,
      sha256: described.sha256,
    })
    expect(described.sha256).toBe(createHash('sha256').update('hello\n').digest('hex'))
  })

  it('refuses, sending nothing, a changed file, no files directory, or a Linux machine not on SSH', async () => {
    const changed = setup()
    writeFileSync(path.join(changed.root, 'motd.txt'), 'hello, swapped\n')
    expect((await changed.runner.upload(changed.run(LINUX))).errorCode).toBe('SOURCE_CHANGED')
    expect(changed.sent).toEqual([])
    expect((await changed.audit.list()).map((record) => record.action)).toEqual(['step-refuse'])

    const none = setup({ files: false })
    const outcome = await none.runner.upload(none.run(LINUX))
    expect(outcome.errorCode).toBe('NOT_CONFIGURED')
    expect(outcome.errorMessage).toContain('HELPDESK_FILES_DIRECTORY')
    expect(none.sent).toEqual([])

    const winrm = setup()
    const overWinRm = await winrm.runner.upload(winrm.run({ ...LINUX, transport: 'winrm' }))
    expect(overWinRm.errorCode).toBe('UNSUPPORTED_TRANSPORT')
    expect(winrm.sent).toEqual([])
  })
})
