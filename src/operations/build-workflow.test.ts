import { createHash } from 'node:crypto'
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { InventoryData } from '../inventory/inventory-schema.ts'
import { buildWorkflow, type WorkflowPlan } from './build-workflow.ts'
import { FilesDirectory } from './files-directory.ts'
import { answerInventoryQuestion } from './inventory-answers.ts'
import { OperationCatalog } from './operation-catalog.ts'
import { readOperationRequest } from './request-reader.ts'
import { fleetOf } from './request-targets.ts'
import { previewWorkflow } from './workflow-preview.ts'

const inventory = parse(
  readFileSync('tests/fixtures/operations-inventory.yaml', 'utf8'),
) as InventoryData
const fleet = fleetOf(inventory)
let catalog: OperationCatalog
let files: FilesDirectory
const MOTD = 'Welcome to the fleet\n'
beforeAll(async () => {
  catalog = await OperationCatalog.load()
  const root = mkdtempSync(path.join(tmpdir(), 'build-files-'))
  chmodSync(root, 0o755)
  writeFileSync(path.join(root, 'motd.txt'), MOTD)
  files = new FilesDirectory({ directory: root })
})

function plan(text: string): WorkflowPlan {
  const built = buildWorkflow(readOperationRequest(text, fleet), catalog, inventory, files)
  if (!built.ok) throw new Error(built.reason)
  return built.plan
}

describe('a read request becomes a Workflow and its preview', () => {
  it('stops a service on a group only where it runs, with verify and rollback', () => {
    const { workflow, targetsByOs, approvals } = plan(
      'stop the dataprocessor service on the data processing servers but only where it is running',
    )
    expect(workflow.targets).toEqual(['dp01', 'dp02', 'dp03'])
    expect(targetsByOs).toEqual({ linux: ['dp01', 'dp02', 'dp03'], windows: [] })
    expect(workflow.continueOnFailure).toBe(true)
    const [step] = workflow.steps
    expect(step?.operation).toBe('service.stop')
    expect(step?.title).toBe('Stop the service dataprocessor')
    expect(step?.condition?.kind).toBe('only-where-running')
    expect(step?.condition?.scripts.linux).toContain("set -- 'dataprocessor'")
    expect(step?.verify?.linux).toBeDefined()
    expect(step?.rollback?.windows).toContain('Start-Service')
    expect(approvals).toEqual([1])
  })

  it('backs up before a copy, names the transfer, and resolves "every Windows machine"', () => {
    const copy = plan('copy motd.txt to /etc/motd on all linux machines')
    expect(copy.workflow.steps[0]?.transfer).toEqual({
      source: 'motd.txt',
      destination: '/etc/motd',
      size: MOTD.length,
      sha256: createHash('sha256').update(MOTD).digest('hex'),
    })
    expect(copy.workflow.steps[0]?.backup?.linux).toContain('.helpdesk-backup')
    expect(copy.targetsByOs.windows).toEqual([])
    expect(copy.targetsByOs.linux).toContain('LT-0424')
    const windows = plan('show free space on every windows machine')
    expect(windows.targetsByOs.linux).toEqual([])
    expect(windows.workflow.targets).toEqual([
      'app-win01',
      'app-win02',
      'fs01',
      'print01',
      'build-win01',
      'dc01',
      'LT-0423',
      'WS-FIN-12',
    ])
  })

  it('previews a copy with the file name, size, SHA-256 and destination, at the catalog risk', () => {
    const copy = plan('copy motd.txt to /etc/motd on web01')
    const sha256 = createHash('sha256').update(MOTD).digest('hex')
    const preview = previewWorkflow(copy)
    expect(preview).toContain(
      `File: motd.txt from the files directory, ${MOTD.length} bytes, SHA-256 ${sha256} -> /etc/motd`,
    )
    expect(preview).toContain('refused where the file already exists (say overwrite to replace it)')
    expect(copy.workflow.steps[0]?.risk).toBe('high')
    expect(copy.approvals).toEqual([2])
    const replace = plan('copy motd.txt to /etc/motd on web01 and overwrite the old one')
    expect(replace.workflow.steps[0]?.parameters.overwrite).toBe('yes')
    expect(previewWorkflow(replace)).toContain('an existing file is backed up first, then replaced')
  })

  it.each([
    [
      'copy /srv/share/motd to /etc/motd on web01',
      'file.copy: "/srv/share/motd" is not a valid source',
    ],
    [
      'copy missing.txt to /etc/motd on web01',
      'file.copy: source: missing.txt is not in the files directory',
    ],
    ['copy motd.txt to etc/motd on web01', ''],
    [
      'copy motd.txt to /etc/motd on web01 and app-win01',
      'file.copy: destination: /etc/motd is a Linux path, but app-win01 runs Windows',
    ],
    [
      'copy motd.txt to C:\\inetpub\\motd.txt on web01 and app-win01',
      'file.copy: destination: C:\\inetpub\\motd.txt is a Windows path, but web01 runs Linux',
    ],
  ])('refuses %j with the reason, building nothing', (text, reason) => {
    const built = buildWorkflow(readOperationRequest(text, fleet), catalog, inventory, files)
    expect(built.ok).toBe(false)
    if (!built.ok && reason) expect(built.reason).toContain(reason)
  })

  it('refuses a copy when no files directory is configured', () => {
    const built = buildWorkflow(
      readOperationRequest('copy motd.txt to /etc/motd on web01', fleet),
      catalog,
      inventory,
    )
    expect(built).toEqual({
      ok: false,
      reason:
        "file.copy: files are copied only from the helpdesk's files directory, and none is configured (HELPDESK_FILES_DIRECTORY)",
    })
  })

  it('"all servers" leaves the laptops and workstations out', () => {
    const { workflow } = plan('remove the telnet package from all servers')
    expect(workflow.targets).not.toContain('LT-0423')
    expect(workflow.targets).not.toContain('WS-FIN-12')
    expect(workflow.targets).toContain('dc01')
  })

  it('previews steps, targets by OS, unknown machines, exact scripts, approvals and a duration', () => {
    const text = previewWorkflow(plan('update nginx on web01 and web07 then restart nginx'))
    expect(text).toContain('Plan: 2 steps on 1 machine. Nothing has run yet.')
    expect(text).toContain('1. Update the package nginx')
    expect(text).toContain('Approval: a technician approves the plan (high risk).')
    expect(text).toContain('2. Restart the service nginx')
    expect(text).toContain('- 1 machine: Linux 1 (web01)')
    expect(text).toContain('Not in the inventory, skipped: web07')
    expect(text).toContain('Step 1, Linux (Bash), run:')
    expect(text).toContain("set -- 'nginx' ''")
    expect(text).not.toContain('Windows (PowerShell), run:')
    expect(text).toMatch(/Estimated duration: about \d+ s \(1 machine, up to 10 at a time\)/)
  })

  it('refuses a request whose value breaks its parameter kind, saying which', () => {
    const request = readOperationRequest('restart nginx on web01', fleet)
    const built = buildWorkflow(
      {
        ...request,
        operations: [{ operation: 'service.restart', parameters: { service: 'nginx;reboot' } }],
      },
      catalog,
      inventory,
    )
    expect(built).toEqual({ ok: false, reason: expect.stringContaining('service.restart') })
  })
})

describe('inventory questions are answered from the inventory', () => {
  const answer = (text: string) =>
    answerInventoryQuestion(readOperationRequest(text, fleet), inventory)

  it('counts by OS, group and class', () => {
    expect(answer('how many assets do we have?')).toBe(
      'In the inventory: 22 machines (14 Linux, 8 Windows; 19 server, 2 laptop, 1 workstation).',
    )
    expect(answer('how many linux machines do we have')).toMatch(
      /^In the inventory, Linux only: 14 machines/,
    )
    expect(answer('how many servers are in the web servers group')).toBe(
      'group web-servers: 4 machines (4 Linux; 4 server).',
    )
    expect(answer('how many laptops do we manage')).toMatch(
      /^In the inventory, laptops only: 2 machines/,
    )
  })

  it('describes one machine without its credential', () => {
    const text = answer('tell me about db01')
    expect(text).toContain('db01: Linux server')
    expect(text).toContain('groups: databases')
    expect(text).not.toContain('EVAL_SSH_KEY')
  })

  it('lists the members of a group matching an OS', () => {
    expect(answer('which of the build agents run windows')).toBe(
      'group build-agents, Windows only: 1 machine (1 Windows; 1 server)\n- build-win01: Windows server',
    )
  })
})
