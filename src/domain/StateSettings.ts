import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import { describe } from "./Credential.js"

/**
 * `gateway.state` (§10): where usage state, sessions and the OAuth refresh lock live. Absent: this host's files.
 * Decoded leniently (unknown keys are ignored), each mistake said with the field and the fix.
 */
export type StateSettings =
  | { readonly backend: "file" }
  | { readonly backend: "redis"; readonly url: string; readonly prefix: string }

export const DEFAULT_STATE_PREFIX = "openclaw:"
const FIELD = "gateway.state"

/** `raw` is `gateway.state` after `${VAR}` substitution and SecretRef resolution (a ref left unresolved is an object). */
export const decodeStateSettings = (raw: unknown): Either.Either<StateSettings, string> => {
  if (raw === undefined || raw === null) return Either.right({ backend: "file" })
  if (!Predicate.isRecord(raw)) return Either.left(`${FIELD} must be an object like { backend: "redis", url: "\${OPENCLAW_REDIS_URL}" }, got ${describe(raw)}`)
  const backend = raw.backend ?? "file"
  if (backend !== "file" && backend !== "redis") {
    return Either.left(`${FIELD}.backend must be "file" or "redis", got ${typeof backend === "string" ? JSON.stringify(backend.slice(0, 40)) : describe(backend)}`)
  }
  if (backend === "file") return Either.right({ backend: "file" })
  const url = raw.url
  if (url === undefined) return Either.left(`${FIELD}.url is required with backend "redis" (e.g. "redis://127.0.0.1:6379/0" or "\${OPENCLAW_REDIS_URL}")`)
  if (Predicate.isRecord(url)) return Either.left(`${FIELD}.url is a SecretRef that did not resolve; check it with \`openclaw secrets audit\``)
  if (typeof url !== "string" || url.trim() === "") return Either.left(`${FIELD}.url must be a redis:// or rediss:// URL, got ${describe(url)}`)
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url.trim())?.[1]?.toLowerCase()
  // The URL is never echoed: it may hold a password.
  if (scheme !== "redis" && scheme !== "rediss") {
    return Either.left(`${FIELD}.url must start with redis:// or rediss:// (TLS)${scheme === undefined ? "" : `, not ${scheme}://`}`)
  }
  const unusable = urlProblem(url.trim())
  if (unusable !== undefined) return Either.left(`${FIELD}.url ${unusable}`)
  const prefix = raw.prefix ?? DEFAULT_STATE_PREFIX
  if (typeof prefix !== "string" || prefix.length > 100 || /[\s\u0000-\u001f\u007f]/.test(prefix)) {
    return Either.left(`${FIELD}.prefix must be a short string without spaces or control characters (default "${DEFAULT_STATE_PREFIX}")`)
  }
  return Either.right({ backend: "redis", url: url.trim(), prefix })
}

/**
 * Why the Redis client could not connect to this URL, checked here so that every command says so in words
 * instead of failing inside the client (a bad %-escape throws there, a port past 65535 too). Never quotes the URL.
 */
const urlProblem = (url: string): string | undefined => {
  // A `#` ends the URL there: the rest of a password holding one would be lost, or the host with it.
  if (url.includes("#")) return "holds a # (a password with one must write it %23)"
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return "is not a valid URL (check the host, the port up to 65535 and the brackets of an IPv6 address)"
  }
  try {
    decodeURIComponent(parsed.username)
    decodeURIComponent(parsed.password)
  } catch {
    return "holds a % that is not followed by two hex digits (a password with one must write it %25)"
  }
  if (parsed.hostname === "") return "names no host"
  return undefined
}
