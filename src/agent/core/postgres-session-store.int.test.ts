import { afterAll, beforeAll } from 'vitest'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../../store/postgres/testing/postgres-test-database.ts'
import { PostgresSessionStore } from './postgres-session-store.ts'
import { runSessionStoreContract } from './session-store-contract.case.test.ts'

let server: PostgresTestServer
beforeAll(async () => {
  server = await startPostgresTestServer()
})
afterAll(async () => {
  await server?.dropAll()
})

let counter = 0
runSessionStoreContract({
  name: 'postgres',
  create: async (now) => {
    counter += 1
    const database = await server.fresh(`sessions_${counter}`)
    const store = new PostgresSessionStore({ database, now })
    return {
      store,
      // Another pool on the same schema: a restarted server, or another replica.
      reopen: async () =>
        new PostgresSessionStore({ database: await server.again(database.schema), now }),
      close: () => store.close(),
    }
  },
})
