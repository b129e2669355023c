import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { DatabaseSync } from 'node:sqlite'
import { afterAll } from 'vitest'
import { openProjectDatabase } from '../../store/open-project-database.ts'
import { MemoryPausedRunStore } from './memory-paused-run-store.ts'
import { runPausedRunStoreContract } from './paused-run-store-contract.case.test.ts'
import { SqlitePausedRunStore } from './sqlite-paused-run-store.ts'

const opened: DatabaseSync[] = []
afterAll(() => {
  for (const database of opened.splice(0)) database.close()
})

runPausedRunStoreContract({
  name: 'sqlite',
  create: async (framework) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'paused-runs-')), 'helpdesk.sqlite')
    const open = (each: typeof framework) => {
      const database = openProjectDatabase(file)
      opened.push(database)
      return new SqlitePausedRunStore({ database, framework: each })
    }
    return { store: open(framework), another: async (each) => open(each) }
  },
})

runPausedRunStoreContract({
  name: 'memory',
  create: async () => ({ store: new MemoryPausedRunStore() }),
})
