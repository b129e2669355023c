import { afterAll, beforeAll } from 'vitest'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../store/postgres/testing/postgres-test-database.ts'
import { runJobStoreContract } from './job-store-contract.case.test.ts'
import { PostgresJobStore } from './postgres-job-store.ts'

let server: PostgresTestServer
beforeAll(async () => {
  server = await startPostgresTestServer()
})
afterAll(async () => {
  await server?.dropAll()
})

let counter = 0
runJobStoreContract({
  name: 'postgres',
  create: async () => {
    counter += 1
    const database = await server.fresh(`jobs_${counter}`)
    return {
      store: new PostgresJobStore({ database }),
      reopen: async () => new PostgresJobStore({ database: await server.again(database.schema) }),
    }
  },
})
