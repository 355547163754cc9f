import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { decodeAuthStore, removeProfile, setProfile } from "../../src/domain/AuthStore.js"
import { decodeConfig, substituteEnvRefs } from "../../src/domain/Config.js"
import { TokenCredential } from "../../src/domain/Credential.js"
import type { ProfileId } from "../../src/domain/ProfileId.js"
import type { ProviderId } from "../../src/domain/Provider.js"
import { ProfileStore } from "../../src/services/ProfileStore.js"
import { MemoryFs } from "../support/MemoryFiles.js"
import { STORE, testServices } from "../support/TestApp.js"

describe("auth-profiles.json reading (§3.1)", () => {
  it("accepts mode for type and apiKey for key, normalises provider aliases", () => {
    const store = Either.getOrThrow(
      decodeAuthStore({ profiles: { "anthropic:a": { mode: "api_key", provider: "Claude", apiKey: "sk-FAKE" } } })
    )
    const c = store.profiles.get("anthropic:a" as ProfileId)!
    expect(c.type).toBe("api_key")
    expect(c.provider).toBe("anthropic")
    expect(c.type === "api_key" && Redacted.value(c.key!)).toBe("sk-FAKE")
  })

  it("a provider named like a prototype key, or control characters in an id or a provider, are skipped and said (§11)", () => {
    const store = Either.getOrThrow(
      decodeAuthStore({
        profiles: {
          "x:1": { type: "api_key", provider: "constructor", key: "k" },
          "x:2": { type: "api_key", provider: "__proto__", key: "k" },
          "x:\u001b[2J": { type: "api_key", provider: "x", key: "k" },
          "x:4": { type: "api_key", provider: "x\u0007", key: "k" },
          "x:ok": { type: "api_key", provider: "x", key: "k", email: "me@x.y" }
        },
        order: { x: ["x:1", "x:ok"] }
      })
    )
    expect([...store.profiles.keys()]).toEqual(["x:ok"])
    expect(store.skipped).toEqual([
      { profileId: "x:1", reason: 'provider "constructor" is a reserved name' },
      { profileId: "x:2", reason: 'provider "__proto__" is a reserved name' },
      { profileId: "x:\u001b[2J", reason: "its id contains an ESC (a control character); rename the entry by hand" },
      { profileId: "x:4", reason: "provider contains a BEL (a control character)" }
    ])
    // Records keyed by ids from outside find only what the file holds.
    expect(store.order["constructor"]).toBeUndefined()
    expect(store.usageStats["constructor"]).toBeUndefined()
    expect(store.lastGood["__proto__"]).toBeUndefined()
  })

  it("skips bad entries with the reason, never silently", () => {
    const store = Either.getOrThrow(
      decodeAuthStore({
        profiles: {
          "x:1": "nope",
          "x:2": { type: "magic", provider: "x" },
          "x:3": { type: "api_key", key: "k" },
          "x:4": { type: "api_key", provider: "x", key: 123 },
          "x:5": { type: "token", provider: "x", token: "t", expires: "soon" },
          "x:ok": { type: "api_key", provider: "x", key: "k" }
        }
      })
    )
    expect([...store.profiles.keys()]).toEqual(["x:ok"])
    expect(store.skipped).toEqual([
      { profileId: "x:1", reason: "not an object (got a string)" },
      { profileId: "x:2", reason: 'unknown type "magic"' },
      { profileId: "x:3", reason: "no provider" },
      { profileId: "x:4", reason: "key: expected a string, got 123" },
      { profileId: "x:5", reason: "expires: expected a number, got a string" }
    ])
  })

  it("fails on sections of the wrong shape, naming the field", () => {
    expect(decodeAuthStore([])).toEqual(Either.left("expected a JSON object at the top level, got an array"))
    expect(decodeAuthStore({ profiles: [] })).toEqual(Either.left(expect.stringMatching(/^profiles: expected/)))
    expect(decodeAuthStore({ order: { anthropic: "x" } })).toEqual(Either.left(expect.stringMatching(/^order\.anthropic: expected/)))
    expect(decodeAuthStore({ version: "1" })).toEqual(Either.left("version: expected a number, got a string"))
  })

  it("keeps unknown fields and skipped entries when a profile is added or removed", () => {
    const raw = {
      version: 1,
      futureField: { keep: true },
      profiles: { "x:bad": { type: "magic" }, "x:old": { type: "api_key", provider: "x", key: "k", note: "mine" } },
      order: { x: ["x:old", "x:new"] },
      lastGood: { x: "x:old" },
      usageStats: { "x:old": { lastUsed: 1 } }
    }
    const added = setProfile(
      raw,
      "x:new" as ProfileId,
      new TokenCredential({ type: "token", provider: "x" as ProviderId, token: Redacted.make("t"), expires: 5 })
    )
    expect(added).toMatchObject({ futureField: { keep: true }, profiles: { "x:bad": { type: "magic" }, "x:new": { type: "token", provider: "x", token: "t", expires: 5 } } })
    const removed = removeProfile(added, "x:old" as ProfileId)
    expect(removed).toEqual({
      version: 1,
      futureField: { keep: true },
      profiles: { "x:bad": { type: "magic" }, "x:new": { type: "token", provider: "x", token: "t", expires: 5 } },
      order: { x: ["x:new"] },
      lastGood: {},
      usageStats: {}
    })
  })
})

describe("ProfileStore writes (§3.3)", () => {
  it.effect("read-modify-write keeps fields it does not own", () => {
    const fs = new MemoryFs({ [STORE]: JSON.stringify({ version: 1, extra: [1, 2], profiles: {} }) })
    return Effect.gen(function* () {
      const store = yield* ProfileStore
      yield* store.update(STORE, (doc) => Effect.succeed([{ ...doc.raw, order: { anthropic: [] } }, undefined] as const))
      expect(JSON.parse(fs.read(STORE)!)).toEqual({ version: 1, extra: [1, 2], profiles: {}, order: { anthropic: [] } })
    }).pipe(Effect.provide(testServices({ fs })))
  })

  it.effect("returns the document as written beside what the closure decided; unchanged means no write", () => {
    const fs = new MemoryFs({ [STORE]: JSON.stringify({ version: 1, profiles: {} }) })
    return Effect.gen(function* () {
      const store = yield* ProfileStore
      const [same, seen] = yield* store.update(STORE, (doc) => Effect.succeed([doc.raw, doc.store.profiles.size] as const))
      expect(seen).toBe(0)
      expect(same.exists).toBe(true)
      expect(fs.writes).toBe(0)
      const [written, decided] = yield* store.update(STORE, (doc) =>
        Effect.succeed([{ ...doc.raw, order: { anthropic: [] } }, "wrote"] as const)
      )
      expect(decided).toBe("wrote")
      expect(written.store.order).toEqual({ anthropic: [] })
      expect(fs.writes).toBe(1)
    }).pipe(Effect.provide(testServices({ fs })))
  })

  it.effect("never overwrites a store that does not parse", () => {
    const broken = '{"version": 1, "profiles": {'
    const fs = new MemoryFs({ [STORE]: broken })
    return Effect.gen(function* () {
      const store = yield* ProfileStore
      const error = yield* Effect.flip(store.update(STORE, (doc) => Effect.succeed([doc.raw, undefined] as const)))
      expect(error._tag).toBe("FileParseError")
      expect(error.message).toContain(`${STORE}:1:`)
      expect(fs.read(STORE)).toBe(broken)
      expect(fs.writes).toBe(0)
    }).pipe(Effect.provide(testServices({ fs })))
  })

  it.effect("serialises concurrent updates in one process", () => {
    const fs = new MemoryFs()
    return Effect.gen(function* () {
      const store = yield* ProfileStore
      yield* Effect.forEach(
        Array.from({ length: 20 }, (_, i) => i),
        (i) =>
          store.update(STORE, (doc) =>
            Effect.succeed([
              setProfile(
                doc.raw,
                `x:p${i}` as ProfileId,
                new TokenCredential({ type: "token", provider: "x" as ProviderId, token: Redacted.make(`t${i}`) })
              ),
              undefined
            ] as const)
          ),
        { concurrency: "unbounded" }
      )
      expect(Object.keys(JSON.parse(fs.read(STORE)!).profiles)).toHaveLength(20)
    }).pipe(Effect.provide(testServices({ fs })))
  })
})

describe("openclaw.json (§3.2)", () => {
  it("substitutes ${VAR}, keeps $${VAR} literal, reports unset variables", () => {
    const { value, missing } = substituteEnvRefs(
      { models: { providers: { local: { apiKey: "${LOCAL_KEY}", baseUrl: "http://${HOST}:8000" } } }, note: "$${KEEP}", n: 5 },
      (name) => (name === "LOCAL_KEY" ? "secret" : undefined)
    )
    expect(value).toEqual({ models: { providers: { local: { apiKey: "secret", baseUrl: "http://:8000" } } }, note: "${KEEP}", n: 5 })
    expect(missing).toEqual(["HOST"])
  })
  it("reports the values it put in as possible secrets, but not those of the system's own variables (HOME, USER, …)", () => {
    const vars: Record<string, string> = { HOME: "/home/alice-example", USER: "alice-example", MODEL_KEY: "sk-FAKE-in-a-model-id-0000" }
    const { substituted } = substituteEnvRefs({ agentDir: "${HOME}/.openclaw/agents/w", who: "${USER}", model: "x/${MODEL_KEY}" }, (name) => vars[name])
    expect(substituted).toEqual(["sk-FAKE-in-a-model-id-0000"])
  })
  it("names the field of the wrong type", () => {
    expect(decodeConfig({ agents: { list: 5 } })).toEqual(Either.left(expect.stringMatching(/^agents\.list: expected/)))
    expect(decodeConfig([1])).toEqual(Either.left("expected a JSON5 object at the top level, got an array"))
  })
})
