import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { RecordingExecutor } from '../approvals/testing/approval-fixture.ts'
import { SqliteAuditLog } from '../audit/sqlite-audit-log.ts'
import { ExecutorRegistry } from '../executors/executor-registry.ts'
import { loadInstructions } from '../knowledge/instructions/instruction-loader.ts'
import type { ApprovalRecord } from '../policy/approval-record.ts'
import { ExecutionService } from './execution-service.ts'

async function setUp() {
  const audit = new SqliteAuditLog({
    file: path.join(mkdtempSync(path.join(tmpdir(), 'proposed-')), 'audit.sqlite'),
  })
  const executor = new RecordingExecutor()
  const instructions = new Map(
    (await loadInstructions('data/instructions')).map((each) => [each.id, each]),
  )
  const service = new ExecutionService({
    instructions,
    registry: new ExecutorRegistry().register(executor),
    audit,
  })
  return { audit, executor, service }
}

const proposal = {
  id: 'p1',
  language: 'bash' as const,
  script: 'df -h /\nfree -m\n',
  target: 'LT-0423',
  reason: 'disk full?',
}
const approvalFor = (stepIds: string[], approver = 'tech.anna'): ApprovalRecord => ({
  id: 'a1',
  approver,
  approvedAt: '2026-11-21T10:00:00Z',
  level: 3,
  scope: 'step',
  stepIds,
  via: 'test',
})

describe('ExecutionService.executeProposedScript', () => {
  it('holds a proposal without a technician approval naming it; runs it with one, auditing the whole script', async () => {
    const { audit, executor, service } = await setUp()
    const held = await service.executeProposedScript({
      proposal,
      requester: 'jdoe',
      requestId: 'r1',
    })
    expect(held.status).toBe('awaiting_approval')
    const byRequester = await service.executeProposedScript({
      proposal,
      requester: 'jdoe',
      requestId: 'r2',
      approval: approvalFor(['proposed.p1'], 'jdoe'),
    })
    expect(byRequester.status).toBe('awaiting_approval')
    const otherStep = await service.executeProposedScript({
      proposal,
      requester: 'jdoe',
      requestId: 'r3',
      approval: approvalFor(['proposed.p2']),
    })
    expect(otherStep.status).toBe('awaiting_approval')
    expect(executor.ran).toEqual([])
    const ran = await service.executeProposedScript({
      proposal,
      requester: 'jdoe',
      requestId: 'r4',
      approval: approvalFor(['proposed.p1']),
    })
    expect(ran.status).toBe('succeeded')
    expect(executor.ran).toEqual(['proposed.p1'])
    const execute = (await audit.list()).find((record) => record.action === 'step-execute')
    expect(execute?.detail).toMatchObject({
      proposed: true,
      reason: 'disk full?',
      approvalLevel: 3,
    })
    expect(String(execute?.detail.operation)).toContain('df -h /\nfree -m')
  })

  it('refuses a proposal the policy denies even with an approval, and runs nothing', async () => {
    const { executor, service } = await setUp()
    const refused = await service.executeProposedScript({
      proposal: {
        ...proposal,
        script: "Add-ADGroupMember -Identity 'Domain Admins' -Members jdoe",
        language: 'powershell',
      },
      requester: 'jdoe',
      requestId: 'r5',
      approval: approvalFor(['proposed.p1']),
    })
    expect(refused).toMatchObject({ status: 'failed', errorCode: 'POLICY_REFUSED' })
    expect(refused.errorMessage).toContain('privileged groups')
    expect(executor.ran).toEqual([])
  })
})
