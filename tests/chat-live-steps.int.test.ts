import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildRuntime, type HelpdeskRuntime } from '../src/app/build-runtime.ts'
import { SqliteAuditLog } from '../src/audit/sqlite-audit-log.ts'
import { loadConfig } from '../src/config/load-config.ts'
import { MemoryVectorStore } from '../src/knowledge/memory-vector-store.ts'
import { startTestService } from './support/test-services.ts'

let runtime: HelpdeskRuntime
let directory = ''

beforeAll(async () => {
  const facts = await startTestService('sshd')
  directory = mkdtempSync(path.join(tmpdir(), 'chat-live-'))
  writeFileSync(
    path.join(directory, 'inventory.yaml'),
    `targets:
  - name: LT-0423
    host: 127.0.0.1
    port: ${facts.SSH_PORT}
    os: linux
    transport: ssh
    username: ${facts.SSH_USER}
    credential: file:${facts.SSH_CLIENT_KEY}
    hostKey: ${facts.SSH_HOST_KEY}
`,
  )
  const config = loadConfig({
    HELPDESK_DATA_DIR: directory,
    HELPDESK_INVENTORY: path.join(directory, 'inventory.yaml'),
  })
  // The in-memory store keeps this test about execution; Chroma has its own tests.
  runtime = await buildRuntime(config, {
    log: () => {},
    ingest: true,
    execution: true,
    store: new MemoryVectorStore(),
  })
})

afterAll(async () => {
  await runtime?.close()
})

describe('chat with an inventory configured', () => {
  it('runs read-only checks for real and holds the changing step for approval', async () => {
    const turn = await runtime.core.handleTurn({
      message: 'my linux laptop LT-0423 is overheating and the fan is loud',
      requester: 'jdoe',
    })
    expect(turn.tasks).toEqual(['laptop_overheating'])
    const read = turn.results.find(
      (result) => result.stepId === 'laptop_overheating.read_thermal_state_linux',
    )
    expect(read?.status).toBe('succeeded')
    expect(read?.stdout).toContain('== CPU')
    const change = turn.results.find(
      (result) => result.stepId === 'laptop_overheating.balanced_power_profile_linux',
    )
    expect(change?.status).toBe('awaiting_approval')
    expect(turn.reply).toMatch(
      /I ran the checks that only read; nothing has been changed\. One step changes something and is awaiting approval/,
    )
    expect(turn.reply).toMatch(/Step 1 found: == CPU/)

    const audit = new SqliteAuditLog({ file: path.join(directory, 'helpdesk.sqlite') })
    const actions = (await audit.list()).map((record) => `${record.action} ${record.detail.stepId}`)
    await audit.close()
    expect(actions).toContain('step-execute laptop_overheating.read_thermal_state_linux')
    expect(actions).toContain('step-hold laptop_overheating.balanced_power_profile_linux')
    expect(actions).not.toContain('step-execute laptop_overheating.balanced_power_profile_linux')
  })

  it('keeps dry runs for kinds with no executor here (Active Directory not configured)', async () => {
    const turn = await runtime.core.handleTurn({
      message: 'my AD account jdoe is locked out',
      requester: 'jdoe',
    })
    expect(turn.tasks).toEqual(['account_locked'])
    expect(turn.results.every((result) => result.status === 'dry_run')).toBe(true)
  })
})
