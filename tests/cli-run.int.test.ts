import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { SqliteAuditLog } from '../src/audit/sqlite-audit-log.ts'
import { sshInventoryTarget } from './support/ssh-inventory.ts'
import { startTestService } from './support/test-services.ts'

const run = promisify(execFile)
let directory = ''
let environment: NodeJS.ProcessEnv = {}

beforeAll(async () => {
  const facts = await startTestService('sshd')
  directory = mkdtempSync(path.join(tmpdir(), 'cli-run-'))
  const target = (name: string) => sshInventoryTarget(facts, name)
  writeFileSync(
    path.join(directory, 'inventory.yaml'),
    `targets:\n${target('LT-0423')}${target('LT-0424')}${target('LT-0425')}groups:\n  lab: [LT-0423, LT-0424, LT-0425]\n`,
  )
  environment = {
    ...process.env,
    HELPDESK_DATA_DIR: directory,
    HELPDESK_INVENTORY: path.join(directory, 'inventory.yaml'),
    LOG_LEVEL: 'silent',
  }
})

async function helpdesk(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, ['bin/helpdesk.js', 'run', ...args], { env: environment }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  )
}

async function auditActions(): Promise<
  Array<{ action: string; actor: string; detail: Record<string, unknown> }>
> {
  const log = new SqliteAuditLog({ file: path.join(directory, 'helpdesk.sqlite') })
  try {
    return (await log.list({ limit: 10_000 })) as Array<{
      action: string
      actor: string
      detail: Record<string, unknown>
    }>
  } finally {
    await log.close()
  }
}

describe('helpdesk run', () => {
  it('refuses invalid input with exit 2, a message naming the field, and runs nothing', async () => {
    const bad = await helpdesk('account_locked', '--param', 'username=jdoe;reboot')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--param username: .*not a valid username/)
    const unknownTask = await helpdesk('reboot_everything')
    expect(unknownTask.code).toBe(2)
    expect(unknownTask.stderr).toMatch(/unknown task type.*valid: access_jira/)
    const unknownTarget = await helpdesk('laptop_overheating', '--target', 'NOT-THERE')
    expect(unknownTarget.code).toBe(2)
    expect(unknownTarget.stderr).toMatch(/unknown target "NOT-THERE"; the inventory has: LT-0423/)
    // Named, never cleaned: an invisible character, and a name Active Directory would refuse.
    const invisible = await helpdesk('account_locked', '--param', 'username=ad\u200bministrator')
    expect(invisible.code).toBe(2)
    expect(invisible.stderr).toMatch(/--param username: .*U\+200B ZERO WIDTH SPACE/)
    const tooLong = await helpdesk(
      'account_locked',
      '--param',
      'username=Enterprise.Administrator01',
      '--param',
      'system=active_directory',
    )
    expect(tooLong.code).toBe(2)
    expect(tooLong.stderr).toMatch(
      /--param username: "Enterprise.Administrator01" cannot be an Active Directory username \(username is longer than 20 characters\)/,
    )
    const missing = await helpdesk('printer_not_working')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/needs more parameters:\n\s+--param printer=/)
    expect(
      (await auditActions()).filter((record) => record.action === 'step-execute'),
    ).toHaveLength(0)
  })

  it('dry-run prints the exact script and executes nothing', async () => {
    const before = (await auditActions()).length
    const result = await helpdesk('laptop_overheating', '--target', 'LT-0423', '--dry-run')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      '[dry_run] laptop_overheating.read_thermal_state_linux on LT-0423',
    )
    expect(result.stdout).toContain('bash -s --')
    expect((await auditActions()).length).toBe(before)
  })

  it('runs read-only steps for real and holds a changing step for approval (exit 1)', async () => {
    const result = await helpdesk('laptop_overheating', '--target', 'LT-0423')
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /\[succeeded\] laptop_overheating.read_thermal_state_linux on LT-0423\n\s+== CPU/,
    )
    expect(result.stdout).toMatch(
      /\[awaiting_approval\] laptop_overheating.balanced_power_profile_linux.*awaiting approval/,
    )
    expect(result.stdout).toContain('re-run with --yes')
    const holds = (await auditActions()).filter((record) => record.action === 'step-hold')
    expect(holds.at(-1)?.detail.stepId).toBe('laptop_overheating.balanced_power_profile_linux')
  })

  it('--yes approves as the technician, audited as such, and --group runs on every member', async () => {
    const result = await helpdesk(
      'laptop_overheating',
      '--group',
      'lab',
      '--yes',
      '--requester',
      'maria.garcia',
      '--json',
    )
    const report = JSON.parse(result.stdout) as {
      results: Array<{ stepId: string; target: string; result: { status: string } }>
    }
    const reads = report.results.filter(
      (each) => each.stepId === 'laptop_overheating.read_thermal_state_linux',
    )
    expect(reads.map((each) => each.target)).toEqual(['LT-0423', 'LT-0424', 'LT-0425'])
    expect(reads.every((each) => each.result.status === 'succeeded')).toBe(true)
    const changing = (await auditActions()).filter(
      (record) =>
        record.action === 'step-execute' &&
        record.detail.stepId === 'laptop_overheating.balanced_power_profile_linux',
    )
    expect(changing).toHaveLength(3)
    expect(changing[0]?.detail.requester).toBe('maria.garcia')
    expect(changing[0]?.detail.approval).toMatchObject({ via: 'cli --yes' })
    expect(result.code).toBe(
      report.results.every((each) => each.result.status === 'succeeded') ? 0 : 1,
    )
  })
})
