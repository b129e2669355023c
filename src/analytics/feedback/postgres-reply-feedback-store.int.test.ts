import { afterAll, beforeAll } from 'vitest'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../../store/postgres/testing/postgres-test-database.ts'
import { PostgresReplyFeedbackStore } from './postgres-reply-feedback-store.ts'
import { runReplyFeedbackContract } from './reply-feedback-contract.case.test.ts'

let server: PostgresTestServer
beforeAll(async () => {
  server = await startPostgresTestServer()
})
afterAll(async () => {
  await server?.dropAll()
})

let counter = 0
runReplyFeedbackContract({
  name: 'postgres',
  create: async () => {
    counter += 1
    const database = await server.fresh(`feedback_${counter}`)
    return {
      store: new PostgresReplyFeedbackStore({ database }),
      reopen: async () =>
        new PostgresReplyFeedbackStore({ database: await server.again(database.schema) }),
    }
  },
})
