import { afterAll, beforeAll } from 'vitest'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../store/postgres/testing/postgres-test-database.ts'
import { PostgresTicketStore } from './postgres-ticket-store.ts'
import { runTicketStoreContract } from './ticket-store-contract.case.test.ts'

let server: PostgresTestServer
beforeAll(async () => {
  server = await startPostgresTestServer()
})
afterAll(async () => {
  await server?.dropAll()
})

let counter = 0
runTicketStoreContract({
  name: 'postgres',
  create: async () => {
    counter += 1
    const database = await server.fresh(`tickets_${counter}`)
    return {
      store: new PostgresTicketStore({ database }),
      reopen: async () =>
        new PostgresTicketStore({ database: await server.again(database.schema) }),
    }
  },
})
