import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../bench/bench-support.ts'
import { buildRuntime, type HelpdeskRuntime } from '../src/app/build-runtime.ts'
import { SqliteAuditLog } from '../src/audit/sqlite-audit-log.ts'
import { loadConfig } from '../src/config/load-config.ts'
import { MemoryVectorStore } from '../src/knowledge/memory-vector-store.ts'
import { sshInventoryTarget } from './support/ssh-inventory.ts'
import { startTestService } from './support/test-services.ts'

let runtime: HelpdeskRuntime
let directory = ''

beforeAll(async () => {
  const facts = await startTestService('sshd')
  directory = mkdtempSync(path.join(tmpdir(), 'chat-live-'))
  writeFileSync(
    path.join(directory, 'inventory.yaml'),
    `targets:
${sshInventoryTarget(facts, 'LT-0423', { class: 'laptop', assignedTo: ['jdoe'] })}${sshInventoryTarget(facts, 'LT-0424')}${sshInventoryTarget(facts, 'LT-0499', { port: await freePort() })}groups:
  finance: [LT-0423, LT-0424, LT-0499]
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
    // The project store: held steps open approval requests.
    persistence: true,
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

  it('a group request runs on every machine; the one that is down fails alone, and says so', async () => {
    const turn = await runtime.core.handleTurn({
      message: 'the laptops in the finance group are running slow',
      requester: 'jdoe',
    })
    expect(turn.tasks).toEqual(['laptop_running_slow'])
    expect(turn.plan.map((plan) => plan.parameters.device)).toEqual([
      'LT-0423',
      'LT-0424',
      'LT-0499',
    ])
    const read = 'laptop_running_slow.read_resource_use_linux'
    const reads = turn.results.filter((result) => result.stepId === read)
    expect(reads.map((each) => each.status)).toEqual(['succeeded', 'succeeded', 'failed'])
    expect(reads[0]?.stdout).toContain('== Top 10 by CPU')
    expect(reads[2]?.errorCode).toBe('CONNECT_FAILED')
    expect(turn.reply).toMatch(/on the finance group \(3 machines, 1 failed\): LT-0499 failed/)
    // The machine that could not be reached gets no approval request, and the reply says why;
    // the others each get one, showing whose machine it is.
    const requests = await Promise.all(
      (turn.approvals ?? []).map((each) => runtime.approvals?.get(each.id)),
    )
    expect(requests.map((each) => each?.machines?.[0]?.name)).toEqual(['LT-0423', 'LT-0424'])
    expect(requests[0]?.machines).toEqual([
      { name: 'LT-0423', class: 'laptop', assignedTo: ['jdoe'] },
    ])
    expect(requests[1]?.machines).toEqual([{ name: 'LT-0424', class: 'server', assignedTo: [] }])
    expect(requests[0]?.requestText).toBe('the laptops in the finance group are running slow')
    expect(turn.reply).toMatch(
      /I could not reach LT-0499 \(LT-0499 \(127\.0\.0\.1:\d+\) cannot be reached \(ECONNREFUSED\)\), so I have not asked anyone to approve the changes/,
    )

    const audit = new SqliteAuditLog({ file: path.join(directory, 'helpdesk.sqlite') })
    const executed = (await audit.list({ limit: 10_000 })).filter(
      (record) => record.action === 'step-execute' && record.detail.stepId === read,
    )
    await audit.close()
    // Each machine audited on its own, the unreachable one included.
    expect(executed.map((record) => record.target).slice(-3)).toEqual([
      'LT-0423',
      'LT-0424',
      'LT-0499',
    ])
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
