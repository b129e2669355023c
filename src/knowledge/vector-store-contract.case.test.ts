import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HelpdeskError } from '../errors/index.ts'
import type { KnowledgeChunk } from './knowledge-chunk.ts'
import type { VectorStore } from './vector-store.ts'

/** Run by every VectorStore implementation's own test file (see hono's common.case.test.ts). */
export interface VectorStoreContractInitializer {
  name: string
  /** A fresh, empty store. */
  create(): Promise<VectorStore>
  destroy?(): Promise<void>
  /** A store whose backend cannot be reached, to check the error contract; omit to skip. */
  createUnreachable?(): Promise<VectorStore>
  skip?: Array<{ test: string; reason: string }>
}

const chunk = (
  id: string,
  kind: KnowledgeChunk['kind'],
  taskType = 'printer_not_working',
): KnowledgeChunk => ({
  id,
  taskType,
  kind,
  text: `text of ${id}`,
  contentHash: `hash-${id}`,
  source: 'data/instructions/printer_not_working.md',
  ...(kind === 'section' ? { heading: 'Fix' } : {}),
})

export function runVectorStoreContract(initializer: VectorStoreContractInitializer): void {
  describe(`VectorStore contract: ${initializer.name}`, () => {
    let store: VectorStore
    const skipped = new Set((initializer.skip ?? []).map((each) => each.test))
    const test = (name: string, body: () => Promise<void>) =>
      (skipped.has(name) ? it.skip : it)(name, body)

    beforeAll(async () => {
      store = await initializer.create()
    })
    afterAll(async () => {
      await initializer.destroy?.()
    })

    test('opens empty, then stores, lists and counts chunks', async () => {
      expect(await store.open('fingerprint-a')).toEqual({ reset: false })
      expect(await store.count()).toBe(0)
      await store.upsert(
        [chunk('a', 'example'), chunk('b', 'section')],
        [
          [1, 0, 0],
          [0, 1, 0],
        ],
      )
      expect(await store.count()).toBe(2)
      expect(await store.listHashes()).toEqual(
        new Map([
          ['a', 'hash-a'],
          ['b', 'hash-b'],
        ]),
      )
    })

    test('upsert is idempotent and replaces a changed chunk', async () => {
      await store.upsert([chunk('a', 'example')], [[1, 0, 0]])
      await store.upsert([{ ...chunk('a', 'example'), contentHash: 'hash-a2' }], [[1, 0, 0]])
      expect(await store.count()).toBe(2)
      expect((await store.listHashes()).get('a')).toBe('hash-a2')
    })

    test('query ranks by cosine similarity, keeps metadata and filters by kind', async () => {
      await store.upsert([chunk('c', 'keyword', 'no_sound_windows')], [[0.8, 0.6, 0]])
      const [all] = await store.query([[1, 0, 0]], { limit: 3 })
      expect(all?.map((hit) => hit.chunk.id)).toEqual(['a', 'c', 'b'])
      expect(all?.[0]?.similarity).toBeCloseTo(1, 4)
      expect(all?.[1]?.similarity).toBeCloseTo(0.8, 4)
      expect(all?.[1]?.chunk).toEqual(chunk('c', 'keyword', 'no_sound_windows'))
      expect(all?.[2]?.chunk.heading).toBe('Fix')
      const [examplesOnly] = await store.query([[0, 1, 0]], {
        limit: 5,
        kinds: ['example', 'keyword'],
      })
      expect(examplesOnly?.map((hit) => hit.chunk.id).sort()).toEqual(['a', 'c'])
    })

    test('with identityOnly still names each hit by id, task type and kind', async () => {
      const named = chunk('out_of_scope:facilities:out_of_scope:0123abcd', 'out_of_scope')
      await store.upsert([{ ...named, taskType: 'out_of_scope:facilities' }], [[0, 0, 1]])
      const [hits] = await store.query([[0, 0, 1]], { limit: 1, identityOnly: true })
      expect(hits?.[0]?.chunk).toMatchObject({
        id: named.id,
        taskType: 'out_of_scope:facilities',
        kind: 'out_of_scope',
      })
      await store.delete([named.id])
    })

    test('answers several queries in one call, in order', async () => {
      const results = await store.query(
        [
          [0, 1, 0],
          [1, 0, 0],
        ],
        { limit: 1 },
      )
      expect(results.map((hits) => hits[0]?.chunk.id)).toEqual(['b', 'a'])
    })

    test('deletes by id and ignores unknown ids', async () => {
      await store.delete(['c', 'never-stored'])
      expect([...(await store.listHashes()).keys()].sort()).toEqual(['a', 'b'])
    })

    test('a new embedding fingerprint empties the store', async () => {
      expect(await store.open('fingerprint-a')).toEqual({ reset: false })
      expect(await store.count()).toBe(2)
      expect(await store.open('fingerprint-b')).toEqual({ reset: true })
      expect(await store.count()).toBe(0)
    })

    if (initializer.createUnreachable) {
      const createUnreachable = initializer.createUnreachable
      test('an unreachable backend fails with KNOWLEDGE_STORE_UNAVAILABLE', async () => {
        const unreachable = await createUnreachable()
        for (const call of [
          () => unreachable.ping(),
          () => unreachable.count(),
          () => unreachable.query([[1]], { limit: 1 }),
        ]) {
          const error = await call().then(
            () => undefined,
            (thrown: unknown) => thrown,
          )
          expect(error).toBeInstanceOf(HelpdeskError)
          expect((error as HelpdeskError).code).toBe('KNOWLEDGE_STORE_UNAVAILABLE')
        }
      })
    }
  })
}
