import { MemoryVectorStore } from './memory-vector-store.ts'
import { runVectorStoreContract } from './vector-store-contract.case.test.ts'

runVectorStoreContract({ name: 'memory', create: async () => new MemoryVectorStore() })
