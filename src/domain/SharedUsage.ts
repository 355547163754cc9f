import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { jsonStructureProblem } from "./JsonStructure.js"
import { UsageStats } from "./AuthStore.js"

/**
 * Usage state as the shared backend holds it (§10): one JSON text per profile. Decoded like the store's entries;
 * anything else reads as no state (never a crash, §11).
 */
export const decodeSharedUsage = (text: string | null | undefined): UsageStats | undefined => {
  if (text === null || text === undefined || text === "") return undefined
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!Predicate.isRecord(json)) return undefined
  // Another gateway's record is untrusted input too (§11): `1e400` parses as Infinity, and a cooldown "until
  // Infinity" would be answered as `Retry-After: Infinity` and written to the store as null.
  if (jsonStructureProblem(text, { parsed: json }) !== undefined) return undefined
  return Either.getOrUndefined(Schema.decodeUnknownEither(UsageStats)(json))
}

export const encodeSharedUsage = (stats: UsageStats | undefined): string =>
  stats === undefined || Object.keys(stats).length === 0 ? "" : JSON.stringify(stats)

const later = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b)

/**
 * What a gateway recorded locally while the shared state was unreachable, joined with what the others recorded
 * meanwhile (resync): the later of each time, the larger count, the reason and last error of the later disable
 * or failure. A cooldown either side recorded stands.
 */
export const mergeUsage = (shared: UsageStats | undefined, local: UsageStats | undefined): UsageStats | undefined => {
  if (shared === undefined) return local
  if (local === undefined) return shared
  const failureCounts: Record<string, number> = { ...shared.failureCounts }
  for (const [k, n] of Object.entries(local.failureCounts ?? {})) failureCounts[k] = Math.max(failureCounts[k] ?? 0, n)
  const disabledFrom = (local.disabledUntil ?? 0) > (shared.disabledUntil ?? 0) ? local : shared
  const failedLast = (local.lastFailureAt ?? 0) > (shared.lastFailureAt ?? 0) ? local : shared
  const merged: Record<string, unknown> = {
    ...shared,
    ...local,
    lastUsed: later(shared.lastUsed, local.lastUsed),
    cooldownUntil: later(shared.cooldownUntil, local.cooldownUntil),
    disabledUntil: later(shared.disabledUntil, local.disabledUntil),
    disabledReason: disabledFrom.disabledReason,
    errorCount: later(shared.errorCount, local.errorCount),
    failureCounts: Object.keys(failureCounts).length === 0 ? undefined : failureCounts,
    lastFailureAt: later(shared.lastFailureAt, local.lastFailureAt),
    lastError: failedLast.lastError
  }
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k]
  return merged as UsageStats
}
