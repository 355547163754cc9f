import { describe, expect, it } from "@effect/vitest"
import { decodeSharedUsage, encodeSharedUsage } from "../../src/domain/SharedUsage.js"

describe("usage records shared through Redis are untrusted input (§10, §11)", () => {
  it("round-trips what a gateway writes", () => {
    const stats = { cooldownUntil: 1_800_000_000_000, errorCount: 2, failureCounts: { rate_limit: 2 }, lastFailureAt: 1_799_999_000_000 }
    expect(decodeSharedUsage(encodeSharedUsage(stats))).toEqual(stats)
  })

  it.each([
    ["a number past Infinity", '{"cooldownUntil":1e400}'],
    ["a number past the safe integers", '{"disabledUntil":1e300,"disabledReason":"billing"}'],
    ["a repeated key", '{"cooldownUntil":1,"cooldownUntil":2}'],
    ["nesting past the limit", `{"lastError":${"[".repeat(500)}${"]".repeat(500)}}`],
    ["a field of the wrong type", '{"cooldownUntil":"soon"}'],
    ["not an object", "[]"],
    ["not JSON", "{"]
  ])("%s is ignored, as if nothing were recorded", (_, text) => {
    expect(decodeSharedUsage(text)).toBeUndefined()
  })
})
