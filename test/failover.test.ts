import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { ProviderError, type ProviderAuth, type ProviderTarget } from "../src/domain/Chat.js"
import type { ModelRef } from "../src/domain/Config.js"
import type { ProfileId } from "../src/domain/ProfileId.js"
import { loadAuthContext } from "../src/programs/AuthContext.js"
import { type ChatFailedError, serveWithFailover } from "../src/programs/Failover.js"
import { OAuthHttpError } from "../src/domain/OAuthErrors.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, NOW, STORE, testServices } from "./support/TestApp.js"

const MIN = 60_000
const HOUR = 60 * MIN
const A = "sk-ant-api03-FAKEprofileA" + "a".repeat(30)
const B = "sk-ant-api03-FAKEprofileB" + "b".repeat(30)
const OR = "sk-or-v1-FAKEfallback" + "0".repeat(30)

type Answer = "ok" | { status: number; detail: string; retryAfterMs?: number }

/** A provider call scripted per secret: each call takes the next answer (the last one repeats). */
const scripted = (answers: Record<string, Array<Answer>>) => {
  const calls: Array<{ secret: string; model: string; target: ProviderTarget }> = []
  const call = (target: ProviderTarget, auth: ProviderAuth, model: ModelRef) =>
    Effect.suspend(() => {
      const secret = auth.secret ? Redacted.value(auth.secret) : ""
      calls.push({ secret, model: model.model, target })
      const queue = answers[secret] ?? ["ok"]
      const next = queue.length > 1 ? queue.shift()! : queue[0]!
      return next === "ok"
        ? Effect.succeed(`answer from ${secret.slice(0, 24)}`)
        : Effect.fail(new ProviderError({ provider: target.provider, kind: "http", status: next.status, detail: next.detail, ...(next.retryAfterMs ? { retryAfterMs: next.retryAfterMs } : {}) }))
    })
  return { calls, call }
}

const world = () =>
  new MemoryFs({
    [CONFIG]: JSON.stringify({ agents: { defaults: { model: { primary: "anthropic/claude-opus-4-6", fallbacks: ["openrouter/meta/llama"] } } } }),
    [STORE]: JSON.stringify({
      version: 1,
      profiles: {
        "anthropic:a": { type: "api_key", provider: "anthropic", key: A },
        "anthropic:b": { type: "api_key", provider: "anthropic", key: B },
        "openrouter:x": { type: "api_key", provider: "openrouter", key: OR }
      },
      order: { anthropic: ["anthropic:a", "anthropic:b"] }
    })
  })

const serve = (fake: ReturnType<typeof scripted>, session?: Parameters<typeof serveWithFailover>[2]) =>
  Effect.gen(function* () {
    const ctx = yield* loadAuthContext(undefined)
    const served = yield* serveWithFailover(ctx, [ctx.models.primary, ...ctx.models.fallbacks], session, fake.call)
    yield* served.recordUse
    return served
  })

const stored = (fs: MemoryFs) => JSON.parse(fs.read(STORE)!)

describe("serveWithFailover (§5.3)", () => {
  it.effect("429 on the first profile → served by the second; the first cools down, then is used again", () => {
    const fs = world()
    const fake = scripted({ [A]: [{ status: 429, detail: "rate limited", retryAfterMs: 2 * MIN }, "ok"] })
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const first = yield* serve(fake)
      expect(first.profileId).toBe("anthropic:b")
      expect(first.attempts.map((a) => [a.profileId, a.outcome])).toEqual([["anthropic:a", "rate_limit"], ["anthropic:b", "ok"]])
      expect(stored(fs).usageStats["anthropic:a"]).toMatchObject({ cooldownUntil: NOW + 2 * MIN, errorCount: 1, failureCounts: { rate_limit: 1 } })
      expect(stored(fs).lastGood).toEqual({ anthropic: "anthropic:b" })
      const cooling = yield* serve(fake)
      expect(cooling.profileId).toBe("anthropic:b")
      yield* TestClock.adjust(2 * MIN + 1)
      const back = yield* serve(fake)
      expect(back.profileId).toBe("anthropic:a")
      // Counters and cooldown go with the success; the last error stays for /model status.
      expect(stored(fs).usageStats["anthropic:a"]).toEqual({
        lastUsed: NOW + 2 * MIN + 1,
        lastError: { reason: "rate_limit", at: NOW, message: "anthropic request failed (HTTP 429): rate limited" }
      })
    }).pipe(Effect.provide(testServices({ fs })))
  })

  it.effect("billing disables a profile for hours", () => {
    const fs = world()
    const fake = scripted({ [A]: [{ status: 402, detail: "Your credit balance is too low" }] })
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      yield* serve(fake)
      expect(stored(fs).usageStats["anthropic:a"]).toMatchObject({ disabledUntil: NOW + 5 * HOUR, disabledReason: "billing" })
    }).pipe(Effect.provide(testServices({ fs })))
  })

  it.effect("all profiles failing → the fallback model; nothing left → an error naming the fix", () => {
    const fs = world()
    const fail = { status: 401, detail: "invalid x-api-key" }
    const fake = scripted({ [A]: [fail], [B]: [fail] })
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const served = yield* serve(fake)
      expect(served.model).toEqual({ provider: "openrouter", model: "meta/llama" })
      expect(served.profileId).toBe("openrouter:x")
      const all = scripted({ [A]: [fail], [B]: [fail], [OR]: [{ status: 429, detail: "Too Many Requests" }] })
      yield* TestClock.adjust(HOUR + 1)
      const error = (yield* Effect.flip(serve(all))) as ChatFailedError
      // Auth twice, then a rate limit: a retry can help, so the rate limit decides (429 with Retry-After).
      expect(error).toMatchObject({ reason: "rate_limit", status: 429, retryAfterSeconds: 60 })
      expect(error.problem).toContain("anthropic:a for anthropic/claude-opus-4-6: auth — anthropic request failed (HTTP 401): invalid x-api-key")
      expect(error.problem).toContain("openrouter:x for openrouter/meta/llama: rate_limit")
      // Everything is cooling down now: nothing is called, and the answer still says why each one is out.
      const none = (yield* Effect.flip(serve(all))) as ChatFailedError
      expect(all.calls).toHaveLength(3)
      expect(none).toMatchObject({ reason: "rate_limit", status: 429 })
      expect(none.message).toMatch(/^No available auth profile for anthropic, openrouter \(all in cooldown or unavailable\)\. Candidates: anthropic:a for anthropic\/claude-opus-4-6: auth \(not tried: out of use for 5m, after: anthropic request failed \(HTTP 401\): invalid x-api-key\);/)
      expect(none.message).toContain("Fix: retry in 1m, add another profile for openrouter, or lift the cooldown with `openclaw models auth cooldowns clear`")
      expect(none.retryAfterSeconds).toBe(60)
    }).pipe(Effect.provide(testServices({ fs })))
  })

  it.effect("a malformed request is not retried on other profiles", () => {
    const fs = world()
    const fake = scripted({ [A]: [{ status: 400, detail: "invalid request format" }] })
    return Effect.gen(function* () {
      const error = (yield* Effect.flip(serve(fake))) as ChatFailedError
      expect(error).toMatchObject({ reason: "format", status: 400 })
      expect(fake.calls).toHaveLength(1)
      expect(stored(fs).usageStats).toBeUndefined()
    }).pipe(Effect.provide(testServices({ fs })))
  })

  it.effect("the Claude-Code-only 400 is auth, explained, and fails over", () => {
    const fs = world()
    const fake = scripted({
      [A]: [{ status: 400, detail: "This credential is only authorized for use with Claude Code and cannot be used for other API requests." }],
      [B]: [{ status: 400, detail: "This credential is only authorized for use with Claude Code and cannot be used for other API requests." }],
      [OR]: [{ status: 500, detail: "boom" }]
    })
    return Effect.gen(function* () {
      const error = (yield* Effect.flip(serve(fake))) as ChatFailedError
      expect(fake.calls.map((c) => c.secret)).toEqual([A, B, OR])
      // The fallback's 500 may pass: a 502, and the hint for the two auth failures is still in the fix.
      expect(error).toMatchObject({ reason: "unknown", status: 502 })
      expect(error.fix).toContain("this is a Claude subscription token; use an Anthropic API key instead")
      expect(stored(fs).usageStats["anthropic:a"].failureCounts).toEqual({ auth: 1 })
    }).pipe(Effect.provide(testServices({ fs })))
  })

  it.effect("a user pin is the only profile tried and is never rotated; the auto pin is sticky", () => {
    const fs = world()
    const fake = scripted({ [B]: [{ status: 429, detail: "slow down", retryAfterMs: 90_000 }] })
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      // The pin is the only profile tried, and no fallback model either (§8.5): its failure is the answer.
      const pinned = (yield* Effect.flip(serve(fake, { userPin: "anthropic:b" as ProfileId, updatedAt: NOW }))) as ChatFailedError
      expect(fake.calls.map((c) => c.secret)).toEqual([B])
      expect(pinned).toMatchObject({ reason: "rate_limit", status: 429, retryAfterSeconds: 90 })
      expect(pinned.problem).toContain("anthropic:b for anthropic/claude-opus-4-6: rate_limit")
      const sticky = scripted({})
      const served = yield* serve(sticky, { autoPin: "anthropic:b" as ProfileId, updatedAt: NOW })
      // anthropic:b is cooling down after its 429, so the sticky pin gives way.
      expect(served.profileId).toBe("anthropic:a")
      const again = yield* serve(sticky, { autoPin: "anthropic:a" as ProfileId, updatedAt: NOW })
      expect(again.profileId).toBe("anthropic:a")
      const missing = (yield* Effect.flip(serve(sticky, { userPin: "anthropic:gone" as ProfileId, updatedAt: NOW }))) as ChatFailedError
      expect(missing).toMatchObject({ reason: "no_credentials", status: 401 })
      expect(missing.message).toContain('No credentials found for profile "anthropic:gone"')
      expect(sticky.calls).toHaveLength(2)
    }).pipe(Effect.provide(testServices({ fs })))
  })

  it.effect("a pinned token that only Claude Code may use: its 401-worthy failure is the answer, hint included", () => {
    const fs = world()
    const claudeOnly = { status: 400, detail: "This credential is only authorized for use with Claude Code and cannot be used for other API requests." }
    const fake = scripted({ [A]: [claudeOnly] })
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const error = (yield* Effect.flip(serve(fake, { userPin: "anthropic:a" as ProfileId, updatedAt: NOW }))) as ChatFailedError
      expect(fake.calls.map((c) => c.secret)).toEqual([A])
      expect(error).toMatchObject({ reason: "auth", status: 401, code: "provider_auth_failed" })
      expect(error.fix).toMatch(/^this is a Claude subscription token; use an Anthropic API key instead \(`openclaw models auth paste-api-key --provider anthropic`\)/)
      expect(stored(fs).usageStats["anthropic:a"]).toMatchObject({ failureCounts: { auth: 1 }, lastError: { reason: "auth", at: NOW } })
      // Unpinned, the next request skips the cooling profile and says why, hint kept, should nothing else serve.
      const next = scripted({ [B]: [claudeOnly], [OR]: [{ status: 401, detail: "invalid key" }] })
      const again = (yield* Effect.flip(serve(next))) as ChatFailedError
      expect(next.calls.map((c) => c.secret)).toEqual([B, OR])
      expect(again).toMatchObject({ reason: "auth", status: 401, code: "provider_auth_failed" })
      expect(again.problem).toContain("anthropic:a for anthropic/claude-opus-4-6: auth (not tried: out of use for 1m")
      expect(again.fix).toContain("this is a Claude subscription token")
      expect(again.fix).toContain("replace the credential of anthropic:b, anthropic:a, openrouter:x")
    }).pipe(Effect.provide(testServices({ fs })))
  })

  it.effect("a failure after the answer began is the serving profile's failure; the success record does not undo it", () => {
    const fs = world()
    const fake = scripted({})
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const ctx = yield* loadAuthContext(undefined)
      const served = yield* serveWithFailover(ctx, [ctx.models.primary], undefined, fake.call)
      expect(served.profileId).toBe("anthropic:a")
      yield* served.recordFailure(new ProviderError({ provider: "anthropic", kind: "http", detail: "overloaded_error: Overloaded" }))
      yield* served.recordUse
      expect(stored(fs).usageStats["anthropic:a"]).toMatchObject({ cooldownUntil: NOW + MIN, failureCounts: { rate_limit: 1 }, lastError: { reason: "rate_limit" } })
      expect(stored(fs).lastGood).toEqual({ anthropic: "anthropic:a" })
      const next = yield* serve(fake)
      expect(next.profileId).toBe("anthropic:b")
    }).pipe(Effect.provide(testServices({ fs })))
  })

  it.effect("concurrent failures are all counted (locked read-modify-write)", () => {
    const fs = world()
    const fake = scripted({ [A]: [{ status: 500, detail: "boom" }], [B]: [{ status: 500, detail: "boom" }], [OR]: [{ status: 500, detail: "boom" }] })
    return Effect.gen(function* () {
      const ctx = yield* loadAuthContext(undefined)
      yield* Effect.forEach(Array.from({ length: 10 }), () => Effect.either(serveWithFailover(ctx, [ctx.models.primary], undefined, fake.call)), { concurrency: "unbounded" })
      expect(stored(fs).usageStats["anthropic:a"].errorCount).toBe(10)
    }).pipe(Effect.provide(testServices({ fs })))
  })
})

describe("serveWithFailover refreshes OAuth profiles before use (§7)", () => {
  const OLD_ACCESS = "sk-ant-oat01-FAKEoldAccess" + "o".repeat(30)
  const NEW_ACCESS = "sk-ant-oat01-FAKEnewAccess" + "n".repeat(30)
  const oauthWorld = (expires: number) =>
    new MemoryFs({
      [CONFIG]: JSON.stringify({ auth: { oauth: { anthropic: { tokenUrl: "http://127.0.0.1:1/token", clientId: "c" } } } }),
      [STORE]: JSON.stringify({
        version: 1,
        profiles: { "anthropic:o": { type: "oauth", provider: "anthropic", access: OLD_ACCESS, refresh: "FAKErefresh-1", expires } }
      })
    })
  const endpoint = (answer: "ok" | "reject") => {
    const calls: Array<string> = []
    return {
      calls,
      shape: {
        requestToken: (request: { params: Record<string, string | undefined> }) =>
          Effect.suspend(() => {
            calls.push(request.params.refresh_token ?? "")
            return answer === "ok"
              ? Effect.succeed({ access_token: NEW_ACCESS, refresh_token: "FAKErefresh-2", expires_in: 3600 })
              : Effect.fail(new OAuthHttpError({ host: "t", kind: "http", status: 400, error: "invalid_grant", description: "refresh_token_reused" }))
          })
      }
    }
  }

  it.effect("an access token within 5 minutes of expiry is refreshed, then used", () => {
    const fs = oauthWorld(NOW + 4 * MIN)
    const token = endpoint("ok")
    const fake = scripted({})
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const served = yield* serve(fake)
      expect(served.profileId).toBe("anthropic:o")
      expect(token.calls).toEqual(["FAKErefresh-1"])
      expect(fake.calls[0]!.secret).toBe(NEW_ACCESS)
      expect(stored(fs).profiles["anthropic:o"]).toMatchObject({ access: NEW_ACCESS, refresh: "FAKErefresh-2", expires: NOW + HOUR })
    }).pipe(Effect.provide(testServices({ fs, oauthHttp: token.shape as never })))
  })

  it.effect("a refused refresh is an auth failure: cooled down, old credential kept, next model tried", () => {
    const fs = oauthWorld(NOW - MIN)
    const token = endpoint("reject")
    const fake = scripted({})
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const error = (yield* Effect.flip(serve(fake))) as ChatFailedError
      expect(error.reason).toBe("auth")
      expect(error.message).toContain("OAuth token refresh failed for anthropic")
      expect(fake.calls).toHaveLength(0)
      expect(stored(fs).profiles["anthropic:o"].access).toBe(OLD_ACCESS)
      expect(stored(fs).usageStats["anthropic:o"]).toMatchObject({ failureCounts: { auth: 1 } })
    }).pipe(Effect.provide(testServices({ fs, oauthHttp: token.shape as never })))
  })
})
