import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runApprovalStoreContract } from './approval-store-contract.case.test.ts'
import { SqliteApprovalStore } from './sqlite-approval-store.ts'

runApprovalStoreContract({
  name: 'sqlite',
  create: async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'approvals-')), 'helpdesk.sqlite')
    return {
      store: new SqliteApprovalStore({ file }),
      reopen: async () => new SqliteApprovalStore({ file }),
      second: async () => new SqliteApprovalStore({ file }),
    }
  },
})
