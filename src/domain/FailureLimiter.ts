/** The bad-token limiter's arithmetic (§8.2), in memory: one gateway's own, or the fallback of a shared one (§10). */

export interface FailureLimiterOptions {
  /** Wrong tokens allowed per address within the window. */
  readonly limit?: number
  readonly windowMs?: number
  /** Addresses remembered at most; the least recently failing are forgotten first. */
  readonly maxAddresses?: number
}

/**
 * A sliding window of failure times per address. Memory is bounded twice: at most `limit` timestamps per
 * address and at most `maxAddresses` addresses.
 */
export class FailureLimiter {
  readonly limit: number
  readonly windowMs: number
  private readonly maxAddresses: number
  private readonly failures = new Map<string, Array<number>>()

  constructor(options: FailureLimiterOptions = {}) {
    this.limit = options.limit ?? 10
    this.windowMs = options.windowMs ?? 60_000
    this.maxAddresses = options.maxAddresses ?? 10_000
  }

  private recent(address: string, now: number): Array<number> {
    const times = (this.failures.get(address) ?? []).filter((t) => t > now - this.windowMs)
    if (times.length === 0) this.failures.delete(address)
    return times
  }

  /** How long the address must wait, when it has used up its failures; undefined when it may try. */
  blockedFor(address: string, now: number): number | undefined {
    const times = this.recent(address, now)
    if (times.length < this.limit) return undefined
    return Math.max(1, times[times.length - this.limit]! + this.windowMs - now)
  }

  recordFailure(address: string, now: number): void {
    const times = [...this.recent(address, now), now].slice(-this.limit)
    this.failures.delete(address)
    this.failures.set(address, times)
    for (const oldest of this.failures.keys()) {
      if (this.failures.size <= this.maxAddresses) break
      this.failures.delete(oldest)
    }
  }

  get size(): number {
    return this.failures.size
  }
}
