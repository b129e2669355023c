import { MemorySessionStore } from './memory-session-store.ts'
import { runSessionStoreContract } from './session-store-contract.case.test.ts'

runSessionStoreContract({
  name: 'memory',
  create: async (now) => ({ store: new MemorySessionStore({ now }), close: async () => {} }),
  skip: { reopen: 'process memory is lost on restart by design; the SQLite store persists' },
})
