import type { FailureReason, UsageStats } from "./AuthStore.js"
import { formatDuration } from "./Expiry.js"
import type { ProfileId } from "./ProfileId.js"

/**
 * §8.5: what a chat turn that could not be served answers — decided once, here, from every candidate that was
 * called or skipped, so that each wire shape (OpenAI, Anthropic) only encodes it. A failure the client cannot fix
 * by retrying must not look retryable: the official SDKs retry 408, 409, 429 and ≥ 500 on their own, for minutes.
 */

/** One candidate of a turn: a profile (or a provider's env/config key, `profileId` undefined), called or skipped. */
export interface Attempt {
  /** `provider/model`. */
  readonly model: string
  readonly provider: string
  readonly profileId: ProfileId | undefined
  readonly outcome: "ok" | FailureReason | "no_credentials" | "unavailable"
  /** Not called: out of use (cooldown or disable) until then; `outcome` is why, when the store knows. */
  readonly skippedUntil?: number
  /** What the provider said, or why nothing was sent. */
  readonly problem?: string
  /** What to do about this one failure (the Claude-Code-only hint, a missing key's command, a body limit). */
  readonly fix?: string
  /** The provider's HTTP status: 503/529 tell an overloaded provider from a rate limit. */
  readonly status?: number
  /** This failure put the profile out of use until then (the cooldown or disable just recorded). */
  readonly until?: number
}

/** The classified reason the client sees: the failure reasons of §5.3, split finer where the status differs. */
export type VerdictReason =
  | FailureReason
  | "overloaded"
  | "no_credentials"
  | "unavailable"

export interface FailureVerdict {
  readonly status: number
  readonly reason: VerdictReason
  /** `error.code` in OpenAI's shape. */
  readonly code: string
  readonly problem: string
  readonly fix: string | undefined
  /** For 429/503: seconds until the soonest candidate is back. */
  readonly retryAfterSeconds?: number
}

const STATUS: Readonly<Record<VerdictReason, number>> = {
  auth: 401,
  no_credentials: 401,
  billing: 402,
  format: 400,
  rate_limit: 429,
  timeout: 504,
  unknown: 502,
  overloaded: 503,
  unavailable: 503
}

/** What a retry can change: anything else gets a 4xx the SDKs do not retry. */
const RETRYABLE: ReadonlySet<VerdictReason> = new Set(["rate_limit", "timeout", "unknown", "overloaded", "unavailable"])

const HEADLINE: Readonly<Record<VerdictReason, string>> = {
  auth: "The provider refused the credentials",
  no_credentials: "No credential to call the provider with",
  billing: "The provider refused for billing (credits or plan)",
  format: "The provider refused the request as malformed",
  rate_limit: "Rate-limited by the provider",
  timeout: "The provider did not answer in time",
  unknown: "The provider failed",
  overloaded: "The provider is overloaded",
  unavailable: "No profile is available"
}

const reasonOf = (a: Attempt): VerdictReason => {
  if (a.outcome === "ok") return "unknown"
  if (a.outcome === "rate_limit" && (a.status === 529 || a.status === 503 || /overloaded/i.test(a.problem ?? ""))) return "overloaded"
  return a.outcome
}

const who = (a: Attempt): string => (a.profileId === undefined ? `${a.provider} (no profile)` : a.profileId)

const describe = (a: Attempt, now: number): string => {
  const said = a.problem ? ` — ${a.problem}` : ""
  if (a.skippedUntil === undefined) return `${who(a)} for ${a.model}: ${reasonOf(a)}${said}`
  const left = formatDuration(Math.max(0, a.skippedUntil - now))
  return `${who(a)} for ${a.model}: ${reasonOf(a)} (not tried: out of use for ${left}${a.problem ? `, after: ${a.problem}` : ""})`
}

const profilesOf = (attempts: ReadonlyArray<Attempt>): string => [...new Set(attempts.map(who))].join(", ")

const commonFix = (reason: VerdictReason, failed: ReadonlyArray<Attempt>, retryAfter: number | undefined): string | undefined => {
  const same = failed.filter((a) => reasonOf(a) === reason)
  const providers = [...new Set(same.map((a) => a.provider))]
  const profiles = same.filter((a) => a.profileId !== undefined)
  const clear = profiles.length > 0 ? "; then lift the cooldown with `openclaw models auth cooldowns clear`" : ""
  switch (reason) {
    case "auth":
      return `replace the credential of ${profilesOf(same)} (${providers.map((p) => `\`openclaw models auth paste-api-key --provider ${p}\``).join(", ")}, or paste-token for a setup-token)${clear}`
    case "billing":
      return `add credits or fix the plan of the provider account behind ${profilesOf(same)}${clear}`
    case "rate_limit":
    case "unavailable":
      return `retry ${retryAfter === undefined ? "later" : `in ${formatDuration(retryAfter * 1000)}`}, add another profile for ${providers.join(", ")}, or lift the cooldown with \`openclaw models auth cooldowns clear\``
    case "overloaded":
    case "timeout":
    case "unknown":
      return "retry later, or check the provider's status page"
    case "format":
    case "no_credentials":
      return undefined
  }
}

/** Seconds until the soonest candidate is back in use, from the cooldowns the attempts saw or recorded. */
const secondsUntilBack = (attempts: ReadonlyArray<Attempt>, now: number): number | undefined => {
  const untils = attempts.flatMap((a) => {
    const until = a.skippedUntil ?? a.until
    return until !== undefined && until > now ? [until] : []
  })
  return untils.length > 0 ? Math.max(1, Math.ceil((Math.min(...untils) - now) / 1000)) : undefined
}

/**
 * §8.5, when failover has nothing left. A retry can help only if some candidate failed for a passing reason (a
 * rate limit, a timeout, a provider error, an unexplained cooldown): then the first such failure in the order tried
 * decides, with `Retry-After` when a cooldown ends. Otherwise every candidate failed for good (auth, billing,
 * format, no credential) and the first one tried — the model asked for — decides: 401/402/400, never retried.
 * A profile skipped because an earlier failure put it in cooldown counts with that failure's reason, so an SDK's
 * retry after a 401 gets the 401 again, not a retryable 503.
 */
export const failureVerdict = (attempts: ReadonlyArray<Attempt>, now: number): FailureVerdict => {
  const failed = attempts.filter((a) => a.outcome !== "ok")
  if (failed.length === 0) return { status: 502, reason: "unknown", code: "unknown", problem: "No model is configured", fix: "set agents.defaults.model in the config" }
  // A request refused as malformed fails everywhere (failover stops at it): it decides.
  const decisive =
    failed.find((a) => a.outcome === "format") ?? failed.find((a) => RETRYABLE.has(reasonOf(a))) ?? failed[0]!
  const reason = reasonOf(decisive)
  // Every candidate out of use for a passing reason: when one is back is the only useful answer (§8.5).
  const allSkipped = failed.every((a) => a.skippedUntil !== undefined)
  const retryAfterSeconds =
    reason === "rate_limit" || reason === "unavailable" || reason === "overloaded" || (allSkipped && RETRYABLE.has(reason)) ? secondsUntilBack(failed, now) : undefined
  const fixes = [
    ...failed.filter((a) => reasonOf(a) === reason).flatMap((a) => (a.fix ? [a.fix] : [])),
    commonFix(reason, failed, retryAfterSeconds),
    ...failed.filter((a) => reasonOf(a) !== reason).flatMap((a) => (a.fix ? [a.fix] : []))
  ].filter((f): f is string => f !== undefined)
  const fix = [...new Set(fixes)].join("; ")
  const candidates = failed.map((a) => describe(a, now)).join("; ")
  // §5.3's words when nothing was even tried; the reason still decides the status.
  const headline = allSkipped
    ? `No available auth profile for ${[...new Set(failed.map((a) => a.provider))].join(", ")} (all in cooldown or unavailable)`
    : HEADLINE[reason]
  return {
    status: STATUS[reason],
    reason,
    code: reason === "auth" ? "provider_auth_failed" : reason,
    problem: `${headline}. Candidates: ${candidates}`,
    fix: fix === "" ? undefined : fix,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds })
  }
}

/**
 * `x-openclaw-fallback` (§8.5): when a model after the first served, why each earlier one did not —
 * `anthropic/claude-opus-4-6: rate_limit` — else undefined.
 */
export const fallbackNote = (attempts: ReadonlyArray<Attempt>, servedModel: string): string | undefined => {
  const why = new Map<string, Set<string>>()
  for (const a of attempts) {
    if (a.model === servedModel || a.outcome === "ok") continue
    const reasons = why.get(a.model) ?? new Set<string>()
    reasons.add(reasonOf(a))
    why.set(a.model, reasons)
  }
  if (why.size === 0) return undefined
  return [...why].map(([model, reasons]) => `${model}: ${[...reasons].join("+")}`).join(", ")
}

/** The last failure of a profile as the store keeps it (usageStats[id].lastError): reason, when, what was said. */
export interface LastError {
  readonly reason: string
  readonly at: number
  readonly message: string
}

/** Longest provider message kept in the store and shown by `/model status`. */
const LAST_ERROR_CHARS = 300

export const lastErrorRecord = (reason: FailureReason, at: number, message: string): LastError => ({
  reason,
  at,
  message: message.length > LAST_ERROR_CHARS ? `${message.slice(0, LAST_ERROR_CHARS)}…` : message
})

/** Read leniently: the store is a file anyone can edit, and a malformed entry is no reason to refuse it. */
export const lastErrorOf = (stats: UsageStats | undefined): LastError | undefined => {
  const e = (stats as { readonly lastError?: unknown } | undefined)?.lastError
  if (typeof e !== "object" || e === null) return undefined
  const { reason, at, message } = e as Record<string, unknown>
  return typeof reason === "string" && typeof at === "number" && typeof message === "string" ? { reason, at, message } : undefined
}

/**
 * Why a profile is out of use: the disable's reason, else the failure that started the cooldown (the last one
 * recorded, when the store holds it for that same failure), else undefined.
 */
export const outOfUseReason = (stats: UsageStats | undefined): FailureReason | undefined => {
  if (stats === undefined) return undefined
  const known = (r: string | undefined): FailureReason | undefined =>
    r === "auth" || r === "format" || r === "rate_limit" || r === "billing" || r === "timeout" || r === "unknown" ? r : undefined
  if ((stats.disabledUntil ?? 0) >= (stats.cooldownUntil ?? 0) && stats.disabledReason !== undefined) return known(stats.disabledReason)
  const last = lastErrorOf(stats)
  return last !== undefined && last.at === stats.lastFailureAt ? known(last.reason) : undefined
}
