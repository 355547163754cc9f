import type { Credential } from "./Credential.js"
import { isRefreshable } from "./OAuth.js"

export const EXPIRY_WARN_MS = 24 * 60 * 60 * 1000

/** §5.2. `missing` is shown as `unknown`. */
export type ExpiryStatus = "ok" | "expiring" | "expired" | "missing" | "static"
export type ProviderExpiryStatus = "ok" | "expiring" | "expired" | "static" | "missing"

export interface Expiry {
  readonly status: ExpiryStatus
  readonly expiresAt?: number
  readonly remainingMs?: number
}

const isValidExpiry = (expires: unknown): expires is number =>
  typeof expires === "number" && Number.isFinite(expires) && expires > 0

/**
 * §5.2. An oauth profile holding a refresh token is renewed on use (§7), so its access-token expiry alone is `ok`
 * (as OpenClaw's `--check` treats it) — unless `refreshFailed`: its last refresh was refused, and then it is
 * `expired` once its access token is expired or expiring.
 */
export const credentialExpiry = (c: Credential, now: number, refreshFailed = false): Expiry => {
  if (c.type === "api_key") return { status: "static" }
  if (c.type === "token" && c.expires === undefined) return { status: "static" }
  const refreshable = isRefreshable(c)
  if (!isValidExpiry(c.expires)) return { status: refreshable && !refreshFailed ? "ok" : "missing" }
  const remainingMs = c.expires - now
  const status: ExpiryStatus = remainingMs <= 0 ? "expired" : remainingMs <= EXPIRY_WARN_MS ? "expiring" : "ok"
  if (refreshable && status !== "ok") return { status: refreshFailed ? "expired" : "ok", expiresAt: c.expires, remainingMs }
  return { status, expiresAt: c.expires, remainingMs }
}

/** Per provider, over its token/oauth profiles (§5.2). */
export const providerExpiry = (
  profiles: ReadonlyArray<{ readonly type: Credential["type"]; readonly expiry: Expiry }>
): ProviderExpiryStatus => {
  const expiring = profiles.filter((p) => p.type !== "api_key" && p.expiry.status !== "static")
  if (expiring.some((p) => p.expiry.status === "expired" || p.expiry.status === "missing")) return "expired"
  if (expiring.some((p) => p.expiry.status === "expiring")) return "expiring"
  if (expiring.length > 0 || profiles.some((p) => p.type !== "api_key")) return "ok"
  return profiles.length > 0 ? "static" : "missing"
}

/** `Nm` under an hour, `Nh` under 48 hours, else `Nd` (§5.2). */
export const formatDuration = (ms: number): string => {
  const abs = Math.abs(ms)
  const minutes = abs / 60_000
  if (minutes < 60) return `${Math.max(1, Math.round(minutes))}m`
  const hours = abs / 3_600_000
  if (hours < 48) return `${Math.round(hours)}h`
  return `${Math.round(hours / 24)}d`
}

export const describeExpiry = (e: Expiry): string => {
  switch (e.status) {
    case "static":
      return "no expiry"
    case "missing":
      return "expiry unknown"
    case "expired":
      return `expired ${formatDuration(e.remainingMs ?? 0)} ago`
    default:
      // `ok` with its time past: an OAuth access token that the refresh token renews on use (credentialExpiry).
      return e.remainingMs !== undefined && e.remainingMs <= 0
        ? `access token expired ${formatDuration(e.remainingMs)} ago; refreshes on use`
        : `expires in ${formatDuration(e.remainingMs ?? 0)}`
  }
}

/** The word status output uses (§5.2: `missing` is shown `unknown`). */
export const expiryLabel = (s: ExpiryStatus): string => (s === "missing" ? "unknown" : s)
