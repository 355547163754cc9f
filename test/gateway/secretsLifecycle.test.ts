import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { DEGRADED, IGNORED_INACTIVE, RECOVERED } from "../../src/gateway/SecretsHealth.js"
import { MemorySecretResolver } from "../support/SecretResolverTest.js"
import { ask, expectNoSecrets, GATEWAY_TOKEN, GatewayHome, json, KEYS, POLL, startGateway } from "./harness.js"

/**
 * The gateway's side of secret refs (§9) in-process, over MemorySecretResolver: what it needs fails the start,
 * a reload that cannot resolve keeps the last good snapshot (DEGRADED once, RECOVERED once), nothing is resolved
 * per request.
 */

const VAULT = { source: "exec", command: "/usr/local/bin/vault-resolver" }
const vaultRef = (id: string) => ({ source: "exec", provider: "vault", id })
const key = (id: string) => `exec:vault:${id}`

/** The default agent's models (anthropic, then openai) with anthropic:a's key behind the vault. */
const refStore = {
  version: 1,
  profiles: {
    "anthropic:a": { type: "api_key", provider: "anthropic", keyRef: vaultRef("anthropic/a") },
    "openai:default": { type: "api_key", provider: "openai", key: KEYS.openai }
  }
}

const count = (logs: ReadonlyArray<string>, code: string) => logs.filter((l) => l.includes(code)).length

describe("gateway start with secret refs (§9)", () => {
  it.scopedLive("fails, naming where the needed ref is and why, when the gateway token ref does not resolve", () =>
    Effect.gen(function* () {
      const world = yield* GatewayHome.scoped({ config: { gateway: { auth: { mode: "token", token: vaultRef("gateway/token") } }, secrets: { providers: { vault: VAULT } } } })
      const resolver = new MemorySecretResolver(new Map([[key("gateway/token"), new Error("vault is sealed")]]))
      const error = yield* Effect.flip(startGateway(world, { ports: { resolver: resolver.layer } }))
      expect(error._tag).toBe("GatewaySecretsError")
      expect(error.message).toBe(
        `The gateway did not start: the secret reference at gateway.auth.token in ${world.config} (ref exec:vault) did not resolve: vault is sealed. Fix: make the reference resolvable (its secrets provider running and the secret present; \`openclaw secrets audit --allow-exec\` checks every ref) or point the field at another secret, then start the gateway again; for the gateway token, OPENCLAW_GATEWAY_TOKEN in ${world.state}/.env wins over the ref.`
      )
      // With OPENCLAW_GATEWAY_TOKEN set the ref is not needed: the variable wins, and the gateway starts.
      const gw = yield* startGateway(world, { ports: { resolver: resolver.layer }, vars: { OPENCLAW_GATEWAY_TOKEN: GATEWAY_TOKEN } })
      expect((yield* Effect.promise(() => gw.fetch("/v1/models"))).status).toBe(200)
      expect((yield* Effect.promise(() => gw.fetch("/v1/models", { token: null }))).status).toBe(401)
    }))

  it.scopedLive("serves with the token a ref resolves to; an unresolved ref of an unused provider is reported once, not fatal", () =>
    Effect.gen(function* () {
      const world = yield* GatewayHome.scoped({ config: { gateway: { auth: { mode: "token", token: vaultRef("gateway/token") } }, secrets: { providers: { vault: VAULT } } } })
      // A provider no agent's model uses, its key behind a ref nobody can resolve.
      const config = yield* Effect.promise(() => world.readJson(world.config))
      config.models.providers.groq = { apiKey: vaultRef("groq/key") }
      yield* Effect.promise(() => world.writeJson(world.config, config))
      const resolver = new MemorySecretResolver(new Map([[key("gateway/token"), GATEWAY_TOKEN]]))
      const gw = yield* startGateway(world, { ports: { resolver: resolver.layer } })
      expect((yield* Effect.promise(() => gw.fetch("/v1/models", { token: null }))).status).toBe(401)
      expect((yield* Effect.promise(() => gw.fetch("/v1/models", { token: GATEWAY_TOKEN }))).status).toBe(200)
      const ignored = gw.logs.filter((l) => l.includes(IGNORED_INACTIVE))
      expect(ignored).toEqual([`WARN ${IGNORED_INACTIVE} models.providers.groq.apiKey in ${world.config} (ref exec:vault): groq/key not found (not needed: no agent's model uses provider groq)`])
      yield* Effect.promise(() => gw.reload())
      expect(count(gw.logs, IGNORED_INACTIVE)).toBe(1)
      expectNoSecrets(gw.logs.join("\n"))
    }))
})

describe("gateway reload with secret refs (§9)", () => {
  it.scopedLive("a failing resolver keeps the last good key: DEGRADED once over several reloads, /health degraded, RECOVERED once, then the new key", () =>
    Effect.gen(function* () {
      const world = yield* GatewayHome.scoped({ token: true, store: refStore, config: { secrets: { providers: { vault: VAULT } } } })
      const resolver = new MemorySecretResolver(new Map([[key("anthropic/a"), KEYS.a]]))
      const gw = yield* startGateway(world, { ports: { resolver: resolver.layer } })
      const chat = () => Effect.promise(() => gw.client().chat.completions.create(ask("hi")))
      yield* chat()
      expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…AK01")

      // Never per request: 20 requests, not one more batch.
      const batches = resolver.calls.get("vault")
      expect(batches).toBeGreaterThan(0)
      for (let i = 0; i < 20; i++) yield* chat()
      expect(resolver.calls.get("vault")).toBe(batches)

      resolver.values.set(key("anthropic/a"), new Error("vault is sealed"))
      // (The generation also moves when the gateway records usage in the store: compare profiles, keys and logs.)
      for (let i = 0; i < 3; i++) yield* Effect.promise(() => gw.reload(`attempt ${i}`))
      const answer = yield* Effect.promise(() => gw.fetch("/v1/secrets/reload", { method: "POST", body: "{}" }))
      expect(answer.status).toBe(503)
      const body = yield* Effect.promise(() => json(answer))
      expect(body).toMatchObject({
        ok: false,
        degraded: true,
        unresolved: [{ location: `profiles.anthropic:a.keyRef in ${world.store}`, ref: "ref exec:vault", reason: "vault is sealed", needed: true }],
        error: { code: "secrets_reload_degraded" }
      })
      expect(count(gw.logs, DEGRADED)).toBe(1)
      expect(count(gw.logs, "still cannot resolve")).toBe(3)
      const degradedLine = gw.logs.find((l) => l.includes(DEGRADED))!
      expect(degradedLine).toMatch(/^WARN SECRETS_RELOADER_DEGRADED reload \(attempt 0\) could not resolve a secret reference the gateway needs, so it keeps serving generation \d+ \(the last good one\): /)
      expect(degradedLine.endsWith(`: profiles.anthropic:a.keyRef in ${world.store} (ref exec:vault): vault is sealed`)).toBe(true)
      const generation = yield* Effect.promise(() => gw.generation())
      expect(body.generation).toBeLessThanOrEqual(generation)
      expect(yield* Effect.promise(() => json(gw.fetch("/health", { token: null })))).toMatchObject({ status: "degraded", generation })
      // Still serving, with the key it had.
      yield* chat()
      expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…AK01")

      // The vault heals, with a rotated key.
      resolver.values.set(key("anthropic/a"), KEYS.b)
      const healed = yield* Effect.promise(() => gw.fetch("/v1/secrets/reload", { method: "POST", body: "{}" }))
      expect(healed.status).toBe(200)
      expect(yield* Effect.promise(() => json(healed))).toMatchObject({ ok: true, degraded: false, unresolved: [] })
      yield* Effect.promise(() => gw.reload())
      expect(count(gw.logs, RECOVERED)).toBe(1)
      expect(count(gw.logs, DEGRADED)).toBe(1)
      expect(yield* Effect.promise(() => json(gw.fetch("/health", { token: null })))).toMatchObject({ status: "ok" })
      yield* chat()
      expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…BK02")
      expectNoSecrets(gw.logs.join("\n") + JSON.stringify(body))
    }))

  it.scopedLive("a ref stored since the last reload (the CLI's paste-api-key --ref) is resolved by a reload the store change brings, not left unusable", () =>
    Effect.gen(function* () {
      const world = yield* GatewayHome.scoped({ token: true, store: refStore, config: { secrets: { providers: { vault: VAULT } } } })
      const resolver = new MemorySecretResolver(new Map([[key("anthropic/a"), KEYS.a], [key("anthropic/added"), KEYS.added]]))
      const gw = yield* startGateway(world, { ports: { resolver: resolver.layer } })
      yield* Effect.promise(() => gw.client().chat.completions.create(ask("hi")))
      expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…AK01")
      // The gateway records that use in the store (under its lock); the test's writer takes none, so it waits.
      yield* Effect.promise(() => expect.poll(async () => (await world.readJson(world.store)).lastGood?.anthropic, POLL).toBe("anthropic:a"))
      const store = yield* Effect.promise(() => world.readJson(world.store))
      store.profiles["anthropic:added"] = { type: "api_key", provider: "anthropic", keyRef: vaultRef("anthropic/added") }
      store.order = { anthropic: ["anthropic:added", "anthropic:a"] }
      yield* Effect.promise(() => world.writeJson(world.store, store))
      yield* Effect.promise(() =>
        expect
          .poll(async () => (await gw.client().chat.completions.create(ask("hi")), world.fake.requests.at(-1)!.credential), POLL)
          .toBe("sk-ant-api03-…NK05")
      )
      expectNoSecrets(gw.logs.join("\n"))
    }))
})

