import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { decodeAuthStore, setProfile } from "../../src/domain/AuthStore.js"
import { decodeConfig } from "../../src/domain/Config.js"
import { configRefs, materializeConfig } from "../../src/domain/ConfigRefs.js"
import { credentialRef, credentialSecret, decodeCredentialEntry, encodeCredential, OAUTH_REF_REFUSED } from "../../src/domain/Credential.js"
import { describeUnusable, profileOrder, whyUnusable } from "../../src/domain/Order.js"
import type { ProfileId } from "../../src/domain/ProfileId.js"
import type { ProviderId } from "../../src/domain/Provider.js"
import { resolved, type SecretSnapshot, unresolved } from "../../src/domain/SecretResolution.js"
import { secretRefKey } from "../../src/domain/SecretRef.js"
import { materializeStore, plainResidue, plainResidueValues, storeRefs } from "../../src/domain/StoreRefs.js"

const ENV_REF = { source: "env", provider: "default", id: "OPENAI_API_KEY" } as const
const EXEC_REF = { source: "exec", provider: "vault", id: "anthropic/token" } as const
const RESOLVED_KEY = "sk-proj-RESOLVEDfromENV0123456789abcdef"
const RESOLVED_TOKEN = "sk-ant-oat01-RESOLVEDfromEXEC0123456789abcdef"
const openai = "openai" as ProviderId
const anthropic = "anthropic" as ProviderId

const snapshotOf = (entries: ReadonlyArray<readonly [typeof ENV_REF | typeof EXEC_REF, ReturnType<typeof resolved>]>): SecretSnapshot => ({
  refs: entries.map(([ref]) => ({ file: "/s/auth-profiles.json", path: "profiles", ref })),
  resolutions: new Map(entries.map(([ref, r]) => [secretRefKey(ref), r]))
})

describe("keyRef / tokenRef in auth-profiles.json (§9)", () => {
  it("a ref is read in place of the secret, and wins over a plain value beside it", () => {
    const alone = Either.getOrThrow(decodeCredentialEntry({ type: "api_key", provider: "openai", keyRef: ENV_REF, email: "a@b.c" }))
    expect(credentialRef(alone)).toEqual(ENV_REF)
    expect(credentialSecret(alone)).toBeUndefined()
    expect(alone.type === "api_key" && alone.email).toBe("a@b.c")
    for (const plain of [{ key: "sk-plain-RESIDUE-123456" }, { apiKey: "sk-plain-RESIDUE-123456" }]) {
      const beside = Either.getOrThrow(decodeCredentialEntry({ type: "api_key", provider: "openai", ...plain, keyRef: ENV_REF }))
      expect(credentialRef(beside)).toEqual(ENV_REF)
      expect(credentialSecret(beside)).toBeUndefined()
    }
    const token = Either.getOrThrow(
      decodeCredentialEntry({ mode: "token", provider: "anthropic", token: "sk-ant-oat01-RESIDUE", tokenRef: EXEC_REF, expires: 5 })
    )
    expect(token).toMatchObject({ type: "token", tokenRef: EXEC_REF, expires: 5 })
    expect(credentialSecret(token)).toBeUndefined()
  })

  it("an invalid ref skips the entry with decodeSecretRef's reason; a ref on oauth is refused", () => {
    const store = Either.getOrThrow(
      decodeAuthStore({
        profiles: {
          "openai:bad-id": { type: "api_key", provider: "openai", key: "sk-plain-123456789", keyRef: { source: "env", provider: "default", id: "lower" } },
          "openai:bad-source": { type: "api_key", provider: "openai", keyRef: { source: "keychain", provider: "default", id: "X" } },
          "openai:not-object": { type: "api_key", provider: "openai", keyRef: "env:default:X" },
          "anthropic:oauth": { type: "oauth", provider: "anthropic", access: "a", refresh: "r", tokenRef: EXEC_REF },
          "openai:ok": { type: "api_key", provider: "openai", keyRef: ENV_REF }
        }
      })
    )
    expect([...store.profiles.keys()]).toEqual(["openai:ok"])
    expect(store.skipped).toEqual([
      { profileId: "openai:bad-id", reason: "keyRef: env ids are variable names matching ^[A-Z][A-Z0-9_]{0,127}$" },
      { profileId: "openai:bad-source", reason: "keyRef: source must be one of env, file, exec" },
      { profileId: "openai:not-object", reason: "keyRef: a secret reference is an object { source, provider, id }" },
      { profileId: "anthropic:oauth", reason: OAUTH_REF_REFUSED }
    ])
  })

  it("without a ref the secret is required as before", () => {
    expect(decodeCredentialEntry({ type: "api_key", provider: "openai" })).toEqual(Either.left("key: expected a string, got undefined"))
    expect(decodeCredentialEntry({ type: "token", provider: "anthropic" })).toEqual(Either.left("token: is missing"))
  })

  it("materialised in memory: resolved → usable with the value; unresolved → unusable_ref; written back as the ref only", () => {
    const store = Either.getOrThrow(
      decodeAuthStore({
        profiles: {
          "openai:ref": { type: "api_key", provider: "openai", keyRef: ENV_REF },
          "anthropic:ref": { type: "token", provider: "anthropic", tokenRef: EXEC_REF },
          "anthropic:plain": { type: "api_key", provider: "anthropic", key: "sk-ant-api03-plain" }
        }
      })
    )
    expect(storeRefs(store, () => "/s/auth-profiles.json").map((r) => [r.path, r.ref])).toEqual([
      ["profiles.openai:ref.keyRef", ENV_REF],
      ["profiles.anthropic:ref.tokenRef", EXEC_REF]
    ])
    const snapshot = snapshotOf([[ENV_REF, resolved(RESOLVED_KEY)], [EXEC_REF, unresolved("vault: not found")]])
    const live = materializeStore(store, snapshot)
    const key = live.profiles.get("openai:ref" as ProfileId)!
    expect(credentialSecret(key)).toBe(RESOLVED_KEY)
    expect(credentialRef(key)).toEqual(ENV_REF)
    expect(profileOrder(live, Either.getOrThrow(decodeConfig({})), openai, 0).candidates).toEqual(["openai:ref"])
    const order = profileOrder(live, Either.getOrThrow(decodeConfig({})), anthropic, 0)
    expect(order.candidates).toEqual(["anthropic:plain"])
    expect(order.excluded).toEqual([{ profileId: "anthropic:ref", why: { kind: "unresolved-ref", ref: EXEC_REF } }])
    expect(describeUnusable(order.excluded[0]!.why)).toBe("unresolved_ref")
    // A store without refs is returned as it is (no copy for the common case).
    const plain = Either.getOrThrow(decodeAuthStore({ profiles: { "a:b": { type: "api_key", provider: "a", key: "k" } } }))
    expect(materializeStore(plain, snapshot)).toBe(plain)
    // Materialising again with a snapshot where it no longer resolves takes the value away.
    const gone = materializeStore(live, snapshotOf([[ENV_REF, unresolved("OPENAI_API_KEY is not set")]]))
    expect(credentialSecret(gone.profiles.get("openai:ref" as ProfileId)!)).toBeUndefined()
    // Whatever is written of a materialised credential is its ref, never the value it resolved to.
    expect(encodeCredential(key)).toEqual({ type: "api_key", provider: "openai", keyRef: ENV_REF })
    const written = JSON.stringify(setProfile({ profiles: {} }, "openai:copy" as ProfileId, key))
    expect(written).not.toContain(RESOLVED_KEY)
    expect(written).toContain('"keyRef"')
  })

  it("a ref on a profile the config declares oauth is unusable with the reason", () => {
    const store = Either.getOrThrow(decodeAuthStore({ profiles: { "anthropic:sub": { type: "token", provider: "anthropic", tokenRef: EXEC_REF } } }))
    const live = materializeStore(store, snapshotOf([[EXEC_REF, resolved(RESOLVED_TOKEN)]]))
    const config = Either.getOrThrow(decodeConfig({ auth: { profiles: { "anthropic:sub": { provider: "anthropic", mode: "oauth" } } } }))
    const why = whyUnusable(config, anthropic, "anthropic:sub" as ProfileId, live.profiles.get("anthropic:sub" as ProfileId), 0)
    expect(why).toEqual({ kind: "oauth-ref" })
    expect(describeUnusable(why!)).toContain(OAUTH_REF_REFUSED)
  })

  it("plain residue beside a ref is found by place, and its values kept for the registry", () => {
    const raw = {
      profiles: {
        "openai:a": { type: "api_key", provider: "openai", apiKey: "sk-plain-RESIDUE-1", keyRef: ENV_REF },
        "anthropic:t": { type: "token", provider: "anthropic", token: "sk-ant-oat01-RESIDUE-2", tokenRef: EXEC_REF },
        "openai:b": { type: "api_key", provider: "openai", key: "sk-plain-no-ref" },
        "openai:c": { type: "api_key", provider: "openai", key: "", keyRef: ENV_REF }
      }
    }
    expect(plainResidue(raw)).toEqual([
      { profileId: "openai:a", field: "apiKey", refField: "keyRef" },
      { profileId: "anthropic:t", field: "token", refField: "tokenRef" }
    ])
    expect(plainResidueValues(raw)).toEqual(["sk-plain-RESIDUE-1", "sk-ant-oat01-RESIDUE-2"])
  })
})

describe("SecretInput fields in openclaw.json (§9)", () => {
  const raw = {
    models: {
      providers: {
        openai: { apiKey: ENV_REF, headers: { "x-team": "plain", "x-secret": EXEC_REF } },
        local: { baseUrl: "http://127.0.0.1:8000/v1", apiKey: { source: "env", provider: "default", id: "bad id" } },
        groq: { apiKey: "gsk_plain_value" }
      }
    },
    gateway: { auth: { token: { source: "file", provider: "filemain", id: "/gateway/token" } } },
    secrets: { providers: { filemain: { source: "file", path: "~/s.json" } } },
    other: { kept: true }
  }

  it("decodes plain values and refs alike; an invalid ref spoils only its own field", () => {
    const config = Either.getOrThrow(decodeConfig(raw))
    expect(config.secrets).toEqual(raw.secrets)
    const { problems, refs } = configRefs(config, "/s/openclaw.json")
    expect(refs.map((r) => [r.path, r.ref])).toEqual([
      ["models.providers.openai.apiKey", ENV_REF],
      ["models.providers.openai.headers.x-secret", EXEC_REF],
      ["gateway.auth.token", { source: "file", provider: "filemain", id: "/gateway/token" }]
    ])
    expect(problems).toEqual([
      { path: "models.providers.local.apiKey", reason: "env ids are variable names matching ^[A-Z][A-Z0-9_]{0,127}$" }
    ])
    expect(decodeConfig({ models: { providers: { x: { apiKey: 42 } } } })._tag).toBe("Left")
  })

  it("materialises resolved refs into the config in memory; unresolved ones stay refs, read as not set", () => {
    const config = Either.getOrThrow(decodeConfig(raw))
    const snapshot: SecretSnapshot = {
      refs: configRefs(config, "/s/openclaw.json").refs,
      resolutions: new Map([
        [secretRefKey(ENV_REF), resolved(RESOLVED_KEY)],
        [secretRefKey(EXEC_REF), unresolved("vault: not found")],
        ["file:filemain:/gateway/token", resolved("gateway-token-RESOLVED-0123456789")]
      ])
    }
    const live = materializeConfig(config, snapshot)
    expect(live.models?.providers?.openai?.apiKey).toBe(RESOLVED_KEY)
    expect(live.models?.providers?.openai?.headers).toEqual({ "x-team": "plain", "x-secret": EXEC_REF })
    expect(live.models?.providers?.groq?.apiKey).toBe("gsk_plain_value")
    expect(live.gateway?.auth?.token).toBe("gateway-token-RESOLVED-0123456789")
    expect(Object.getPrototypeOf(live.models!.providers!)).toBeNull()
    // The decoded config is left as it was.
    expect(config.models?.providers?.openai?.apiKey).toEqual(ENV_REF)
  })
})
