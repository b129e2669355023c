import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runBrowserSessionStoreContract } from './browser-session-store-contract.case.test.ts'
import { SqliteBrowserSessionStore } from './sqlite-browser-session-store.ts'

runBrowserSessionStoreContract({
  name: 'sqlite',
  create: async (clock) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'browser-sessions-')), 'helpdesk.sqlite')
    const now = () => clock.now
    return {
      store: new SqliteBrowserSessionStore({ file, now }),
      reopen: async () => new SqliteBrowserSessionStore({ file, now }),
      // The write-ahead log too: a row may still sit there rather than in the main file.
      storedText: async () =>
        [file, `${file}-wal`]
          .filter((each) => existsSync(each))
          .map((each) => readFileSync(each).toString('latin1'))
          .join('\n'),
    }
  },
})
