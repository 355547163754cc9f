import { describe, expect, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import { type Attempt, failureVerdict, fallbackNote, lastErrorOf, outOfUseReason } from "../../src/domain/ChatFailure.js"
import type { ProfileId } from "../../src/domain/ProfileId.js"
import { NOW } from "../support/TestApp.js"

const OPUS = "anthropic/claude-opus-4-6"
const MINI = "openai/gpt-4o-mini"

const tried = (profileId: string, outcome: Attempt["outcome"], extra: Partial<Attempt> = {}): Attempt => ({
  model: profileId.startsWith("openai") ? MINI : OPUS,
  provider: profileId.split(":")[0]!,
  profileId: profileId as ProfileId,
  outcome,
  problem: `${outcome} said the provider`,
  ...extra
})

describe("failureVerdict (§8.5)", () => {
  it.each([
    [[tried("anthropic:a", "auth"), tried("anthropic:b", "auth")], 401, "auth", "provider_auth_failed"],
    [[tried("anthropic:a", "billing")], 402, "billing", "billing"],
    [[tried("anthropic:a", "format")], 400, "format", "format"],
    [[tried("anthropic:a", "rate_limit", { status: 429 })], 429, "rate_limit", "rate_limit"],
    [[tried("anthropic:a", "timeout")], 504, "timeout", "timeout"],
    [[tried("anthropic:a", "rate_limit", { status: 529 })], 503, "overloaded", "overloaded"],
    [[tried("anthropic:a", "unknown", { status: 500 })], 502, "unknown", "unknown"],
    [[{ model: OPUS, provider: "anthropic", profileId: undefined, outcome: "no_credentials" } as Attempt], 401, "no_credentials", "no_credentials"],
    // Permanent failures first, then one a retry can change: that one decides.
    [[tried("anthropic:a", "auth"), tried("anthropic:b", "billing"), tried("openai:x", "timeout")], 504, "timeout", "timeout"],
    // Only permanent ones: the first (the model asked for) decides.
    [[tried("anthropic:a", "auth"), tried("openai:x", "billing")], 401, "auth", "provider_auth_failed"],
    // A malformed request fails everywhere.
    [[tried("anthropic:a", "rate_limit"), tried("anthropic:b", "format")], 400, "format", "format"]
  ] as const)("case %#", (attempts, status, reason, code) => {
    expect(failureVerdict(attempts, NOW)).toMatchObject({ status, reason, code })
  })

  it("a profile skipped for an earlier auth failure still answers 401, naming it, the reason and the fix", () => {
    const v = failureVerdict([tried("anthropic:a", "auth", { skippedUntil: NOW + 5 * 60_000 }), tried("anthropic:b", "auth", { skippedUntil: NOW + 60_000 })], NOW)
    expect(v).toMatchObject({ status: 401, reason: "auth", code: "provider_auth_failed" })
    expect(v.retryAfterSeconds).toBeUndefined()
    expect(v.problem).toBe(
      "No available auth profile for anthropic (all in cooldown or unavailable). Candidates: " +
        `anthropic:a for ${OPUS}: auth (not tried: out of use for 5m, after: auth said the provider); ` +
        `anthropic:b for ${OPUS}: auth (not tried: out of use for 1m, after: auth said the provider)`
    )
    expect(v.fix).toContain("replace the credential of anthropic:a, anthropic:b (`openclaw models auth paste-api-key --provider anthropic`")
    expect(v.fix).toContain("`openclaw models auth cooldowns clear`")
  })

  it("rate limits and unexplained cooldowns say when to come back", () => {
    const limited = failureVerdict([tried("anthropic:a", "rate_limit", { until: NOW + 90_500 }), tried("anthropic:b", "rate_limit", { skippedUntil: NOW + 300_000 })], NOW)
    expect(limited).toMatchObject({ status: 429, retryAfterSeconds: 91 })
    expect(limited.fix).toContain("retry in 2m")
    const { problem: _none, ...bare } = tried("anthropic:a", "unavailable", { skippedUntil: NOW + 30_000 })
    const unexplained = failureVerdict([bare], NOW)
    expect(unexplained).toMatchObject({ status: 503, reason: "unavailable", retryAfterSeconds: 30 })
  })

  it("each attempt's own fix comes first (the Claude-Code-only hint), then the common one", () => {
    const v = failureVerdict([tried("anthropic:work", "auth", { fix: "this is a Claude subscription token; use an Anthropic API key instead" })], NOW)
    expect(v.fix).toMatch(/^this is a Claude subscription token; use an Anthropic API key instead; replace the credential of anthropic:work/)
  })

  it("never a 2xx, never a retryable status for failures a retry cannot change", () => {
    const outcomes = ["auth", "format", "rate_limit", "billing", "timeout", "unknown", "no_credentials", "unavailable"] as const
    const attempt = FastCheck.record({
      outcome: FastCheck.constantFrom(...outcomes),
      status: FastCheck.constantFrom(undefined, 429, 500, 503, 529),
      skipped: FastCheck.boolean()
    })
    FastCheck.assert(
      FastCheck.property(FastCheck.array(attempt, { minLength: 1, maxLength: 6 }), (spec) => {
        const attempts = spec.map((s, i) =>
          tried(`anthropic:p${i}`, s.outcome, { ...(s.status ? { status: s.status } : {}), ...(s.skipped ? { skippedUntil: NOW + 60_000 } : {}) })
        )
        const v = failureVerdict(attempts, NOW)
        const retryable = v.status === 408 || v.status === 409 || v.status === 429 || v.status >= 500
        const anyPassing = spec.some((s) => ["rate_limit", "timeout", "unknown", "unavailable"].includes(s.outcome))
        const anyFormat = spec.some((s) => s.outcome === "format")
        expect(v.status).toBeGreaterThanOrEqual(400)
        expect(retryable).toBe(anyPassing && !anyFormat)
        for (const a of attempts) expect(v.problem).toContain(a.profileId)
      })
    )
  })
})

describe("fallbackNote (x-openclaw-fallback)", () => {
  it("names each model before the one that served, with why; nothing when the first model served", () => {
    const attempts = [tried("anthropic:a", "rate_limit"), tried("anthropic:b", "auth", { skippedUntil: NOW + 1 }), tried("openai:x", "ok")]
    expect(fallbackNote(attempts, MINI)).toBe(`${OPUS}: rate_limit+auth`)
    expect(fallbackNote([tried("anthropic:a", "rate_limit"), tried("anthropic:b", "ok")], OPUS)).toBeUndefined()
  })
})

describe("the last error in the store", () => {
  it("is read leniently and explains a cooldown only when it is the failure that started it", () => {
    const lastError = { reason: "auth", at: NOW, message: "invalid x-api-key" }
    expect(lastErrorOf({ lastError })).toEqual(lastError)
    expect(lastErrorOf({ lastError: "garbage" })).toBeUndefined()
    expect(lastErrorOf({ lastError: { reason: 1, at: NOW, message: "" } })).toBeUndefined()
    expect(outOfUseReason({ cooldownUntil: NOW + 1, lastFailureAt: NOW, lastError })).toBe("auth")
    // Written by another tool after ours: the cooldown's cause is unknown.
    expect(outOfUseReason({ cooldownUntil: NOW + 1, lastFailureAt: NOW + 5, lastError })).toBeUndefined()
    expect(outOfUseReason({ disabledUntil: NOW + 1, disabledReason: "billing", lastFailureAt: NOW, lastError })).toBe("billing")
  })
})
