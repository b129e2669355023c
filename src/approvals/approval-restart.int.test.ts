import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { SqliteAuditLog } from '../audit/sqlite-audit-log.ts'

const CHILD = fileURLToPath(new URL('./testing/approval-child.ts', import.meta.url))
const UNLOCK = 'account_locked.unlock_ad_account'

/** Runs one "server process" to its end (or its kill -9) on the shared store file. */
function child(command: string, file: string, runLog: string, id?: string) {
  const run = spawnSync(process.execPath, [CHILD, command, file, runLog, ...(id ? [id] : [])], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  const line = run.stdout.trim().split('\n').at(-1) ?? ''
  return {
    signal: run.signal,
    status: run.status,
    stderr: run.stderr,
    output: line ? (JSON.parse(line) as Record<string, unknown>) : {},
  }
}

function runsOf(runLog: string, stepId: string): number {
  if (!existsSync(runLog)) return 0
  return readFileSync(runLog, 'utf8')
    .split('\n')
    .filter((line) => line === stepId).length
}

function setUp() {
  const directory = mkdtempSync(path.join(tmpdir(), 'approval-restart-'))
  return {
    file: path.join(directory, 'helpdesk.sqlite'),
    runLog: path.join(directory, 'runs.log'),
  }
}

describe('approvals across process restarts', () => {
  it('a request made by a killed server is approved and run once by the next, and never again', async () => {
    const { file, runLog } = setUp()
    const created = child('create', file, runLog)
    expect(created.signal).toBe('SIGKILL')
    const id = String(created.output.id)

    const approved = child('approve-execute', file, runLog, id)
    expect(approved.status, approved.stderr).toBe(0)
    expect(approved.output).toMatchObject({ status: 'executed', outcome: 'succeeded' })
    expect(runsOf(runLog, UNLOCK)).toBe(1)

    const again = child('execute', file, runLog, id)
    expect(again.status, again.stderr).toBe(0)
    expect(again.output.steps).toEqual([
      ['account_locked.check_ad_status', 'succeeded', true],
      [UNLOCK, 'succeeded', true],
      ['account_locked.remove_stale_credentials', 'skipped', true],
    ])
    expect(runsOf(runLog, UNLOCK)).toBe(1)

    const audit = new SqliteAuditLog({ file })
    try {
      const executions = (await audit.list()).filter(
        (record) => record.action === 'step-execute' && record.detail.stepId === UNLOCK,
      )
      expect(executions).toHaveLength(1)
      expect(await audit.verify()).toMatchObject({ ok: true })
    } finally {
      await audit.close()
    }
  }, 120_000)

  it('a server killed while a step runs leaves it unknown; the next one does not run it again', () => {
    const { file, runLog } = setUp()
    const id = String(child('create', file, runLog).output.id)
    const crashed = child('approve-execute-crash', file, runLog, id)
    expect(crashed.signal).toBe('SIGKILL')
    expect(runsOf(runLog, UNLOCK)).toBe(1)

    const after = child('execute', file, runLog, id)
    expect(after.status, after.stderr).toBe(0)
    expect(after.output).toMatchObject({ status: 'executed', outcome: 'unknown' })
    expect(after.output.steps).toContainEqual([UNLOCK, 'unknown', true])
    expect(runsOf(runLog, UNLOCK)).toBe(1)
  }, 120_000)
})
