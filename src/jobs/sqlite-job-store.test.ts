import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runJobStoreContract } from './job-store-contract.case.test.ts'
import { SqliteJobStore } from './sqlite-job-store.ts'

runJobStoreContract({
  name: 'sqlite',
  create: async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'jobs-store-')), 'helpdesk.sqlite')
    return {
      store: new SqliteJobStore({ file }),
      reopen: async () => new SqliteJobStore({ file }),
    }
  },
})
