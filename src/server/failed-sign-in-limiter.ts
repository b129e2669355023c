/**
 * Counts failed sign-ins per client address and says when an address must wait: after `limit`
 * failures within `windowMilliseconds`, its requests are refused until the oldest of those
 * failures leaves the window (a sliding window, so guessing stays at `limit` tries per window).
 * Successful requests are neither counted nor limited. Memory is bounded: past `maxAddresses`
 * the address that failed least recently is forgotten first.
 */
export class FailedSignInLimiter {
  readonly limit: number
  readonly windowMilliseconds: number
  private readonly maxAddresses: number
  private readonly now: () => number
  /** Failure times per address, oldest first; the Map's order is least recently failed first. */
  private readonly failures = new Map<string, number[]>()

  constructor(
    options: {
      limit?: number
      windowMilliseconds?: number
      maxAddresses?: number
      now?: () => number
    } = {},
  ) {
    this.limit = options.limit ?? 10
    this.windowMilliseconds = options.windowMilliseconds ?? 60_000
    this.maxAddresses = options.maxAddresses ?? 10_000
    this.now = options.now ?? Date.now
  }

  /** @returns whole seconds until `address` may try again, or undefined when it may now. */
  retryAfterSeconds(address: string): number | undefined {
    const recent = this.recent(address)
    if (recent.length < this.limit) return undefined
    const freedAt = (recent[recent.length - this.limit] ?? 0) + this.windowMilliseconds
    return Math.max(1, Math.ceil((freedAt - this.now()) / 1000))
  }

  /** Notes one failure; @returns the failures of `address` now within the window. */
  recordFailure(address: string): number {
    const recent = [...this.recent(address), this.now()]
    this.failures.delete(address)
    this.failures.set(address, recent)
    while (this.failures.size > this.maxAddresses) {
      const oldest = this.failures.keys().next().value
      if (oldest === undefined) break
      this.failures.delete(oldest)
    }
    return recent.length
  }

  private recent(address: string): number[] {
    const since = this.now() - this.windowMilliseconds
    const kept = (this.failures.get(address) ?? []).filter((time) => time > since)
    if (kept.length === 0) this.failures.delete(address)
    return kept
  }
}
