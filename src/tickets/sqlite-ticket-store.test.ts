import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { SqliteTicketStore } from './sqlite-ticket-store.ts'
import { runTicketStoreContract } from './ticket-store-contract.case.test.ts'

runTicketStoreContract({
  name: 'sqlite',
  create: async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tickets-')), 'helpdesk.sqlite')
    return {
      store: new SqliteTicketStore({ file }),
      reopen: async () => new SqliteTicketStore({ file }),
    }
  },
})
