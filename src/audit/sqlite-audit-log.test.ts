import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { runAuditLogContract } from './audit-log-contract.case.test.ts'
import { SqliteAuditLog } from './sqlite-audit-log.ts'

runAuditLogContract({
  name: 'sqlite',
  create: async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-')), 'audit.sqlite')
    return {
      log: new SqliteAuditLog({ file }),
      reopen: async () => new SqliteAuditLog({ file }),
      tamper: async (statements) => {
        const raw = new DatabaseSync(file)
        try {
          raw.exec(statements)
        } finally {
          raw.close()
        }
      },
    }
  },
})
