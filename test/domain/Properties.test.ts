import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import { decodeAuthStore } from "../../src/domain/AuthStore.js"
import { decodeConfig } from "../../src/domain/Config.js"
import { profileOrder } from "../../src/domain/Order.js"
import { slugProfileName } from "../../src/domain/ProfileId.js"
import type { ProviderId } from "../../src/domain/Provider.js"
import { NOW } from "../support/TestApp.js"

const anthropic = "anthropic" as ProviderId

describe("properties", () => {
  it.prop("slugs are non-empty, in the allowed alphabet, and stable", [FastCheck.string({ unit: "binary" })], ([raw]) => {
    const slug = slugProfileName(raw)
    expect(slug).toMatch(/^[a-z0-9._@-]+$/)
    expect(slug.startsWith("-") || slug.endsWith("-")).toBe(false)
    expect(slugProfileName(slug)).toBe(slug)
  })

  it.prop("the store reader never throws on any JSON value", [FastCheck.jsonValue()], ([value]) => {
    const result = decodeAuthStore(value)
    if (Either.isLeft(result)) expect(result.left.length).toBeGreaterThan(0)
  })

  const profileArb = FastCheck.record({
    provider: FastCheck.constantFrom("anthropic", "openai"),
    type: FastCheck.constantFrom("api_key", "token", "oauth"),
    secret: FastCheck.constantFrom("", "sk-FAKE-secret"),
    cooldown: FastCheck.option(FastCheck.integer({ min: -100_000, max: 100_000 }), { nil: undefined }),
    lastUsed: FastCheck.option(FastCheck.integer({ min: 0, max: 1_000_000 }), { nil: undefined })
  })

  it.prop(
    "order is a permutation of the usable profiles of the provider, unavailable ones last and soonest first",
    [FastCheck.array(profileArb, { maxLength: 8 }), FastCheck.boolean(), FastCheck.boolean()],
    ([specs, explicit, duplicates]) => {
      const profiles: Record<string, unknown> = {}
      const usageStats: Record<string, unknown> = {}
      specs.forEach((s, i) => {
        const id = `${s.provider}:p${i}`
        profiles[id] =
          s.type === "api_key"
            ? { type: "api_key", provider: s.provider, key: s.secret }
            : s.type === "token"
              ? { type: "token", provider: s.provider, token: s.secret }
              : { type: "oauth", provider: s.provider, access: s.secret }
        usageStats[id] = { ...(s.cooldown === undefined ? {} : { cooldownUntil: NOW + s.cooldown }), ...(s.lastUsed === undefined ? {} : { lastUsed: s.lastUsed }) }
      })
      const ids = Object.keys(profiles)
      const orderList = duplicates ? [...ids, ...ids].reverse() : [...ids].reverse()
      const store = Either.getOrThrow(
        decodeAuthStore({ profiles, usageStats, ...(explicit ? { order: { anthropic: orderList } } : {}) })
      )
      const order = profileOrder(store, Either.getOrThrow(decodeConfig({})), anthropic, NOW)
      const usable = ids.filter((id, i) => id.startsWith("anthropic:") && specs[i]!.secret !== "")
      expect([...order.candidates].sort()).toEqual([...usable].sort())
      const untilOf = new Map(order.unavailable.map((u) => [u.profileId as string, u.until]))
      const firstUnavailable = order.candidates.findIndex((id) => untilOf.has(id))
      if (firstUnavailable >= 0) {
        const tail = order.candidates.slice(firstUnavailable)
        expect(tail.every((id) => untilOf.has(id))).toBe(true)
        const untils = tail.map((id) => untilOf.get(id)!)
        expect(untils).toEqual([...untils].sort((a, b) => a - b))
      }
      if (explicit) {
        const available = order.candidates.filter((id) => !untilOf.has(id))
        const expected = orderList.filter((id, i, all) => all.indexOf(id) === i && available.includes(id as never))
        expect(available).toEqual(expected)
      }
    },
    // Issue 7: at least 10,000 generated cases for the order function in CI.
    { fastCheck: { numRuns: 10_000 } }
  )
})
