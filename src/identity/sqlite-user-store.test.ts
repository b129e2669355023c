import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { SqliteUserStore } from './sqlite-user-store.ts'
import { runUserStoreContract } from './user-store-contract.case.test.ts'

runUserStoreContract({
  name: 'sqlite',
  create: async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'users-')), 'helpdesk.sqlite')
    return {
      store: new SqliteUserStore({ file }),
      reopen: async () => new SqliteUserStore({ file }),
      // The write-ahead log too: a row may still sit there rather than in the main file.
      storedText: async () =>
        [file, `${file}-wal`]
          .filter((each) => existsSync(each))
          .map((each) => readFileSync(each).toString('latin1'))
          .join('\n'),
    }
  },
})
