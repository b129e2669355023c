import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqliteAuditLog } from '../src/audit/sqlite-audit-log.ts'
import { MAX_COMMAND_LINE } from '../src/executors/powershell/powershell-executor.ts'
import { Inventory } from '../src/inventory/inventory.ts'
import { EmbeddedJobEngine } from '../src/jobs/embedded-job-engine.ts'
import { SqliteJobStore } from '../src/jobs/sqlite-job-store.ts'
import { WorkflowScriptRunner } from '../src/jobs/workflow-script-runner.ts'
import { buildWorkflow } from '../src/operations/build-workflow.ts'
import { FilesDirectory } from '../src/operations/files-directory.ts'
import { OperationCatalog } from '../src/operations/operation-catalog.ts'
import { readOperationRequest } from '../src/operations/request-reader.ts'
import { fleetOf } from '../src/operations/request-targets.ts'
import type { ApprovalRecord } from '../src/policy/approval-record.ts'
import { fileUploaderContract } from '../src/transports/file-uploader-contract.case.test.ts'
import {
  CHUNK_BYTES,
  PowerShellChunkUploader,
} from '../src/transports/powershell-chunk-uploader.ts'
import { WinRmRemoteShell } from '../src/transports/winrm/winrm-remote-shell.ts'
import {
  type FakeWindowsFiles,
  startFakeWindowsFiles,
  trustAll,
} from './support/fake-windows-files.ts'

/**
 * NOT REAL WINDOWS. file.copy to Windows targets: the PowerShell chunk uploader and the job
 * engine's copy step through the real WinRM client (HTTPS, NTLMv2, WS-Management Create, Command,
 * Send of stdin, Receive, Delete) to the WS-Management test endpoint on 127.0.0.1, whose "files"
 * are a map kept by tests/support/fake-windows-files.ts. The endpoint does not run PowerShell:
 * it recognises the exact scripts sent and does what they are written to do. What this proves:
 * the chunks arrive byte for byte and reassemble to the file, each command fits Windows' command
 * line, the scripts and their quoted arguments are the ones the catalog and the uploader define,
 * and the engine's checks (size and SHA-256 on the target, the verification's hash, one machine
 * failing alone) work over WinRM. What it cannot prove: that the PowerShell does this on Windows.
 */

const LOGIN = {
  username: 'CORP\\svc-helpdesk',
  password: 'Winrm-Copy-Pa55!',
  credential: 'env:COPY_WINRM_PASSWORD',
}
const APPROVAL: ApprovalRecord = {
  id: 'copy-win-approval',
  approver: 'tom',
  approvedAt: new Date().toISOString(),
  level: 2,
  scope: 'plan',
  via: 'test',
}
const FILE = randomBytes(3 * CHUNK_BYTES + 1234)
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

let machines: FakeWindowsFiles[] = []
let shell: WinRmRemoteShell

beforeAll(async () => {
  machines = [
    await startFakeWindowsFiles('win01', LOGIN),
    await startFakeWindowsFiles('win02', LOGIN),
  ]
  shell = new WinRmRemoteShell({
    config: {
      caFile: trustAll(machines.map((machine) => machine.endpoint)),
      allowHttp: false,
      authentication: 'ntlm',
    },
    environment: { COPY_WINRM_PASSWORD: LOGIN.password },
    receiveWaitSeconds: 1,
  })
})
afterAll(async () => {
  await shell?.close()
  for (const machine of machines) {
    await machine.endpoint.close()
    expect(machine.endpoint.violations).toEqual([])
    expect(machine.endpoint.failedLogins).toBe(0)
    expect(machine.unexpected).toEqual([])
  }
})

describe('NOT REAL WINDOWS: PowerShellChunkUploader over WinRM to the WS-Management test endpoint', () => {
  fileUploaderContract(() => {
    const machine = machines[0] as FakeWindowsFiles
    return {
      uploader: new PowerShellChunkUploader({ shells: { winrm: shell } }),
      target: machine.target,
      freshPath: (name) => `C:\\inetpub\\wwwroot\\${randomUUID()}-${name.replaceAll('/', '\\')}`,
      readRemote: async (remotePath) => machine.files.get(remotePath.toLowerCase()),
      writeRemote: async (remotePath, bytes) => {
        machine.files.set(remotePath.toLowerCase(), bytes)
      },
    }
  })

  it('sends every chunk as base64 on stdin of a command that fits the command line', async () => {
    const machine = machines[0] as FakeWindowsFiles
    machine.received.length = 0
    const remotePath = 'C:\\inetpub\\wwwroot\\chunks, @v2.bin'
    await new PowerShellChunkUploader({ shells: { winrm: shell } }).upload(
      machine.target,
      { bytes: FILE, sha256: sha256(FILE), remotePath },
      { timeoutMs: 60_000 },
    )
    // Four chunks, then the measurement.
    expect(machine.received).toHaveLength(5)
    for (const each of machine.received) {
      expect(each.commandLineLength).toBeLessThanOrEqual(MAX_COMMAND_LINE)
      // The base64 of 64 KiB with line breaks: below 150 KB with WS-Management's own base64.
      expect(each.stdinLength).toBeLessThan(112_000)
      expect(each.script).toContain(" -path 'C:\\inetpub\\wwwroot\\chunks, @v2.bin'")
    }
    expect(machine.received[0]?.script).toContain(" -first '1'")
    expect(machine.received[1]?.script).toContain(" -first '0'")
    expect(machine.files.get(remotePath.toLowerCase())?.equals(FILE)).toBe(true)
  })
})

/** A copy job's engine on the fake Windows machines, with the files directory holding `FILE`. */
async function copyJob(text: string, targets: FakeWindowsFiles[]) {
  const filesRoot = mkdtempSync(path.join(tmpdir(), 'copy-win-files-'))
  chmodSync(filesRoot, 0o755)
  writeFileSync(path.join(filesRoot, 'web.config'), FILE)
  const files = new FilesDirectory({ directory: filesRoot })
  const inventory = new Inventory({ targets: targets.map((each) => each.target), groups: {} })
  const data = { targets: inventory.list(), groups: {} }
  const built = buildWorkflow(
    readOperationRequest(text, fleetOf(data)),
    await OperationCatalog.load(),
    data,
    files,
  )
  if (!built.ok) throw new Error(built.reason)
  const audit = new SqliteAuditLog({ file: ':memory:' })
  const store = new SqliteJobStore({ file: ':memory:' })
  const engine = new EmbeddedJobEngine({
    store,
    audit,
    inventory,
    runner: new WorkflowScriptRunner({
      shells: { winrm: shell },
      audit,
      files,
      uploaders: { windows: new PowerShellChunkUploader({ shells: { winrm: shell } }) },
    }),
  })
  try {
    const id = await engine.start(built.plan.workflow, {
      requester: 'alice',
      actor: 'tom',
      approval: APPROVAL,
    })
    await engine.settled(id)
    const view = await engine.view(id)
    const records = (await audit.list()).filter((record) => record.requestId === id)
    return {
      records,
      cell: (target: string) => view?.cells.find((each) => each.target === target),
    }
  } finally {
    await engine.close()
    await store.close()
    await audit.close()
  }
}

describe('NOT REAL WINDOWS: a file.copy job on Windows targets over WinRM', () => {
  it('copies to one, fails alone on the other (no such directory), and audits the file by hash', async () => {
    const [win01, win02] = machines as [FakeWindowsFiles, FakeWindowsFiles]
    win02.directories.delete('c:\\inetpub\\wwwroot')
    try {
      const { cell, records } = await copyJob(
        'copy web.config to C:\\inetpub\\wwwroot\\web.config on win01 and win02',
        [win01, win02],
      )
      expect(cell('win01')?.state).toBe('succeeded')
      expect(win01.files.get('c:\\inetpub\\wwwroot\\web.config')?.equals(FILE)).toBe(true)
      expect(win01.files.has('c:\\inetpub\\wwwroot\\web.config.helpdesk-upload')).toBe(false)
      expect(cell('win02')?.state).toBe('failed')
      expect(cell('win02')?.phase).toBe('transfer')
      expect(cell('win02')?.errorCode).toBe('UPLOAD_FAILED')
      expect(cell('win02')?.reason).toContain('Could not find a part of the path')
      expect([...win02.files.keys()].filter((key) => key.includes('web.config'))).toEqual([])
      const uploads = records.filter(
        (record) => record.action === 'step-execute' && record.detail.phase === 'transfer',
      )
      expect(uploads.map((record) => record.target).sort()).toEqual(['win01', 'win02'])
      for (const upload of uploads) {
        expect(upload.detail).toMatchObject({
          executor: 'powershell-chunks',
          file: 'web.config',
          sha256: sha256(FILE),
          size: FILE.length,
        })
      }
    } finally {
      win02.directories.add('c:\\inetpub\\wwwroot')
    }
  })

  it('fails the machine when the file in place does not have the approved SHA-256', async () => {
    const win02 = machines[1] as FakeWindowsFiles
    win02.tamper = Buffer.from('altered after the upload\r\n')
    try {
      const { cell } = await copyJob(
        'copy web.config to C:\\inetpub\\wwwroot\\tampered.config on win02',
        [win02],
      )
      expect(cell('win02')?.state).toBe('failed')
      expect(cell('win02')?.phase).toBe('verify')
      expect(cell('win02')?.errorCode).toBe('CHECKSUM_MISMATCH')
      expect(cell('win02')?.reason).toContain(`does not have the approved SHA-256 ${sha256(FILE)}`)
    } finally {
      delete win02.tamper
    }
  })
})
