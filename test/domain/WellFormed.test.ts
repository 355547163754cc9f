import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { StoreShape, UsageStats, wellFormedStoreShape } from "../../src/domain/AuthStore.js"
import { type CredentialType, decodeNormalizedEntry, wellFormedCredential } from "../../src/domain/Credential.js"

/**
 * Issue 12: well-formed profiles and store sections are built directly instead of through Schema's generic walk.
 * Whenever the direct reading answers, it must give exactly what Schema gives — the same classes, fields in the
 * same order, the same values — and for a well-formed entry it must answer.
 */

/** A value with its structure made visible: key order, classes and redacted contents all count. */
const shape = (value: unknown): unknown => {
  if (Redacted.isRedacted(value)) return ["Redacted", Redacted.value(value)]
  if (Array.isArray(value)) return ["Array", value.map(shape)]
  if (value !== null && typeof value === "object") {
    return [value.constructor?.name ?? "null-prototype", Object.entries(value).map(([k, v]) => [k, shape(v)])]
  }
  return value
}

const TYPES: ReadonlyArray<CredentialType> = ["api_key", "token", "oauth"]
const FIELDS = ["key", "apiKey", "token", "access", "refresh", "expires", "email", "accountId", "clientId", "extra", "keyRef", "tokenRef"]
/** SecretRefs (§9), valid and not: either reading must decode, drop or refuse them alike. */
const refValue = FastCheck.oneof(
  FastCheck.constant({ source: "env", provider: "default", id: "OPENAI_API_KEY" }),
  FastCheck.constant({ source: "file", provider: "filemain", id: "/providers/openai/apiKey", extra: 1 }),
  FastCheck.constant({ source: "exec", provider: "vault", id: "a/../b" }),
  FastCheck.constant({ source: "env", provider: "Default", id: "X" }),
  FastCheck.constant({ source: "keychain", provider: "default", id: "X" })
)
const anyValue = FastCheck.oneof(
  refValue,
  FastCheck.string({ maxLength: 12 }),
  FastCheck.constant("sk-FAKE-0123456789"),
  FastCheck.double(),
  FastCheck.integer(),
  FastCheck.constant(undefined),
  FastCheck.constant(null),
  FastCheck.boolean(),
  FastCheck.constant({}),
  FastCheck.constant([])
)
const entryArb = FastCheck.record({
  type: FastCheck.constantFrom(...TYPES),
  provider: FastCheck.constantFrom("anthropic", " Claude ", "OpenAI", "x"),
  fields: FastCheck.dictionary(FastCheck.constantFrom(...FIELDS), anyValue, { maxKeys: 6 })
})

/** Entries whose every field holds what it must: strings, an epoch number, in any order, with extra fields. */
const wellFormedArb = FastCheck.record({
  type: FastCheck.constantFrom(...TYPES),
  provider: FastCheck.constantFrom("anthropic", "openai", "Gemini"),
  secret: FastCheck.string({ minLength: 1, maxLength: 20 }),
  useApiKey: FastCheck.boolean(),
  expires: FastCheck.option(FastCheck.integer({ min: 0 }), { nil: undefined }),
  email: FastCheck.option(FastCheck.emailAddress(), { nil: undefined }),
  refresh: FastCheck.option(FastCheck.string({ maxLength: 20 }), { nil: undefined }),
  // A ref alone, or beside a plain value it wins over (§9).
  ref: FastCheck.constantFrom("none", "alone", "beside")
}).map(({ type, provider, secret, useApiKey, expires, email, refresh, ref }) => {
  const entry: Record<string, unknown> = { provider, mode: type, unknownField: 1 }
  if (email !== undefined) entry.email = email
  if (type === "api_key") entry[useApiKey ? "apiKey" : "key"] = secret
  if (type === "token") entry.token = secret
  if (type === "oauth") {
    entry.access = secret
    if (refresh !== undefined) entry.refresh = refresh
  }
  if (type !== "api_key" && expires !== undefined) entry.expires = expires
  if (type !== "oauth" && ref !== "none") {
    entry[type === "api_key" ? "keyRef" : "tokenRef"] = { source: "exec", provider: "vault", id: "providers/openai#key" }
    if (ref === "alone") for (const field of ["key", "apiKey", "token"]) delete entry[field]
  }
  return { type, entry }
})

describe("well-formed profiles read without Schema's walk agree with Schema (issue 12)", () => {
  it.prop("a credential built directly is the one Schema decodes", [entryArb], ([{ type, provider, fields }]) => {
    const entry = { ...fields, type, provider }
    const direct = wellFormedCredential(entry, type)
    if (direct === undefined) return
    const decoded = decodeNormalizedEntry(entry, type)
    expect(Either.isRight(decoded), `Schema refuses ${JSON.stringify(entry)}`).toBe(true)
    expect(shape(direct)).toEqual(shape(Either.getOrThrow(decoded)))
  }, { fastCheck: { numRuns: 2000 } })

  it.prop("a well-formed entry is built directly", [wellFormedArb], ([{ type, entry }]) => {
    const direct = wellFormedCredential(entry, type)
    expect(direct).toBeDefined()
    expect(shape(direct)).toEqual(shape(Either.getOrThrow(decodeNormalizedEntry(entry, type))))
  }, { fastCheck: { numRuns: 500 } })

  it("a field present but undefined, or a missing secret, is left to Schema", () => {
    expect(wellFormedCredential({ provider: "openai", key: "sk-FAKE-1", email: undefined }, "api_key")).toBeUndefined()
    expect(wellFormedCredential({ provider: "openai" }, "api_key")).toBeUndefined()
    expect(wellFormedCredential({ provider: "openai", token: 42 }, "token")).toBeUndefined()
  })

  const sectionValue = FastCheck.oneof(
    anyValue,
    FastCheck.dictionary(FastCheck.constantFrom("a", "b", "openai", "constructor", "__proto__"), anyValue, { maxKeys: 3 }),
    FastCheck.dictionary(FastCheck.constantFrom("a", "b"), FastCheck.array(FastCheck.oneof(FastCheck.string({ maxLength: 4 }), FastCheck.integer()), { maxLength: 3 }), { maxKeys: 2 }),
    FastCheck.dictionary(
      FastCheck.constantFrom("p:1", "p:2"),
      FastCheck.dictionary(
        // Every field the schema knows (a field the fast path forgot would be dropped), and one it does not.
        FastCheck.constantFrom(...Object.keys(UsageStats.fields), "other"),
        FastCheck.oneof(anyValue, FastCheck.dictionary(FastCheck.constantFrom("auth", "billing"), FastCheck.oneof(FastCheck.integer(), FastCheck.string({ maxLength: 3 })), { maxKeys: 2 })),
        { maxKeys: 4 }
      ),
      { maxKeys: 2 }
    )
  )
  const storeArb = FastCheck.dictionary(
    FastCheck.constantFrom("version", "profiles", "order", "lastGood", "usageStats", "other"),
    sectionValue,
    { maxKeys: 5 }
  )

  it.prop("store sections built directly are the ones Schema decodes", [storeArb], ([raw]) => {
    const direct = wellFormedStoreShape(raw)
    if (direct === undefined) return
    const decoded = Schema.decodeUnknownEither(StoreShape)(raw)
    expect(Either.isRight(decoded), `Schema refuses ${JSON.stringify(raw)}`).toBe(true)
    const defined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
    // An undefined section and an absent one read alike; everything inside must match exactly.
    expect(shape(defined(direct))).toEqual(shape(defined(Either.getOrThrow(decoded))))
  }, { fastCheck: { numRuns: 3000 } })

  it("a well-formed store is read directly", () => {
    const raw = {
      version: 1,
      profiles: { "openai:a": { type: "api_key", provider: "openai", key: "sk-FAKE-1" } },
      order: { openai: ["openai:a"] },
      lastGood: { openai: "openai:a" },
      usageStats: {
        "openai:a": { lastUsed: 1, errorCount: 0, failureCounts: { auth: 1 }, cooldownUntil: 5, lastError: { reason: "auth", at: 4, message: "401" } }
      }
    }
    const direct = wellFormedStoreShape(raw)
    expect(direct).toBeDefined()
    expect(shape(direct)).toEqual(shape(Either.getOrThrow(Schema.decodeUnknownEither(StoreShape)(raw))))
  })
})
