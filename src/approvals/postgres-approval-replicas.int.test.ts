import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuditKey } from '../audit/audit-key.ts'
import { PostgresAuditLog } from '../audit/postgres-audit-log.ts'
import { ERROR_HTTP_STATUS } from '../errors/error-codes.ts'
import { ExecutionService } from '../execution/execution-service.ts'
import { ExecutorRegistry } from '../executors/executor-registry.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { PostgresDatabase } from '../store/postgres/postgres-database.ts'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../store/postgres/testing/postgres-test-database.ts'
import { ApprovalService } from './approval-service.ts'
import { PostgresApprovalStore } from './postgres-approval-store.ts'
import { PostgresStepExecutionLedger } from './postgres-step-execution-ledger.ts'
import { loadTestInstructions, RecordingExecutor, unlockPlan } from './testing/approval-fixture.ts'

const UNLOCK = 'account_locked.unlock_ad_account'
let server: PostgresTestServer
let instructions: Map<string, Instruction>
beforeAll(async () => {
  server = await startPostgresTestServer()
  instructions = await loadTestInstructions()
})
afterAll(async () => {
  await server?.dropAll()
})

/** One replica: its own pool on the shared schema, the same audit key, its own executor. */
async function replica(database: PostgresDatabase, key: AuditKey) {
  const audit = await PostgresAuditLog.open({ database, key })
  const executor = new RecordingExecutor()
  const execution = new ExecutionService({
    instructions,
    registry: new ExecutorRegistry().register(executor),
    audit,
  })
  const service = new ApprovalService({
    store: new PostgresApprovalStore({ database }),
    ledger: new PostgresStepExecutionLedger({ database }),
    execution,
    audit,
    instructions,
  })
  return { service, audit, executor }
}

describe('exactly once across two replicas on PostgreSQL', () => {
  it('two replicas approving the same request at once: one wins, the other gets 409; the step runs once', async () => {
    const first = await server.fresh('replicas')
    const second = await server.again(first.schema)
    const key = AuditKey.generate()
    const [a, b] = [await replica(first, key), await replica(second, key)]
    for (let round = 0; round < 5; round += 1) {
      const request = await a.service.requestApproval({
        plan: unlockPlan(instructions),
        requester: 'jdoe',
      })
      const decided = await Promise.allSettled([
        a.service.approve(request.id, { username: 'tech.anna', role: 'technician' }),
        b.service.approve(request.id, { username: 'tech.ben', role: 'admin' }),
      ])
      expect(decided.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
      const lost = decided.find((outcome) => outcome.status === 'rejected')
      const reason = lost?.status === 'rejected' ? (lost.reason as { code: string }) : undefined
      expect(reason).toMatchObject({ code: 'APPROVAL_CONFLICT' })
      expect(ERROR_HTTP_STATUS[reason?.code as 'APPROVAL_CONFLICT']).toBe(409)

      // Both replicas then try to run it: the ledger lets one run each step.
      await Promise.allSettled([
        a.service.executeApproved(request.id),
        b.service.executeApproved(request.id),
      ])
      expect(a.executor.count(UNLOCK) + b.executor.count(UNLOCK)).toBe(round + 1)
      expect((await b.service.get(request.id)).decisions).toHaveLength(1)
    }
    expect(await a.audit.verify()).toMatchObject({ ok: true })
  })
})
