import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runRunbookStoreContract } from './runbook-store-contract.case.test.ts'
import { SqliteRunbookStore } from './sqlite-runbook-store.ts'

runRunbookStoreContract({
  name: 'sqlite',
  create: async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'runbooks-')), 'helpdesk.sqlite')
    return {
      store: new SqliteRunbookStore({ file }),
      reopen: async () => new SqliteRunbookStore({ file }),
    }
  },
})
