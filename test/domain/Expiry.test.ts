import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as Redacted from "effect/Redacted"
import { TokenCredential, OAuthCredential, ApiKeyCredential } from "../../src/domain/Credential.js"
import { credentialExpiry, describeExpiry, formatDuration, providerExpiry, EXPIRY_WARN_MS } from "../../src/domain/Expiry.js"
import type { ProviderId } from "../../src/domain/Provider.js"
import { modelsStatus } from "../../src/programs/ModelsStatus.js"
import { MemoryFs } from "../support/MemoryFiles.js"
import { HOUR, NOW, STORE, testServices } from "../support/TestApp.js"

const anthropic = "anthropic" as ProviderId
const token = (expires?: number) =>
  new TokenCredential({ type: "token", provider: anthropic, token: Redacted.make("x"), ...(expires === undefined ? {} : { expires }) })

describe("credentialExpiry (§5.2)", () => {
  it("classifies every boundary", () => {
    expect(credentialExpiry(token(NOW + EXPIRY_WARN_MS + 1), NOW).status).toBe("ok")
    expect(credentialExpiry(token(NOW + EXPIRY_WARN_MS), NOW).status).toBe("expiring")
    expect(credentialExpiry(token(NOW + 1), NOW).status).toBe("expiring")
    expect(credentialExpiry(token(NOW), NOW).status).toBe("expired")
    expect(credentialExpiry(token(NOW - 1), NOW).status).toBe("expired")
    expect(credentialExpiry(token(), NOW).status).toBe("static")
    expect(credentialExpiry(token(0), NOW).status).toBe("missing")
    expect(credentialExpiry(token(Number.NaN), NOW).status).toBe("missing")
    expect(credentialExpiry(token(-5), NOW).status).toBe("missing")
    const oauth = new OAuthCredential({ type: "oauth", provider: anthropic, access: Redacted.make("a") })
    expect(credentialExpiry(oauth, NOW).status).toBe("missing")
    const key = new ApiKeyCredential({ type: "api_key", provider: anthropic, key: Redacted.make("k") })
    expect(credentialExpiry(key, NOW).status).toBe("static")
  })

  it("reports remaining time", () => {
    expect(credentialExpiry(token(NOW + 3 * HOUR), NOW)).toEqual({ status: "expiring", expiresAt: NOW + 3 * HOUR, remainingMs: 3 * HOUR })
  })

  it("never says 'expires in' for a time past: a refreshable access token an hour old refreshes on use", () => {
    const oauth = (expires: number) => new OAuthCredential({ type: "oauth", provider: anthropic, access: Redacted.make("a"), refresh: Redacted.make("r"), expires })
    expect(describeExpiry(credentialExpiry(oauth(NOW - HOUR), NOW))).toBe("access token expired 1h ago; refreshes on use")
    expect(describeExpiry(credentialExpiry(oauth(1), NOW))).toMatch(/^access token expired \d+d ago; refreshes on use$/)
    expect(describeExpiry(credentialExpiry(oauth(NOW + 3 * HOUR), NOW))).toBe("expires in 3h")
    expect(describeExpiry(credentialExpiry(token(NOW - HOUR), NOW))).toBe("expired 1h ago")
  })

  it("formats Nm under an hour, Nh under 48h, else Nd", () => {
    expect(formatDuration(1)).toBe("1m")
    expect(formatDuration(5 * 60_000)).toBe("5m")
    expect(formatDuration(59 * 60_000)).toBe("59m")
    expect(formatDuration(HOUR)).toBe("1h")
    expect(formatDuration(47 * HOUR)).toBe("47h")
    expect(formatDuration(48 * HOUR)).toBe("2d")
    expect(formatDuration(365 * 24 * HOUR)).toBe("365d")
    expect(formatDuration(-3 * HOUR)).toBe("3h")
  })

  it("rolls profiles up per provider", () => {
    const e = (status: "ok" | "expiring" | "expired" | "missing" | "static") => ({ status })
    expect(providerExpiry([])).toBe("missing")
    expect(providerExpiry([{ type: "api_key", expiry: e("static") }])).toBe("static")
    expect(providerExpiry([{ type: "token", expiry: e("static") }])).toBe("ok")
    expect(providerExpiry([{ type: "token", expiry: e("ok") }, { type: "oauth", expiry: e("expiring") }])).toBe("expiring")
    expect(providerExpiry([{ type: "token", expiry: e("expiring") }, { type: "oauth", expiry: e("missing") }])).toBe("expired")
    expect(providerExpiry([{ type: "api_key", expiry: e("static") }, { type: "token", expiry: e("expired") }])).toBe("expired")
  })
})

describe("expiry through the status program, driven by TestClock", () => {
  const expires = NOW + 2 * EXPIRY_WARN_MS
  const world = () => ({
    fs: new MemoryFs({
      [STORE]: JSON.stringify({
        version: 1,
        profiles: { "anthropic:work": { type: "token", provider: "anthropic", token: "sk-ant-oat01-FAKE", expires } }
      })
    })
  })
  const statusAt = Effect.map(modelsStatus(undefined), ({ report }) => report.auth.oauth.profiles[0]!)

  it.effect("moves ok → expiring → expired as time passes", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(expires - EXPIRY_WARN_MS - 1)
      expect((yield* statusAt).status).toBe("ok")
      yield* TestClock.adjust(1)
      expect((yield* statusAt).status).toBe("expiring")
      expect((yield* statusAt).remainingMs).toBe(EXPIRY_WARN_MS)
      yield* TestClock.adjust(EXPIRY_WARN_MS - 1)
      expect((yield* statusAt).status).toBe("expiring")
      expect((yield* statusAt).remainingMs).toBe(1)
      yield* TestClock.adjust(1)
      expect((yield* statusAt).status).toBe("expired")
      yield* TestClock.adjust(HOUR)
      expect((yield* statusAt).remainingMs).toBe(-HOUR)
    }).pipe(Effect.provide(testServices(world())))
  )
})
