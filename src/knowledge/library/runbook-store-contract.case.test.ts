import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isHelpdeskError } from '../../errors/index.ts'
import type { RunbookStore } from './runbook-store.ts'

/** Run by every RunbookStore implementation; `reopen` is a new connection to the same data. */
export interface RunbookStoreContractInitializer {
  name: string
  create(): Promise<{ store: RunbookStore; reopen: () => Promise<RunbookStore> }>
}

const ada = { author: 'ada', reason: 'first draft' }

export function runRunbookStoreContract(initializer: RunbookStoreContractInitializer): void {
  describe(`RunbookStore contract: ${initializer.name}`, () => {
    let store: RunbookStore
    let reopen: () => Promise<RunbookStore>
    const opened: RunbookStore[] = []

    beforeEach(async () => {
      ;({ store, reopen } = await initializer.create())
      opened.push(store)
    })
    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close()
    })

    it('starts empty and never written', async () => {
      expect(await store.current('runbook')).toEqual([])
      expect(await store.everWritten('runbook')).toBe(false)
      expect(await store.versions('runbook', 'vpn')).toEqual([])
    })

    it('numbers versions per id, keeps every one, and survives a reopen', async () => {
      await store.apply('runbook', [{ id: 'vpn', change: 'created', text: 'v1' }], ada)
      await store.apply('runbook', [{ id: 'vpn', change: 'updated', text: 'v2' }], {
        author: 'tom',
        reason: 'typo',
      })
      const again = await reopen()
      opened.push(again)
      const versions = await again.versions('runbook', 'vpn')
      expect(versions.map((each) => [each.version, each.change, each.text, each.author])).toEqual([
        [1, 'created', 'v1', 'ada'],
        [2, 'updated', 'v2', 'tom'],
      ])
      expect(versions[1]?.reason).toBe('typo')
      expect(Number.isNaN(Date.parse(versions[1]?.at ?? ''))).toBe(false)
      expect((await again.current('runbook')).map((each) => [each.id, each.text])).toEqual([
        ['vpn', 'v2'],
      ])
    })

    it('a deletion leaves current, keeps the old versions, and a later save comes back', async () => {
      await store.apply('runbook', [{ id: 'vpn', change: 'created', text: 'v1' }], ada)
      await store.apply('runbook', [{ id: 'vpn', change: 'deleted', text: 'ignored' }], ada)
      expect(await store.current('runbook')).toEqual([])
      expect(
        (await store.deleted('runbook')).map((each) => [each.id, each.version, each.change]),
      ).toEqual([['vpn', 2, 'deleted']])
      expect(await store.deleted('out_of_scope')).toEqual([])
      expect(await store.everWritten('runbook')).toBe(true)
      const versions = await store.versions('runbook', 'vpn')
      expect(versions.map((each) => [each.version, each.change, each.text])).toEqual([
        [1, 'created', 'v1'],
        [2, 'deleted', ''],
      ])
      await store.apply('runbook', [{ id: 'vpn', change: 'restored', text: 'v1' }], ada)
      expect((await store.current('runbook'))[0]?.version).toBe(3)
      expect(await store.deleted('runbook')).toEqual([])
    })

    it('a batch is atomic: a conflict in it writes nothing', async () => {
      await store.apply('runbook', [{ id: 'a', change: 'created', text: 'a1' }], ada)
      const before = await store.revision()
      const failure = await store
        .apply(
          'runbook',
          [
            { id: 'b', change: 'imported', text: 'b1', baseVersion: 0 },
            { id: 'a', change: 'imported', text: 'a2', baseVersion: 0 },
          ],
          ada,
        )
        .catch((error: unknown) => error)
      expect(isHelpdeskError(failure) && failure.code).toBe('RUNBOOK_CONFLICT')
      expect((await store.current('runbook')).map((each) => each.id)).toEqual(['a'])
      expect(await store.versions('runbook', 'b')).toEqual([])
      expect(await store.revision()).toBe(before)
    })

    it('baseVersion: the latest passes, a stale one is refused', async () => {
      await store.apply(
        'runbook',
        [{ id: 'a', change: 'created', text: 'a1', baseVersion: 0 }],
        ada,
      )
      await store.apply(
        'runbook',
        [{ id: 'a', change: 'updated', text: 'a2', baseVersion: 1 }],
        ada,
      )
      await expect(
        store.apply('runbook', [{ id: 'a', change: 'updated', text: 'a3', baseVersion: 1 }], ada),
      ).rejects.toMatchObject({ code: 'RUNBOOK_CONFLICT' })
      expect((await store.current('runbook'))[0]?.text).toBe('a2')
    })

    it('kinds are separate, and the revision grows with every batch', async () => {
      const start = await store.revision()
      await store.apply('out_of_scope', [{ id: 'topics', change: 'seeded', text: 'x' }], ada)
      const middle = await store.revision()
      await store.apply('runbook', [{ id: 'topics', change: 'created', text: 'y' }], ada)
      expect(middle).toBeGreaterThan(start)
      expect(await store.revision()).toBeGreaterThan(middle)
      expect((await store.current('out_of_scope'))[0]?.text).toBe('x')
      expect((await store.current('runbook'))[0]?.text).toBe('y')
      expect(await store.everWritten('out_of_scope')).toBe(true)
    })

    it('concurrent batches from two connections each get their own version, none lost', async () => {
      const again = await reopen()
      opened.push(again)
      await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          (index % 2 === 0 ? store : again).apply(
            'runbook',
            [{ id: 'vpn', change: 'updated', text: `v${index}` }],
            ada,
          ),
        ),
      )
      const versions = await store.versions('runbook', 'vpn')
      expect(versions.map((each) => each.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
      expect(new Set(versions.map((each) => each.text)).size).toBe(8)
    })
  })
}
