import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { SqliteStepExecutionLedger } from './sqlite-step-execution-ledger.ts'
import { runStepExecutionLedgerContract } from './step-execution-ledger-contract.case.test.ts'

runStepExecutionLedgerContract({
  name: 'sqlite',
  create: async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ledger-')), 'helpdesk.sqlite')
    return {
      ledger: new SqliteStepExecutionLedger({ file }),
      reopen: async () => new SqliteStepExecutionLedger({ file }),
      second: async () => new SqliteStepExecutionLedger({ file }),
    }
  },
})
