import { afterAll, beforeAll } from 'vitest'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../../store/postgres/testing/postgres-test-database.ts'
import { runPausedRunStoreContract } from './paused-run-store-contract.case.test.ts'
import { PostgresPausedRunStore } from './postgres-paused-run-store.ts'

let server: PostgresTestServer
beforeAll(async () => {
  server = await startPostgresTestServer()
})
afterAll(async () => {
  await server?.dropAll()
})

let counter = 0
runPausedRunStoreContract({
  name: 'postgres',
  create: async (framework) => {
    counter += 1
    const database = await server.fresh(`paused_runs_${counter}`)
    return {
      store: new PostgresPausedRunStore({ database, framework }),
      // Another pool on the same schema: another replica.
      another: async (each) =>
        new PostgresPausedRunStore({
          database: await server.again(database.schema),
          framework: each,
        }),
    }
  },
})
