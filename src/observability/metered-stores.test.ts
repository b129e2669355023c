// The stores the runtime builds are wrapped in timing proxies (build-runtime.ts): each store's
// contract suite runs again through the proxy, so timing changes nothing a store promises; and
// the approval states counted match what the store did.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect, it } from 'vitest'
import { runSessionStoreContract } from '../agent/core/session-store-contract.case.test.ts'
import { SqliteSessionStore } from '../agent/core/sqlite-session-store.ts'
import {
  runApprovalStoreContract,
  sampleRequest,
} from '../approvals/approval-store-contract.case.test.ts'
import { SqliteApprovalStore } from '../approvals/sqlite-approval-store.ts'
import { countApprovalStates, HelpdeskMetrics, meteredStore } from './metrics.ts'

const scratch = () => new HelpdeskMetrics({ processMetrics: false })
const databaseFile = (prefix: string) =>
  path.join(mkdtempSync(path.join(tmpdir(), `${prefix}-`)), 'helpdesk.sqlite')

runApprovalStoreContract({
  name: 'sqlite, metered',
  create: async () => {
    const file = databaseFile('metered-approvals')
    const open = () =>
      meteredStore(
        new SqliteApprovalStore({ file }),
        'approvals',
        countApprovalStates(scratch()),
        scratch(),
      )
    return { store: open(), reopen: async () => open(), second: async () => open() }
  },
})

runSessionStoreContract({
  name: 'sqlite, metered',
  create: async (now) => {
    const file = databaseFile('metered-sessions')
    const store = meteredStore(
      new SqliteSessionStore({ file, now }),
      'sessions',
      undefined,
      scratch(),
    )
    return {
      store,
      reopen: async () =>
        meteredStore(new SqliteSessionStore({ file, now }), 'sessions', undefined, scratch()),
      close: () => store.close(),
    }
  },
})

it('counts the approval states a real store entered, and times its calls', async () => {
  const metrics = scratch()
  const store = meteredStore(
    new SqliteApprovalStore({ file: databaseFile('approval-states') }),
    'approvals',
    countApprovalStates(metrics),
    metrics,
  )
  const created = await store.create(sampleRequest('a-1'))
  await store.create(sampleRequest('a-2', { expiresAt: '2000-01-01T00:00:00.000Z' }))
  await store.decide(
    'a-1',
    created.version,
    { approver: 'sam', role: 'technician', outcome: 'approved', at: new Date().toISOString() },
    'approved',
  )
  await store.expireDue(new Date())
  await store.get('a-1')
  const states = Object.fromEntries(
    (await metrics.approvalTransitions.get()).values.map((value) => [
      value.labels.state,
      value.value,
    ]),
  )
  expect(states).toEqual({ pending: 2, approved: 1, expired: 1 })
  const operations = (await metrics.databaseSeconds.get()).values
    .filter((value) => value.metricName?.endsWith('_count'))
    .map((value) => `${value.labels.store}.${value.labels.operation}=${value.value}`)
    .sort()
  expect(operations).toEqual([
    'approvals.create=2',
    'approvals.decide=1',
    'approvals.expireDue=1',
    'approvals.get=1',
  ])
  await store.close()
})
