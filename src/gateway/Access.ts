import { timingSafeEqual } from "node:crypto"

/**
 * Gateway access (§8.2): the bearer token compared in constant time, and a limit on wrong guesses per address.
 */

/** The configured token's bytes, and room for a presented one of the same length; made once per token. */
let expectedBytes: { readonly token: string; readonly bytes: Buffer; readonly presented: Buffer } | undefined
const bytesOfExpected = (token: string) => {
  if (expectedBytes?.token !== token) {
    // Not Buffer.from: a short one would sit in node's shared pool, beside whatever else a pooled buffer holds.
    const bytes = Buffer.alloc(Buffer.byteLength(token, "utf8"))
    bytes.write(token, "utf8")
    expectedBytes = { token, bytes, presented: Buffer.alloc(bytes.length) }
  }
  return expectedBytes
}

/**
 * The presented token, cut or zero-padded to the expected length, compared with `timingSafeEqual`: the time depends
 * on the lengths (the configured one's, which a client timing many guesses could learn — the length of a token, not
 * its bytes — and the presented one, the client's own), never on where the bytes differ.
 * The lengths are compared after, and only matter once every byte matched: a client that can tell that case apart
 * has sent the whole token already. Not hashed first: a digest per request costs OpenSSL's setup (~60 µs on a cold
 * cache, issue 16) for the same guarantee.
 */
export const tokenMatches = (expected: string, presented: string): boolean => {
  const e = bytesOfExpected(expected)
  e.presented.fill(0)
  e.presented.write(presented, "utf8")
  return timingSafeEqual(e.bytes, e.presented) && Buffer.byteLength(presented, "utf8") === e.bytes.length
}

/** The token of `Authorization: Bearer <token>`; undefined when absent or of another scheme. */
export const bearerToken = (header: string | undefined): string | undefined => {
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header ?? "")
  return match?.[1]
}

export { FailureLimiter, type FailureLimiterOptions } from "../domain/FailureLimiter.js"

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
