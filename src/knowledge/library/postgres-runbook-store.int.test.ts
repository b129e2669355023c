import { afterAll, beforeAll } from 'vitest'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../../store/postgres/testing/postgres-test-database.ts'
import { PostgresRunbookStore } from './postgres-runbook-store.ts'
import { runRunbookStoreContract } from './runbook-store-contract.case.test.ts'

let server: PostgresTestServer
beforeAll(async () => {
  server = await startPostgresTestServer()
})
afterAll(async () => {
  await server?.dropAll()
})

let counter = 0
runRunbookStoreContract({
  name: 'postgres',
  create: async () => {
    counter += 1
    const database = await server.fresh(`runbooks_${counter}`)
    return {
      store: new PostgresRunbookStore({ database }),
      reopen: async () =>
        new PostgresRunbookStore({ database: await server.again(database.schema) }),
    }
  },
})
