import type { FailureReason, UsageStats } from "./AuthStore.js"
import type { OpenClawConfig } from "./Config.js"
import type { ProviderId } from "./Provider.js"

const MINUTE = 60_000
const HOUR = 60 * MINUTE

const CLAUDE_CODE_ONLY = "This credential is only authorized for use with Claude Code"

export interface Classified {
  readonly reason: FailureReason
  /** Worth trying the next profile or model: everything but a malformed request, which fails everywhere. */
  readonly failover: boolean
  /** What the user should do, when there is something specific. */
  readonly hint?: string
}

const MESSAGE_RULES: ReadonlyArray<readonly [RegExp, FailureReason]> = [
  [/rate.?limit|too many requests|quota/i, "rate_limit"],
  [/insufficient.?credits|credit balance|payment required/i, "billing"],
  [/timed? ?out|deadline/i, "timeout"],
  [/invalid.?api.?key|api.?key not valid|unauthori[sz]ed|expired/i, "auth"],
  [/invalid request format/i, "format"]
]

/**
 * What the provider's own words say (§5.3's message rules), read before anything is taken out of them (a quote of
 * the request, domain/Echo): `claude_code_only` for the subscription-token refusal.
 */
export type SaidReason = FailureReason | "claude_code_only"
export const messageReason = (message: string): SaidReason | undefined =>
  message.includes(CLAUDE_CODE_ONLY)
    ? "claude_code_only"
    : /overloaded/i.test(message)
      ? "rate_limit"
      : MESSAGE_RULES.find(([re]) => re.test(message))?.[1]

/** §5.3: by HTTP status first, then by the provider's message (`said`, when it was read before the detail was cleaned). */
export const classifyFailure = (failure: {
  readonly provider?: string
  readonly status?: number | undefined
  readonly kind?: "http" | "network" | "timeout" | "format" | "local"
  readonly detail: string
  readonly said?: SaidReason | undefined
}): Classified => {
  const said = failure.said ?? messageReason(failure.detail)
  if (said === "claude_code_only") {
    return {
      reason: "auth",
      failover: true,
      hint: "this is a Claude subscription token; use an Anthropic API key instead (`openclaw models auth paste-api-key --provider anthropic`)"
    }
  }
  if (failure.kind === "timeout") return { reason: "timeout", failover: true }
  // Not the profile's failure, and the next one would fail alike: no cooldown, no failover, a retryable answer.
  if (failure.kind === "local") {
    return { reason: "unknown", failover: false, hint: "the gateway ran out of file descriptors or memory (too many connections at once) and recovers as they close; raise its open-file limit (LimitNOFILE= in the unit, ulimit -n) or lower gateway.limits.maxConnections" }
  }
  if (failure.kind === "format") {
    return { reason: "format", failover: false, hint: "raise gateway.limits.maxProviderBodyBytes in the config if the provider's answers are meant to be this large" }
  }
  if (failure.kind === "network") {
    const where = failure.provider === undefined ? "models.providers.<provider>.baseUrl" : `models.providers.${failure.provider}.baseUrl`
    return { reason: "unknown", failover: true, hint: `check that the provider can be reached from this machine (the address in ${where}, the network, a proxy)` }
  }
  const byStatus: Readonly<Record<number, FailureReason>> = { 402: "billing", 429: "rate_limit", 401: "auth", 403: "auth", 408: "timeout", 529: "rate_limit" }
  const fromStatus = failure.status === undefined ? undefined : byStatus[failure.status]
  // The provider refused the request itself (a bad parameter, a model it does not have): every profile would get
  // the same answer, and the credential is not at fault — no failover, no cooldown, a 400 the SDKs do not retry (§8.5).
  if (fromStatus === undefined && said === undefined && failure.status !== undefined && REQUEST_REFUSED.has(failure.status)) {
    return { reason: "format", failover: false, hint: "change the request as the provider's message says; the credential is fine and was not put in cooldown" }
  }
  const reason = fromStatus ?? said ?? "unknown"
  return { reason, failover: reason !== "format" }
}

/**
 * Statuses by which a provider refuses what it was asked, not who asked. Not 404: "the model does not exist or you
 * do not have access to it" depends on the key, and a retired model is what fallbacks are for.
 */
const REQUEST_REFUSED: ReadonlySet<number> = new Set([400, 405, 413, 415, 422])

/** The longest a provider's Retry-After keeps a profile out: a day, whatever the billing settings say. */
export const MAX_RETRY_AFTER_MS = 24 * HOUR

export interface CooldownSettings {
  readonly billingBackoffMs: number
  readonly billingMaxMs: number
  readonly failureWindowMs: number
}

/** `auth.cooldowns` with defaults: billing 5 h (per-provider override), at most 24 h, failures counted over 24 h. */
export const cooldownSettings = (config: OpenClawConfig, provider: ProviderId): CooldownSettings => {
  const c = config.auth?.cooldowns
  return {
    billingBackoffMs: (c?.billingBackoffHoursByProvider?.[provider] ?? c?.billingBackoffHours ?? 5) * HOUR,
    billingMaxMs: (c?.billingMaxHours ?? 24) * HOUR,
    failureWindowMs: (c?.failureWindowHours ?? 24) * HOUR
  }
}

/**
 * §5.3: counters reset when the last failure is older than the window; a non-billing failure cools the profile
 * down 1, 5, 25, then 60 minutes (a longer Retry-After wins); billing disables it for 5 h doubling per billing
 * failure, at most 24 h.
 */
export const recordFailure = (
  stats: UsageStats,
  reason: FailureReason,
  now: number,
  settings: CooldownSettings,
  retryAfterMs?: number
): UsageStats => {
  const fresh = stats.lastFailureAt !== undefined && now - stats.lastFailureAt > settings.failureWindowMs
  const errorCount = (fresh ? 0 : (stats.errorCount ?? 0)) + 1
  const counts = fresh ? {} : { ...stats.failureCounts }
  counts[reason] = (counts[reason] ?? 0) + 1
  const base: UsageStats = { ...stats, errorCount, failureCounts: counts, lastFailureAt: now }
  if (reason === "billing") {
    const b = counts.billing!
    const disabledFor = Math.min(settings.billingMaxMs, settings.billingBackoffMs * 2 ** Math.min(b - 1, 10))
    return { ...base, disabledUntil: now + disabledFor, disabledReason: "billing" }
  }
  const cooldown = Math.min(HOUR, MINUTE * 5 ** Math.min(errorCount - 1, 3))
  // A longer Retry-After wins (§5.3), up to a day: `Retry-After: 99999999999999999999` would put the profile out
  // for good, past what the store can even hold (§8.6, §11). A provider asking past any number waits the day.
  const asked = retryAfterMs === undefined || Number.isNaN(retryAfterMs) ? 0 : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)
  return { ...base, cooldownUntil: now + Math.max(cooldown, asked) }
}

/** On success: `lastUsed = now`, counters and cooldowns cleared (§5.3). */
export const recordSuccess = (stats: UsageStats, now: number): UsageStats => {
  const { cooldownUntil: _c, disabledUntil: _d, disabledReason: _r, errorCount: _e, failureCounts: _f, lastFailureAt: _l, ...rest } = stats
  return { ...rest, lastUsed: now }
}
