import { createHash, timingSafeEqual } from "node:crypto"

/**
 * Gateway access (§8.2): the bearer token compared in constant time, and a limit on wrong guesses per address.
 */

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest()

/** The configured token's digest, computed once per token rather than once per request. */
let expectedDigest: { readonly token: string; readonly digest: Buffer } | undefined
const digestOfExpected = (token: string): Buffer => {
  if (expectedDigest?.token !== token) expectedDigest = { token, digest: digest(token) }
  return expectedDigest.digest
}

/** Both sides hashed first, so the comparison takes the same time whatever the lengths and contents. */
export const tokenMatches = (expected: string, presented: string): boolean =>
  timingSafeEqual(digestOfExpected(expected), digest(presented))

/** The token of `Authorization: Bearer <token>`; undefined when absent or of another scheme. */
export const bearerToken = (header: string | undefined): string | undefined => {
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header ?? "")
  return match?.[1]
}

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

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"])

/**
 * Without a token the gateway trusts only this machine. A web page the user visits can still reach 127.0.0.1, so
 * the Host header must name the loopback (defeats DNS rebinding) — checked by the caller together with a JSON
 * content type (which a cross-site form or `no-cors` fetch cannot send without a CORS preflight we never allow).
 */
export const isLoopbackHost = (hostHeader: string | undefined): boolean => {
  if (hostHeader === undefined) return false
  const host = hostHeader.trim().toLowerCase()
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "")
  return LOOPBACK_HOSTS.has(name) || /^127(\.\d{1,3}){3}$/.test(name)
}

/**
 * Browsers are not clients (§8.2). A page on another site can make the user's browser send a "simple" request —
 * a form post or a `no-cors` fetch — to 127.0.0.1 without a preflight: such a request carries an `Origin` that is
 * not this machine, or a body type other than JSON. Both are refused before anything else, token or not.
 */
export const isLoopbackOrigin = (origin: string): boolean => {
  try {
    const url = new URL(origin)
    return (url.protocol === "http:" || url.protocol === "https:") && isLoopbackHost(url.host)
  } catch {
    return false // "null" (sandboxed frames, file: pages) and anything unparseable
  }
}

/** The media type as a parsed value: `application/json; charset=utf-8` is JSON, `text/plain; x=application/json` is not. */
export const isJsonMediaType = (contentType: string | undefined): boolean =>
  contentType !== undefined && contentType.split(";", 1)[0]!.trim().toLowerCase() === "application/json"

/**
 * A token a client can send as `Authorization: Bearer <token>`: visible ASCII, no spaces. Anything else would be
 * accepted at start and then match no request, locking every client out.
 */
export const isSendableToken = (token: string): boolean => /^[\x21-\x7e]+$/.test(token)
