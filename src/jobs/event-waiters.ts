/**
 * Followers of a job waiting for its next event: an append wakes them all at once, and each wait
 * also ends on its abort signal or after a poll interval (a writer in another process, as a
 * distributed engine would have, wakes nobody here).
 * @module
 */
export class EventWaiters {
  private readonly waiting = new Map<string, Set<() => void>>()

  /** Resolves at the next `wake(id)`, on abort, or after `pollMs`; `cancel` ends it early. */
  wait(
    id: string,
    pollMs: number,
    signal?: AbortSignal,
  ): { promise: Promise<void>; cancel(): void } {
    let wake: () => void = () => undefined
    const promise = new Promise<void>((resolve) => {
      const timer = setTimeout(done, pollMs)
      const wakers = this.waiting.get(id) ?? new Set()
      this.waiting.set(id, wakers)
      function done() {
        clearTimeout(timer)
        wakers.delete(done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      wakers.add(done)
      signal?.addEventListener('abort', done, { once: true })
      wake = done
    })
    return { promise, cancel: () => wake() }
  }

  wake(id: string): void {
    const wakers = this.waiting.get(id)
    if (!wakers) return
    this.waiting.delete(id)
    for (const wake of wakers) wake()
  }

  wakeAll(): void {
    for (const id of [...this.waiting.keys()]) this.wake(id)
  }
}
