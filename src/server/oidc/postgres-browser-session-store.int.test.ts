import { afterAll, beforeAll } from 'vitest'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../../store/postgres/testing/postgres-test-database.ts'
import { runBrowserSessionStoreContract } from './browser-session-store-contract.case.test.ts'
import { PostgresBrowserSessionStore } from './postgres-browser-session-store.ts'

let server: PostgresTestServer
beforeAll(async () => {
  server = await startPostgresTestServer()
})
afterAll(async () => {
  await server?.dropAll()
})

let counter = 0
runBrowserSessionStoreContract({
  name: 'postgres',
  create: async (clock) => {
    counter += 1
    const database = await server.fresh(`browser_sessions_${counter}`)
    const now = () => clock.now
    return {
      store: new PostgresBrowserSessionStore({ database, now }),
      reopen: async () =>
        new PostgresBrowserSessionStore({ database: await server.again(database.schema), now }),
      storedText: async () =>
        JSON.stringify([
          await server.query(database.schema, 'SELECT * FROM helpdesk_browser_sessions'),
          await server.query(database.schema, 'SELECT * FROM helpdesk_pending_sign_ins'),
        ]),
    }
  },
})
