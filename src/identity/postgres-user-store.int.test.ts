import { afterAll, beforeAll } from 'vitest'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../store/postgres/testing/postgres-test-database.ts'
import { PostgresUserStore } from './postgres-user-store.ts'
import { runUserStoreContract } from './user-store-contract.case.test.ts'

let server: PostgresTestServer
beforeAll(async () => {
  server = await startPostgresTestServer()
})
afterAll(async () => {
  await server?.dropAll()
})

let counter = 0
runUserStoreContract({
  name: 'postgres',
  create: async (options = {}) => {
    counter += 1
    const database = await server.fresh(`users_${counter}`)
    return {
      store: new PostgresUserStore({ database, ...options }),
      reopen: async () => new PostgresUserStore({ database: await server.again(database.schema) }),
      // Every row of both tables, as text: what someone reading the database would see.
      storedText: async () =>
        JSON.stringify([
          await server.query(database.schema, 'SELECT * FROM helpdesk_users'),
          await server.query(database.schema, 'SELECT * FROM helpdesk_tokens'),
        ]),
    }
  },
})
