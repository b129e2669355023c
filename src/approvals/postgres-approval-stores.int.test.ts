import { afterAll, beforeAll } from 'vitest'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../store/postgres/testing/postgres-test-database.ts'
import { runApprovalStoreContract } from './approval-store-contract.case.test.ts'
import { PostgresApprovalStore } from './postgres-approval-store.ts'
import { PostgresStepExecutionLedger } from './postgres-step-execution-ledger.ts'
import { runStepExecutionLedgerContract } from './step-execution-ledger-contract.case.test.ts'

let server: PostgresTestServer
beforeAll(async () => {
  server = await startPostgresTestServer()
})
afterAll(async () => {
  await server?.dropAll()
})

let counter = 0
// `second` and `reopen` open another pool on the same schema: another replica, a restarted one.
runApprovalStoreContract({
  name: 'postgres',
  create: async () => {
    counter += 1
    const database = await server.fresh(`approvals_${counter}`)
    const replica = async () =>
      new PostgresApprovalStore({ database: await server.again(database.schema) })
    return { store: new PostgresApprovalStore({ database }), reopen: replica, second: replica }
  },
})

runStepExecutionLedgerContract({
  name: 'postgres',
  create: async () => {
    counter += 1
    const database = await server.fresh(`ledger_${counter}`)
    const replica = async () =>
      new PostgresStepExecutionLedger({ database: await server.again(database.schema) })
    return {
      ledger: new PostgresStepExecutionLedger({ database }),
      reopen: replica,
      second: replica,
    }
  },
})
