import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import { decodeConfig } from "../../src/domain/Config.js"
import { classifyFailure, cooldownSettings, recordFailure, recordSuccess } from "../../src/domain/Failure.js"
import { parseModelDirective } from "../../src/domain/ModelDirective.js"
import type { ProviderId } from "../../src/domain/Provider.js"
import { HOUR, NOW } from "../support/TestApp.js"

const MIN = 60_000
const settings = cooldownSettings(Either.getOrThrow(decodeConfig({})), "anthropic" as ProviderId)

describe("classifyFailure (§5.3)", () => {
  it.each([
    [402, "", "billing"],
    [429, "", "rate_limit"],
    [401, "", "auth"],
    [403, "", "auth"],
    [408, "", "timeout"],
    [529, "", "rate_limit"],
    [500, "Overloaded", "rate_limit"],
    [500, "You exceeded your current quota", "rate_limit"],
    [400, "Your credit balance is too low", "billing"],
    [400, "Payment Required", "billing"],
    [500, "upstream timed out", "timeout"],
    [400, "Invalid API key provided", "auth"],
    [400, "token expired", "auth"],
    [400, "invalid request format: messages", "format"],
    [400, "API key not valid. Please pass a valid API key.", "auth"],
    // The request itself refused: a bad parameter, a model the provider does not have, a body it will not take.
    [400, "Invalid value for 'temperature': expected a value <= 2", "format"],
    // Not 404: access depends on the key, and a retired model is what fallbacks are for.
    [404, "The model `gpt-9` does not exist or you do not have access to it.", "unknown"],
    [413, "Request too large", "format"],
    [422, "Unprocessable Entity", "format"],
    [500, "boom", "unknown"],
    [503, "", "unknown"]
  ] as const)("%i %s → %s", (status, detail, reason) => {
    expect(classifyFailure({ status, detail }).reason).toBe(reason)
  })

  it("explains the Claude-Code-only error", () => {
    const c = classifyFailure({
      status: 400,
      detail: "This credential is only authorized for use with Claude Code and cannot be used for other API requests."
    })
    expect(c).toEqual({
      reason: "auth",
      failover: true,
      hint: "this is a Claude subscription token; use an Anthropic API key instead (`openclaw models auth paste-api-key --provider anthropic`)"
    })
  })

  it("says where to look when the provider cannot be reached", () => {
    expect(classifyFailure({ provider: "openai", kind: "network", detail: "connection refused (ECONNREFUSED 127.0.0.1:9)" })).toEqual({
      reason: "unknown",
      failover: true,
      hint: "check that the provider can be reached from this machine (the address in models.providers.openai.baseUrl, the network, a proxy)"
    })
  })

  it("fails over on everything but a malformed request", () => {
    expect(classifyFailure({ status: 400, detail: "invalid request format" }).failover).toBe(false)
    // Every profile would be refused the same: no failover, and a hint that the credential is not at fault.
    expect(classifyFailure({ status: 400, detail: "Invalid value for 'temperature'" })).toEqual({
      reason: "format",
      failover: false,
      hint: "change the request as the provider's message says; the credential is fine and was not put in cooldown"
    })
    expect(classifyFailure({ kind: "timeout", detail: "" })).toEqual({ reason: "timeout", failover: true })
  })
})

describe("the gateway's own exhaustion is not the provider's failure (§8.6)", () => {
  it("out of descriptors or memory: no failover, no cooldown, and the fix says what to raise", () => {
    const local = classifyFailure({ provider: "anthropic", kind: "local", detail: "the gateway has no file descriptor left for the connection (EMFILE)" })
    expect(local).toMatchObject({ reason: "unknown", failover: false })
    expect(local.hint).toContain("LimitNOFILE=")
    expect(local.hint).toContain("gateway.limits.maxConnections")
    // A network failure of the provider's side still fails over (and so cools the profile down).
    expect(classifyFailure({ provider: "anthropic", kind: "network", detail: "connection refused (ECONNREFUSED)" }).failover).toBe(true)
  })
})

describe("cooldown arithmetic (§5.3)", () => {
  it("cools down 1, 5, 25, then 60 minutes", () => {
    let stats = {}
    const cooldowns: Array<number> = []
    for (let i = 0; i < 5; i++) {
      stats = recordFailure(stats, "rate_limit", NOW + i, settings)
      cooldowns.push((stats as { cooldownUntil: number }).cooldownUntil - (NOW + i))
    }
    expect(cooldowns).toEqual([MIN, 5 * MIN, 25 * MIN, 60 * MIN, 60 * MIN])
    expect(stats).toMatchObject({ errorCount: 5, failureCounts: { rate_limit: 5 }, lastFailureAt: NOW + 4 })
  })

  it("a longer Retry-After wins, a shorter one does not", () => {
    expect(recordFailure({}, "rate_limit", NOW, settings, 10 * MIN).cooldownUntil).toBe(NOW + 10 * MIN)
    expect(recordFailure({}, "rate_limit", NOW, settings, 1_000).cooldownUntil).toBe(NOW + MIN)
  })

  it("a provider's Retry-After is honoured up to a day, whatever the billing settings, never past what a store can hold (§8.6, §11)", () => {
    expect(recordFailure({}, "rate_limit", NOW, settings, 99999999999999999999 * 1000).cooldownUntil).toBe(NOW + 24 * HOUR)
    expect(recordFailure({}, "rate_limit", NOW, settings, 999_999_999_999_000).cooldownUntil).toBe(NOW + 24 * HOUR)
    // Asking past any number is asking for the longest wait.
    expect(recordFailure({}, "rate_limit", NOW, settings, Infinity).cooldownUntil).toBe(NOW + 24 * HOUR)
    expect(recordFailure({}, "rate_limit", NOW, settings, Number.NaN).cooldownUntil).toBe(NOW + MIN)
    // Not tied to billingMaxHours: a 2 h Retry-After still wins with billing capped at 1 h.
    expect(recordFailure({}, "rate_limit", NOW, { ...settings, billingMaxMs: HOUR }, 2 * HOUR).cooldownUntil).toBe(NOW + 2 * HOUR)
    expect(Number.isSafeInteger(recordFailure({}, "rate_limit", NOW, settings, 1e300).cooldownUntil)).toBe(true)
  })

  it("resets the counters after the failure window", () => {
    const old = { errorCount: 3, failureCounts: { auth: 3 }, lastFailureAt: NOW - 25 * HOUR }
    expect(recordFailure(old, "auth", NOW, settings)).toMatchObject({ errorCount: 1, failureCounts: { auth: 1 }, cooldownUntil: NOW + MIN })
    const recent = { ...old, lastFailureAt: NOW - 23 * HOUR }
    expect(recordFailure(recent, "auth", NOW, settings)).toMatchObject({ errorCount: 4, cooldownUntil: NOW + 60 * MIN })
  })

  it("disables on billing for 5h doubling up to 24h, with a per-provider base", () => {
    let stats = {}
    const spans: Array<number> = []
    for (let i = 0; i < 4; i++) {
      stats = recordFailure(stats, "billing", NOW, settings)
      spans.push((stats as { disabledUntil: number }).disabledUntil - NOW)
    }
    expect(spans).toEqual([5 * HOUR, 10 * HOUR, 20 * HOUR, 24 * HOUR])
    expect(stats).toMatchObject({ disabledReason: "billing" })
    const custom = cooldownSettings(
      Either.getOrThrow(decodeConfig({ auth: { cooldowns: { billingBackoffHours: 2, billingBackoffHoursByProvider: { anthropic: 3 }, billingMaxHours: 4 } } })),
      "anthropic" as ProviderId
    )
    expect(recordFailure({}, "billing", NOW, custom).disabledUntil).toBe(NOW + 3 * HOUR)
    expect(recordFailure({ failureCounts: { billing: 1 }, lastFailureAt: NOW }, "billing", NOW, custom).disabledUntil).toBe(NOW + 4 * HOUR)
  })

  it("success clears counters and cooldowns and records lastUsed", () => {
    const failed = recordFailure(recordFailure({ lastUsed: 1 }, "billing", NOW, settings), "auth", NOW, settings)
    expect(recordSuccess(failed, NOW + 5)).toEqual({ lastUsed: NOW + 5 })
  })

  it.prop("cooldowns never exceed an hour (or Retry-After) and never go back in time", [FastCheck.array(FastCheck.constantFrom("auth", "rate_limit", "timeout", "unknown"), { maxLength: 20 })], ([reasons]) => {
    let stats = {}
    for (const r of reasons) {
      stats = recordFailure(stats, r as "auth", NOW, settings)
      const until = (stats as { cooldownUntil: number }).cooldownUntil
      expect(until).toBeGreaterThan(NOW)
      expect(until).toBeLessThanOrEqual(NOW + HOUR)
    }
  })
})

describe("/model directives (§8.3)", () => {
  it.each([
    ["/model", { kind: "list" }],
    ["/model list", { kind: "list" }],
    ["  /model status ", { kind: "status" }],
    ["/new", { kind: "reset" }],
    ["/reset", { kind: "reset" }],
    ["/model opus", { kind: "set", ref: "opus" }],
    ["/model opus@anthropic:work", { kind: "set", ref: "opus", profileId: "anthropic:work" }],
    ["/model anthropic/claude-3-5-sonnet@20241022", { kind: "set", ref: "anthropic/claude-3-5-sonnet@20241022" }],
    ["/model anthropic/claude-3-5-sonnet@20241022@anthropic:work", { kind: "set", ref: "anthropic/claude-3-5-sonnet@20241022", profileId: "anthropic:work" }],
    ["/model openrouter/meta@llama/x@openrouter:me@example.com", { kind: "set", ref: "openrouter/meta@llama/x", profileId: "openrouter:me@example.com" }]
  ] as const)("%s", (text, expected) => {
    expect(parseModelDirective(text)).toEqual(expected)
  })

  it("an @ with nothing after it (or before it) is said, not taken as a plain /model or /model list", () => {
    expect(parseModelDirective("/model opus@")).toMatchObject({ kind: "invalid", problem: expect.stringContaining("Nothing follows the @") })
    expect(parseModelDirective("/model opus@  ")).toMatchObject({ kind: "invalid" })
    expect(parseModelDirective("/model @")).toMatchObject({ kind: "invalid", problem: expect.stringContaining("Nothing follows the @") })
    expect(parseModelDirective("/model @anthropic:work")).toMatchObject({ kind: "invalid", problem: expect.stringContaining("No model before the @") })
  })

  it("ignores ordinary messages", () => {
    for (const t of ["hello", "/models", "please /model opus", "/newline"]) expect(parseModelDirective(t)).toBeUndefined()
  })

  it.prop("never throws, and a set directive's ref never contains the profile", [FastCheck.string()], ([s]) => {
    const d = parseModelDirective(`/model ${s}`)
    if (d?.kind === "set" && d.profileId) expect(d.ref.endsWith(`@${d.profileId}`)).toBe(false)
  })
})
