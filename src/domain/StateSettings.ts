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
  const prefix = raw.prefix ?? DEFAULT_STATE_PREFIX
  if (typeof prefix !== "string" || prefix.length > 100 || /[\s\u0000-\u001f\u007f]/.test(prefix)) {
    return Either.left(`${FIELD}.prefix must be a short string without spaces or control characters (default "${DEFAULT_STATE_PREFIX}")`)
  }
  return Either.right({ backend: "redis", url: url.trim(), prefix })
}
