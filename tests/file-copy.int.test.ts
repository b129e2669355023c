import { createHash, randomBytes } from 'node:crypto'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Target } from '../src/inventory/inventory-schema.ts'
import type { JobCell, JobEvent } from '../src/jobs/job-model.ts'
import {
  factsOf,
  openSshdEngine,
  type SshdEngine,
  type SshdFacts,
  sharedStateDirectory,
} from '../src/jobs/testing/sshd-fleet.ts'
import { buildWorkflow, type WorkflowPlan } from '../src/operations/build-workflow.ts'
import { FilesDirectory } from '../src/operations/files-directory.ts'
import { OperationCatalog } from '../src/operations/operation-catalog.ts'
import { readOperationRequest } from '../src/operations/request-reader.ts'
import { fleetOf } from '../src/operations/request-targets.ts'
import type { ApprovalRecord } from '../src/policy/approval-record.ts'
import { startTestService } from './support/test-services.ts'

/**
 * `file.copy` end to end on the real loopback OpenSSH server: a request read by the offline
 * reader, built into a workflow with the file pinned from the files directory, run by the job
 * engine after approval (backup, SFTP upload checked on the target, the catalog's move into
 * place, verification against the approved SHA-256), audited. The file is read back here as
 * root to compare bytes, mode and owner (the ssh user wrote it over SFTP).
 */

const APPROVAL: ApprovalRecord = {
  id: 'copy-approval',
  approver: 'tom',
  approvedAt: new Date().toISOString(),
  level: 2,
  scope: 'plan',
  via: 'test',
}
const BINARY = randomBytes(300 * 1024 + 5)
let facts: SshdFacts
let fleet: SshdEngine
let catalog: OperationCatalog
let filesRoot: string
let files: FilesDirectory

beforeAll(async () => {
  facts = factsOf(await startTestService('sshd'))
  catalog = await OperationCatalog.load()
  filesRoot = mkdtempSync(path.join(tmpdir(), 'copy-files-'))
  chmodSync(filesRoot, 0o755)
  mkdirSync(path.join(filesRoot, 'release'))
  writeFileSync(path.join(filesRoot, 'release', 'app.bin'), BINARY)
  writeFileSync(path.join(filesRoot, 'motd.txt'), 'Welcome to lnx01\n')
  files = new FilesDirectory({ directory: filesRoot })
  // One machine that cannot be reached: nothing listens on port 1.
  const dead: Target = {
    name: 'dead01',
    host: '127.0.0.1',
    port: 1,
    os: 'linux',
    transport: 'ssh',
    username: facts.user,
    credential: `file:${facts.keyFile}`,
    hostKey: facts.hostKey,
    class: 'server',
  }
  fleet = openSshdEngine({
    facts,
    names: ['lnx01'],
    extraTargets: [dead],
    databaseFile: path.join(sharedStateDirectory('copy-db-'), 'helpdesk.sqlite'),
    files,
  })
})
afterAll(async () => {
  await fleet?.close()
})

function plan(text: string): WorkflowPlan {
  const data = { targets: fleet.inventory.list(), groups: {} }
  const built = buildWorkflow(readOperationRequest(text, fleetOf(data)), catalog, data, files)
  if (!built.ok) throw new Error(built.reason)
  return built.plan
}

async function run(text: string) {
  const built = plan(text)
  const id = await fleet.engine.start(built.workflow, {
    requester: 'alice',
    actor: 'tom',
    approval: APPROVAL,
  })
  await fleet.engine.settled(id)
  const view = await fleet.engine.view(id)
  const events: JobEvent[] = []
  for await (const event of fleet.engine.follow(id, 0)) events.push(event)
  const cell = (target: string) =>
    view?.cells.find((each) => each.stepIndex === 0 && each.target === target) as JobCell
  return { id, view, cell, events, plan: built }
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')

describe('file.copy on the loopback sshd', () => {
  it('copies a file over SFTP: the same bytes, mode 0644, written by the ssh user; an unreachable machine fails alone', async () => {
    const directory = sharedStateDirectory('copy-new-')
    const destination = path.join(directory, 'app.bin')
    const {
      id,
      view,
      cell,
      events,
      plan: built,
    } = await run(`copy release/app.bin to ${destination} on lnx01 and dead01`)
    expect(built.workflow.targets).toEqual(['lnx01', 'dead01'])
    expect(cell('lnx01').state).toBe('succeeded')
    expect(cell('dead01').state).toBe('failed')
    expect(cell('dead01').errorCode).toBe('CONNECT_FAILED')
    expect(view?.status).toBe('failed')
    const copied = readFileSync(destination)
    expect(copied.equals(BINARY)).toBe(true)
    const stats = statSync(destination)
    expect(stats.mode & 0o777).toBe(0o644)
    expect(stats.uid).not.toBe(process.getuid?.())
    expect(existsSync(`${destination}.helpdesk-upload`)).toBe(false)
    // The upload's log line in the job's events, with the size and hash checked on the machine.
    const uploaded = events.find(
      (event) => event.type === 'log' && event.phase === 'transfer' && event.target === 'lnx01',
    )
    expect(JSON.stringify(uploaded)).toContain(`uploaded ${BINARY.length} bytes`)
    expect(JSON.stringify(uploaded)).toContain(sha256(BINARY))
    // The audit has the file by name, size and hash, for the job start and the upload.
    const records = (await fleet.audit.list()).filter((record) => record.requestId === id)
    const start = records.find((record) => record.action === 'job-start')
    expect(JSON.stringify(start?.detail)).toContain(sha256(BINARY))
    const upload = records.find(
      (record) =>
        record.action === 'step-execute' &&
        record.target === 'lnx01' &&
        record.detail.phase === 'transfer',
    )
    expect(upload?.detail).toMatchObject({
      executor: 'sftp',
      file: 'release/app.bin',
      size: BINARY.length,
      sha256: sha256(BINARY),
      destination: `${destination}.helpdesk-upload`,
    })
    expect(
      records.some(
        (record) =>
          record.action === 'step-result' &&
          record.target === 'lnx01' &&
          record.detail.phase === 'transfer' &&
          record.detail.status === 'succeeded',
      ),
    ).toBe(true)
  })

  it('refuses to overwrite an existing file unless asked; asked, it backs it up and keeps its mode', async () => {
    const directory = sharedStateDirectory('copy-old-')
    const destination = path.join(directory, 'motd')
    writeFileSync(destination, 'old motd\n', { mode: 0o600 })
    chmodSync(destination, 0o600)
    const owner = statSync(directory)
    const sshUid = Number(
      readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .find((line) => line.startsWith(`${facts.user}:`))
        ?.split(':')[2] ?? owner.uid,
    )
    chownSync(destination, sshUid, sshUid)

    const refused = await run(`copy motd.txt to ${destination} on lnx01`)
    expect(refused.cell('lnx01').state).toBe('failed')
    expect(refused.cell('lnx01').phase).toBe('backup')
    expect(refused.cell('lnx01').reason).toContain('already exists here; not overwritten')
    expect(readFileSync(destination, 'utf8')).toBe('old motd\n')
    // Refused before anything was sent.
    expect(existsSync(`${destination}.helpdesk-upload`)).toBe(false)
    expect(refused.events.some((event) => event.type === 'log' && event.phase === 'transfer')).toBe(
      false,
    )

    const replaced = await run(`copy motd.txt to ${destination} on lnx01 and overwrite it`)
    expect(replaced.cell('lnx01').state).toBe('succeeded')
    expect(readFileSync(destination, 'utf8')).toBe('Welcome to lnx01\n')
    expect(statSync(destination).mode & 0o777).toBe(0o600)
    expect(readFileSync(`${destination}.helpdesk-backup`, 'utf8')).toBe('old motd\n')
  })

  it('rolls the copy back where a later step fails: the old file is back, with its content', async () => {
    const directory = sharedStateDirectory('copy-rollback-')
    const destination = path.join(directory, 'motd')
    writeFileSync(destination, 'before the copy\n', { mode: 0o666 })
    const built = plan(`copy motd.txt to ${destination} on lnx01 and overwrite it`)
    const failing = {
      ...(built.workflow.steps[0] as (typeof built.workflow.steps)[number]),
      id: 'step-2',
      operation: 'service.status',
      title: 'A later step that fails',
      changes: false,
      scripts: { linux: 'echo "the later step failed" >&2\nexit 7\n' },
    }
    const {
      transfer: _transfer,
      backup: _backup,
      verify: _verify,
      rollback: _rollback,
      ...later
    } = failing
    const id = await fleet.engine.start(
      { ...built.workflow, steps: [...built.workflow.steps, later] },
      { requester: 'alice', actor: 'tom', approval: APPROVAL },
    )
    await fleet.engine.settled(id)
    const cells = (await fleet.engine.view(id))?.cells ?? []
    expect(cells.find((cell) => cell.stepIndex === 1)?.state).toBe('failed')
    expect(cells.find((cell) => cell.stepIndex === 0)?.state).toBe('rolled-back')
    expect(readFileSync(destination, 'utf8')).toBe('before the copy\n')
    expect(existsSync(`${destination}.helpdesk-backup`)).toBe(false)
  })

  it('sends nothing when the file changed after the approval', async () => {
    const directory = sharedStateDirectory('copy-changed-')
    const destination = path.join(directory, 'changed.txt')
    writeFileSync(path.join(filesRoot, 'changing.txt'), 'approved\n')
    const built = plan(`copy changing.txt to ${destination} on lnx01`)
    writeFileSync(path.join(filesRoot, 'changing.txt'), 'swapped after the approval\n')
    const id = await fleet.engine.start(built.workflow, {
      requester: 'alice',
      actor: 'tom',
      approval: APPROVAL,
    })
    await fleet.engine.settled(id)
    const cell = (await fleet.engine.view(id))?.cells.find((each) => each.target === 'lnx01')
    expect(cell?.state).toBe('failed')
    expect(cell?.errorCode).toBe('SOURCE_CHANGED')
    expect(cell?.reason).toContain('changed since it was approved')
    expect(existsSync(destination)).toBe(false)
    expect(existsSync(`${destination}.helpdesk-upload`)).toBe(false)
  })
})
