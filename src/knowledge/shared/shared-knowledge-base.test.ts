import { beforeAll, describe, expect, it } from 'vitest'
import { HashingEmbeddingFunction } from '../../embeddings/hashing-embedding-function.ts'
import { KnowledgeBase, type KnowledgeSources, loadKnowledgeSources } from '../knowledge-base.ts'
import { MemoryVectorStore } from '../memory-vector-store.ts'
import type { IndexMark, SharedIndex } from './shared-index.ts'

/**
 * The knowledge base's side of a shared collection (replicas), with the lock played by a promise
 * chain and the mark kept in memory: what is embedded, and what is left alone, given the mark.
 * The PostgreSQL lock itself is tested in postgres-shared-index.int.test.ts; two real servers on
 * one real Chroma in tests/shared-chroma-replicas.int.test.ts.
 */
class InMemorySharedIndex implements SharedIndex {
  readonly description = 'a lock in this test'
  mark: IndexMark | undefined
  private queue: Promise<unknown> = Promise.resolve()

  exclusive<T>(
    work: (mark: IndexMark | undefined) => Promise<{ result: T; mark?: IndexMark }>,
  ): Promise<T> {
    const run = this.queue.then(async () => {
      const { result, mark } = await work(this.mark)
      if (mark) this.mark = mark
      return result
    })
    this.queue = run.catch(() => undefined)
    return run
  }
}

/** Counts the texts embedded, so "nothing embedded" is observed, not inferred. */
class CountingEmbedding extends HashingEmbeddingFunction {
  embedded = 0
  override async embed(texts: readonly string[]): Promise<number[][]> {
    this.embedded += texts.length
    return super.embed(texts)
  }
}

let sources: KnowledgeSources
beforeAll(async () => {
  sources = await loadKnowledgeSources({
    instructionsDirectory: 'data/instructions',
    outOfScopeFile: 'data/routing/out-of-scope.yaml',
  })
})

function replica(store: MemoryVectorStore, shared: SharedIndex, revision: number) {
  const embedding = new CountingEmbedding()
  const knowledge = new KnowledgeBase({ ...sources, revision, store, embedding, shared })
  return { knowledge, embedding }
}

describe('a knowledge base on a shared collection', () => {
  it('the second replica at the same revision finds it current and embeds nothing', async () => {
    const store = new MemoryVectorStore()
    const shared = new InMemorySharedIndex()
    const first = replica(store, shared, 7)
    const second = replica(store, shared, 7)
    const [a, b] = await Promise.all([first.knowledge.ingest(), second.knowledge.ingest()])
    expect(a.added).toBe(a.total)
    expect(first.embedding.embedded).toBe(a.total)
    expect(b).toMatchObject({ skipped: 'current', added: 0, updated: 0, markedRevision: 7 })
    expect(second.embedding.embedded).toBe(0)
    expect(shared.mark).toEqual({ revision: 7, fingerprint: a.fingerprint, chunks: a.total })
    expect(await store.count()).toBe(a.total)
  })

  it('a replica still on an older revision does not put its set back over a newer one', async () => {
    const store = new MemoryVectorStore()
    const shared = new InMemorySharedIndex()
    const newer = replica(store, shared, 8)
    const [dropped, ...kept] = sources.instructions
    newer.knowledge.replaceSources({ instructions: kept, revision: 9 })
    await newer.knowledge.ingest()
    const hashes = await store.listHashes()
    expect([...hashes.keys()].some((id) => id.startsWith(`${dropped?.id}:`))).toBe(false)
    const stale = replica(store, shared, 8)
    const report = await stale.knowledge.ingest()
    expect(report).toMatchObject({ skipped: 'newer-elsewhere', markedRevision: 9 })
    expect(stale.embedding.embedded).toBe(0)
    expect(await store.listHashes()).toEqual(hashes)
    expect(shared.mark?.revision).toBe(9)
    // Once it has read the newer set it finds the collection current.
    stale.knowledge.replaceSources({ instructions: kept, revision: 9 })
    expect((await stale.knowledge.ingest()).skipped).toBe('current')
  })

  it('a wiped collection at the marked revision is written again', async () => {
    const store = new MemoryVectorStore()
    const shared = new InMemorySharedIndex()
    const first = replica(store, shared, 3)
    const report = await first.knowledge.ingest()
    await store.delete([...(await store.listHashes()).keys()])
    const again = await replica(store, shared, 3).knowledge.ingest()
    expect(again.skipped).toBeUndefined()
    expect(again.added).toBe(report.total)
    expect(await store.count()).toBe(report.total)
  })

  it('a newer revision writes only what changed and moves the mark', async () => {
    const store = new MemoryVectorStore()
    const shared = new InMemorySharedIndex()
    await replica(store, shared, 1).knowledge.ingest()
    const next = replica(store, shared, 1)
    const [first, ...rest] = sources.instructions
    if (!first) throw new Error('no runbooks')
    next.knowledge.replaceSources({
      instructions: [{ ...first, summary: `${first.summary} (changed)` }, ...rest],
      revision: 2,
    })
    const report = await next.knowledge.ingest()
    // The summary's chunk, not the whole set.
    expect(report.added + report.updated).toBeGreaterThan(0)
    expect(report.added + report.updated).toBeLessThan(5)
    expect(next.embedding.embedded).toBe(report.added + report.updated)
    expect(shared.mark?.revision).toBe(2)
  })
})
