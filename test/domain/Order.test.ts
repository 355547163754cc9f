import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { decodeAuthStore } from "../../src/domain/AuthStore.js"
import { decodeConfig, type OpenClawConfig } from "../../src/domain/Config.js"
import { profileOrder } from "../../src/domain/Order.js"
import type { ProviderId } from "../../src/domain/Provider.js"
import { HOUR, NOW } from "../support/TestApp.js"

const anthropic = "anthropic" as ProviderId
const storeOf = (raw: unknown) => Either.getOrThrow(decodeAuthStore(raw))
const configOf = (raw: unknown): OpenClawConfig => Either.getOrThrow(decodeConfig(raw))

const key = (k = "sk-ant-api03-FAKE") => ({ type: "api_key", provider: "anthropic", key: k })
const tok = (expires?: number) => ({ type: "token", provider: "anthropic", token: "sk-ant-oat01-FAKE", ...(expires ? { expires } : {}) })
const oauth = () => ({ type: "oauth", provider: "anthropic", access: "acc", refresh: "ref", expires: NOW + HOUR })

describe("profileOrder (§5.1)", () => {
  it("round-robin without an explicit order: oauth, token, api_key, then lastUsed oldest first", () => {
    const store = storeOf({
      profiles: { "anthropic:k1": key(), "anthropic:k2": key(), "anthropic:t": tok(), "anthropic:o": oauth() },
      usageStats: { "anthropic:k1": { lastUsed: NOW - 10 }, "anthropic:k2": { lastUsed: NOW - 20 } }
    })
    expect(profileOrder(store, configOf({}), anthropic, NOW).candidates).toEqual([
      "anthropic:o",
      "anthropic:t",
      "anthropic:k2",
      "anthropic:k1"
    ])
  })

  it("keeps an explicit store order, which beats the config order", () => {
    const store = storeOf({
      profiles: { "anthropic:a": key(), "anthropic:b": tok(), "anthropic:c": oauth() },
      order: { anthropic: ["anthropic:a", "anthropic:c", "anthropic:b"] }
    })
    const config = configOf({ auth: { order: { anthropic: ["anthropic:b", "anthropic:a"] } } })
    const order = profileOrder(store, config, anthropic, NOW)
    expect(order.explicit).toBe(true)
    expect(order.candidates).toEqual(["anthropic:a", "anthropic:c", "anthropic:b"])
    const withoutStoreOrder = storeOf({ profiles: { "anthropic:a": key(), "anthropic:b": tok() } })
    expect(profileOrder(withoutStoreOrder, config, anthropic, NOW).candidates).toEqual(["anthropic:b", "anthropic:a"])
  })

  it("moves cooldown and disabled profiles last, soonest available first, in both modes", () => {
    const raw = {
      profiles: { "anthropic:a": key(), "anthropic:b": key(), "anthropic:c": key(), "anthropic:d": key() },
      usageStats: {
        "anthropic:a": { cooldownUntil: NOW + 10 * 60_000 },
        "anthropic:b": { disabledUntil: NOW + 5 * HOUR, disabledReason: "billing" },
        "anthropic:c": { cooldownUntil: NOW - 1 },
        "anthropic:d": { cooldownUntil: NOW + 60_000, disabledUntil: NOW + 2 * 60_000 }
      }
    }
    const rr = profileOrder(storeOf(raw), configOf({}), anthropic, NOW)
    expect(rr.candidates).toEqual(["anthropic:c", "anthropic:d", "anthropic:a", "anthropic:b"])
    expect(rr.unavailable.map((u) => [u.profileId, u.reason])).toEqual([
      ["anthropic:d", "disabled"],
      ["anthropic:a", "cooldown"],
      ["anthropic:b", "disabled"]
    ])
    const explicit = storeOf({ ...raw, order: { anthropic: ["anthropic:b", "anthropic:a", "anthropic:c", "anthropic:d"] } })
    expect(profileOrder(explicit, configOf({}), anthropic, NOW).candidates).toEqual([
      "anthropic:c",
      "anthropic:d",
      "anthropic:a",
      "anthropic:b"
    ])
  })

  it("drops duplicates, missing ids, other providers, config-mode mismatches and unusable secrets", () => {
    const store = storeOf({
      profiles: {
        "anthropic:a": key(),
        "anthropic:empty": key(""),
        "anthropic:old": tok(NOW - 1),
        "anthropic:mismatch": key(),
        "anthropic:setup": tok(),
        "openai:x": { type: "api_key", provider: "openai", key: "sk-FAKE" },
        "anthropic:noaccess": { type: "oauth", provider: "anthropic" }
      },
      order: {
        anthropic: [
          "anthropic:a",
          "anthropic:a",
          "anthropic:gone",
          "openai:x",
          "anthropic:empty",
          "anthropic:old",
          "anthropic:mismatch",
          "anthropic:setup",
          "anthropic:noaccess"
        ]
      }
    })
    // A config "oauth" entry accepts a stored token; "token" does not accept an api_key.
    const config = configOf({
      auth: {
        profiles: {
          "anthropic:mismatch": { provider: "anthropic", mode: "token" },
          "anthropic:setup": { provider: "anthropic", mode: "oauth" }
        }
      }
    })
    const order = profileOrder(store, config, anthropic, NOW)
    expect(order.candidates).toEqual(["anthropic:a", "anthropic:setup"])
    expect(order.excluded.map((x) => [x.profileId, x.why.kind])).toEqual([
      ["anthropic:gone", "not-found"],
      ["openai:x", "wrong-provider"],
      ["anthropic:empty", "no-secret"],
      ["anthropic:old", "expired"],
      ["anthropic:mismatch", "mode-mismatch"],
      ["anthropic:noaccess", "no-secret"]
    ])
  })

  it("uses the config auth.profiles ids as the base list when there is no explicit order", () => {
    const store = storeOf({ profiles: { "anthropic:a": key(), "anthropic:b": key() } })
    const config = configOf({ auth: { profiles: { "anthropic:b": { provider: "anthropic", mode: "api_key" } } } })
    expect(profileOrder(store, config, anthropic, NOW).candidates).toEqual(["anthropic:b"])
  })
})
