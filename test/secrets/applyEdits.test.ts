/**
 * The edits of `secrets apply` over many targets (§9, §11): one batch copies each object once, so a plan of 10,000
 * targets is linear (it was quadratic: minutes in the CLI), while the documents passed in stay untouched and a
 * refused target leaves the batch's result as it was.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { editBatch, setConfigRef, setStoreRef } from "../../src/domain/SecretsApplyEdits.js"
import { decodeTarget, type ConfigTarget, type StoreTarget } from "../../src/domain/SecretsPlan.js"

const REF = { source: "env", provider: "default", id: "OPENAI_API_KEY" }
const target = <T>(u: unknown): T => Either.getOrThrow(decodeTarget(u)) as T
const configTarget = (provider: string) =>
  target<ConfigTarget>({ type: "models.providers.apiKey", path: `models.providers.${provider}.apiKey`, ref: REF })
const storeTarget = (profile: string) =>
  target<StoreTarget>({ type: "auth-profiles.api_key.key", path: `profiles.${profile}.key`, agentId: "main", ref: REF })

const N = 10_000

describe("secrets apply edits in one batch", () => {
  it("10,000 config targets: every ref set, the input document unchanged, in linear time", () => {
    const input = { models: { providers: { p0: { apiKey: "sk-plain-replaced-0000" } } }, keep: { a: 1 } }
    const before = JSON.stringify(input)
    const batch = editBatch()
    let raw: Record<string, unknown> = input
    const replaced: Array<string> = []
    const started = performance.now()
    for (let i = 0; i < N; i++) {
      const edited = Either.getOrThrow(setConfigRef(raw, configTarget(`p${i}`), batch))
      raw = edited.raw
      if (edited.replaced !== undefined) replaced.push(edited.replaced)
    }
    // Quadratic copying took minutes here; linear is well under a second even on a loaded machine.
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(JSON.stringify(input)).toBe(before)
    expect(replaced).toEqual(["sk-plain-replaced-0000"])
    const providers = (raw.models as { providers: Record<string, unknown> }).providers
    expect(Object.keys(providers)).toHaveLength(N)
    expect(providers.p9999).toEqual({ apiKey: REF })
    expect(raw.keep).toEqual({ a: 1 })
  })

  it("a refused target leaves the batch's document as the earlier targets made it", () => {
    const batch = editBatch()
    const first = Either.getOrThrow(setConfigRef({ models: { providers: { bad: "x" } } }, configTarget("ok"), batch))
    const snapshot = JSON.stringify(first.raw)
    const refused = setConfigRef(first.raw, configTarget("bad"), batch)
    expect(Either.isLeft(refused)).toBe(true)
    expect(JSON.stringify(first.raw)).toBe(snapshot)
  })

  it("10,000 store targets: each profile's key replaced by its ref, the input store unchanged", () => {
    const profiles: Record<string, unknown> = {}
    for (let i = 0; i < N; i++) profiles[`openai:p${i}`] = { type: "api_key", provider: "openai", key: `sk-plain-${i}-abcdefgh` }
    const input = { version: 1, profiles }
    const before = JSON.stringify(input)
    const batch = editBatch()
    let raw: Record<string, unknown> = input
    const started = performance.now()
    for (let i = 0; i < N; i++) raw = Either.getOrThrow(setStoreRef(raw, storeTarget(`openai:p${i}`), batch)).raw
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(JSON.stringify(input)).toBe(before)
    expect(JSON.stringify(raw)).not.toContain("sk-plain-")
    expect((raw.profiles as Record<string, unknown>)["openai:p42"]).toEqual({ type: "api_key", provider: "openai", keyRef: REF })
  })
})
