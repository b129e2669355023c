import { describe, expect, it } from 'vitest'
import type { PausedRunFramework, PausedRunStore } from './paused-run-store.ts'

/** Run by every PausedRunStore implementation. */
export interface PausedRunStoreContractInitializer {
  name: string
  /**
   * A fresh store for `framework`, and `another` opening a second store over the same data (for
   * the framework given), as another replica would; undefined for a store kept in memory.
   */
  create(framework: PausedRunFramework): Promise<{
    store: PausedRunStore
    another?: (framework: PausedRunFramework) => Promise<PausedRunStore>
  }>
}

export function runPausedRunStoreContract(initializer: PausedRunStoreContractInitializer): void {
  describe(`PausedRunStore contract: ${initializer.name}`, () => {
    it('finds the run waiting on each request, in the order remembered, with its state', async () => {
      const { store } = await initializer.create('openai_agents')
      expect(await store.find('a-1')).toBeUndefined()
      expect(await store.approvalsOf('run-1')).toEqual([])
      await store.remember('run-1', ['a-2', 'a-1'], '{"step":1}')
      await store.remember('run-2', ['b-1'])
      expect(await store.find('a-1')).toBe('run-1')
      expect(await store.find('b-1')).toBe('run-2')
      expect(await store.approvalsOf('run-1')).toEqual(['a-2', 'a-1'])
      expect(await store.stateOf('run-1')).toBe('{"step":1}')
      expect(await store.stateOf('run-2')).toBeUndefined()
      await store.remember('run-1', ['a-2'], '{"step":2}')
      expect(await store.approvalsOf('run-1')).toEqual(['a-1', 'a-2'])
      expect(await store.stateOf('run-1')).toBe('{"step":2}')
    })

    it('forgets decided requests, and the state of a run left waiting on nothing', async () => {
      const { store } = await initializer.create('langchain')
      await store.remember('run-1', ['a-1', 'a-2'], 'state')
      await store.forget('a-1')
      expect(await store.find('a-1')).toBeUndefined()
      expect(await store.approvalsOf('run-1')).toEqual(['a-2'])
      expect(await store.stateOf('run-1')).toBe('state')
      await store.forget('a-2')
      expect(await store.approvalsOf('run-1')).toEqual([])
      expect(await store.stateOf('run-1')).toBeUndefined()
      await store.forget('never-remembered')
    })

    it("keeps each framework's runs apart and shows them to another store on the same data", async () => {
      const { store, another } = await initializer.create('langgraph')
      if (!another) return
      const replica = await another('langgraph')
      const otherFramework = await another('openai_agents')
      await store.remember('thread-1', ['a-1'], 'saved')
      expect(await replica.find('a-1')).toBe('thread-1')
      expect(await replica.stateOf('thread-1')).toBe('saved')
      expect(await otherFramework.find('a-1')).toBeUndefined()
      expect(await otherFramework.stateOf('thread-1')).toBeUndefined()
      await replica.forget('a-1')
      expect(await store.find('a-1')).toBeUndefined()
      expect(await store.stateOf('thread-1')).toBeUndefined()
    })
  })
}
