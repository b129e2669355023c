import { describe, expect, it } from 'vitest'
import {
  countApprovalStates,
  HelpdeskMetrics,
  meteredStore,
  meteredVectorStore,
  timedCalls,
} from './metrics.ts'

class PrivateStore {
  #rows = new Map<string, string>()
  get size(): number {
    return this.#rows.size
  }
  async put(key: string, value: string): Promise<{ status: string }> {
    this.#rows.set(key, value)
    return { status: 'pending' }
  }
  read(key: string): string | undefined {
    return this.#rows.get(key)
  }
  async fail(): Promise<void> {
    throw new Error('disk full')
  }
  close(): void {}
}

const histogramCount = async (
  histogram: HelpdeskMetrics['databaseSeconds'] | HelpdeskMetrics['chromaSeconds'],
  labels: Record<string, string>,
) =>
  (await histogram.get()).values.find(
    (value) =>
      value.metricName?.endsWith('_count') &&
      Object.entries(labels).every(
        ([key, wanted]) => (value.labels as Record<string, unknown>)[key] === wanted,
      ),
  )?.value ?? 0

describe('timedCalls', () => {
  it('times sync and async calls, reports failures, and keeps private fields working', async () => {
    const calls: Array<{ operation: string; outcome: string }> = []
    const store = timedCalls(new PrivateStore(), ({ operation, outcome, seconds }) => {
      expect(seconds).toBeGreaterThanOrEqual(0)
      calls.push({ operation, outcome })
    })
    await store.put('a', '1')
    expect(store.read('a')).toBe('1')
    expect(store.size).toBe(1)
    await expect(store.fail()).rejects.toThrow('disk full')
    expect(store).toBeInstanceOf(PrivateStore)
    expect(calls).toEqual([
      { operation: 'put', outcome: 'ok' },
      { operation: 'read', outcome: 'ok' },
      { operation: 'fail', outcome: 'error' },
    ])
  })
})

describe('metered stores', () => {
  it('observes database calls by store, operation and outcome, not close()', async () => {
    const metrics = new HelpdeskMetrics({ processMetrics: false })
    const store = meteredStore(new PrivateStore(), 'sessions', undefined, metrics)
    await store.put('a', '1')
    await store.fail().catch(() => {})
    store.close()
    expect(
      await histogramCount(metrics.databaseSeconds, {
        store: 'sessions',
        operation: 'put',
        outcome: 'ok',
      }),
    ).toBe(1)
    expect(
      await histogramCount(metrics.databaseSeconds, {
        store: 'sessions',
        operation: 'fail',
        outcome: 'error',
      }),
    ).toBe(1)
    expect(await histogramCount(metrics.databaseSeconds, { operation: 'close' })).toBe(0)
  })

  it('observes Chroma calls by operation', async () => {
    const metrics = new HelpdeskMetrics({ processMetrics: false })
    const store = meteredVectorStore({ query: async () => [] }, metrics)
    await store.query()
    expect(await histogramCount(metrics.chromaSeconds, { operation: 'query', outcome: 'ok' })).toBe(
      1,
    )
  })

  it('counts the states approval requests enter from what the store returns', async () => {
    const metrics = new HelpdeskMetrics({ processMetrics: false })
    const count = countApprovalStates(metrics)
    count('create', { status: 'pending' })
    count('decide', { status: 'approved' })
    count('decide', undefined) // lost a race: nothing changed
    count('expireDue', [{ status: 'expired' }, { status: 'expired' }])
    count('get', { status: 'pending' }) // a read is not a transition
    count('markExecuted', { status: 'bogus' })
    const values = Object.fromEntries(
      (await metrics.approvalTransitions.get()).values.map((value) => [
        value.labels.state,
        value.value,
      ]),
    )
    expect(values).toEqual({ pending: 1, approved: 1, expired: 2 })
  })
})
