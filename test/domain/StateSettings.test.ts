import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { mergeUsage } from "../../src/domain/SharedUsage.js"
import { decodeStateSettings } from "../../src/domain/StateSettings.js"

describe("gateway.state (§10)", () => {
  it("absent or file: this host's files; redis needs a redis:// or rediss:// url; the prefix has a default", () => {
    expect(decodeStateSettings(undefined)).toEqual(Either.right({ backend: "file" }))
    expect(decodeStateSettings({ backend: "file", url: 3 })).toEqual(Either.right({ backend: "file" }))
    expect(decodeStateSettings({ backend: "redis", url: " rediss://:pw@cache:6380/1 " })).toEqual(
      Either.right({ backend: "redis", url: "rediss://:pw@cache:6380/1", prefix: "openclaw:" })
    )
    expect(decodeStateSettings({ backend: "redis", url: "redis://h", prefix: "team-a:" })).toEqual(Either.right({ backend: "redis", url: "redis://h", prefix: "team-a:" }))
    const problem = (raw: unknown) => Either.getLeft(decodeStateSettings(raw)).pipe((o) => (o._tag === "Some" ? o.value : ""))
    expect(problem("redis")).toMatch(/gateway.state must be an object/)
    expect(problem({ backend: "memcached" })).toMatch(/backend must be "file" or "redis", got "memcached"/)
    expect(problem({ backend: "redis" })).toMatch(/url is required/)
    expect(problem({ backend: "redis", url: { source: "env", provider: "default", id: "X" } })).toMatch(/SecretRef that did not resolve/)
    // The URL is never echoed: it may hold a password.
    expect(problem({ backend: "redis", url: "http://user:hunter22@host" })).not.toContain("hunter22")
    expect(problem({ backend: "redis", url: "redis://h", prefix: "a b" })).toMatch(/prefix must be/)
  })

  it("a URL the Redis client could not use is refused in words, never quoted", () => {
    const problem = (url: string) => Either.getLeft(decodeStateSettings({ backend: "redis", url })).pipe((o) => (o._tag === "Some" ? o.value : ""))
    expect(problem("redis://:Passw0rd#Frag@127.0.0.1:6379/0")).toMatch(/holds a # \(a password with one must write it %23\)/)
    expect(problem("redis://:Passw0rd%zz@127.0.0.1:6379/0")).toMatch(/holds a % that is not followed by two hex digits/)
    expect(problem("redis://127.0.0.1:99999/0")).toMatch(/is not a valid URL/)
    expect(problem("redis://[::1:6379/0")).toMatch(/is not a valid URL/)
    for (const url of ["redis://:Passw0rd#Frag@127.0.0.1:6379/0", "redis://:Passw0rd%zz@127.0.0.1:6379/0"]) expect(problem(url)).not.toContain("Passw0rd")
    expect(problem("redis://:p%23w@[::1]:6379/0")).toBe("")
  })

  it("resync keeps a cooldown either side recorded, the larger count and the later times", () => {
    expect(mergeUsage(undefined, { errorCount: 1 })).toEqual({ errorCount: 1 })
    expect(
      mergeUsage(
        { errorCount: 3, cooldownUntil: 500, lastFailureAt: 100, failureCounts: { rate_limit: 3 }, lastUsed: 50 },
        { errorCount: 1, cooldownUntil: 900, lastFailureAt: 200, failureCounts: { billing: 1 }, disabledUntil: 800, disabledReason: "billing" }
      )
    ).toEqual({ errorCount: 3, cooldownUntil: 900, lastFailureAt: 200, failureCounts: { rate_limit: 3, billing: 1 }, lastUsed: 50, disabledUntil: 800, disabledReason: "billing" })
  })
})
