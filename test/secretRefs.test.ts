import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { ProviderError, type ProviderAuth, type ProviderTarget } from "../src/domain/Chat.js"
import type { ModelRef } from "../src/domain/Config.js"
import { credentialSecret } from "../src/domain/Credential.js"
import type { ProfileId } from "../src/domain/ProfileId.js"
import { resolutionOf } from "../src/domain/SecretResolution.js"
import { loadAuthContext } from "../src/programs/AuthContext.js"
import { serveWithFailover } from "../src/programs/Failover.js"
import { SecretRegistry } from "../src/services/SecretRegistry.js"
import { ScriptedPrompter } from "./support/FakeInteraction.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { MemorySecretResolver } from "./support/SecretResolverTest.js"
import { CONFIG, NOW, runCli, STORE, testServices } from "./support/TestApp.js"

/** What the refs resolve to: none of it is in any file, and none of it may ever be written to one (§9). */
const OPENAI_KEY = "sk-proj-FAKEresolvedFromEnv0123456789abcdefWXYZ"
const ANTHROPIC_TOKEN = "sk-ant-oat01-FAKEresolvedFromExec" + "t".repeat(60) + "TK42"
const GROQ_KEY = "gsk_FAKEresolvedFromFile0123456789abcdef"
const GATEWAY_TOKEN = "gw-FAKEresolvedGatewayToken0123456789"
const RESOLVED = [OPENAI_KEY, ANTHROPIC_TOKEN, GROQ_KEY, GATEWAY_TOKEN]
const PASTED = "sk-ant-api03-FAKEpasted" + "p".repeat(40) + "PST1"

const configJson = {
  agents: { defaults: { model: { primary: "openai/gpt-5", fallbacks: ["anthropic/claude-opus-4-6", "groq/llama"] } } },
  models: { providers: { groq: { apiKey: { source: "file", provider: "filemain", id: "/groq/apiKey" } } } },
  gateway: { auth: { token: { source: "exec", provider: "vault", id: "gateway/token" } } },
  secrets: {
    providers: {
      filemain: { source: "file", path: "~/.openclaw/secrets.json", mode: "json" },
      vault: { source: "exec", command: "/usr/local/bin/vault-resolver" }
    }
  }
}
const storeJson = {
  version: 1,
  profiles: {
    "openai:default": { type: "api_key", provider: "openai", keyRef: { source: "env", provider: "default", id: "OPENAI_API_KEY" } },
    "anthropic:work": { type: "token", provider: "anthropic", tokenRef: { source: "exec", provider: "vault", id: "anthropic/token" } }
  }
}

const setup = () => {
  const fs = new MemoryFs({ [CONFIG]: JSON.stringify(configJson), [STORE]: JSON.stringify(storeJson) })
  const resolver = new MemorySecretResolver(
    new Map([
      ["exec:vault:anthropic/token", ANTHROPIC_TOKEN],
      ["exec:vault:gateway/token", GATEWAY_TOKEN],
      ["file:filemain:/groq/apiKey", GROQ_KEY]
    ])
  )
  return { fs, resolver }
}

/** Every file in the in-memory home, searched for every resolved value. */
const filesHoldingResolved = (fs: MemoryFs): ReadonlyArray<string> =>
  [...fs.files].flatMap(([path, entry]) => (RESOLVED.some((v) => entry.content.includes(v)) ? [path] : []))

describe("SecretRefs resolved when the AuthContext is built (§9)", () => {
  it.effect("every ref of config and store resolves once, into memory, and joins the registry", () => {
    const { fs, resolver } = setup()
    return Effect.gen(function* () {
      const ctx = yield* loadAuthContext(undefined)
      // One batch per provider alias, for all the refs of both files.
      expect(Object.fromEntries(resolver.calls)).toEqual({ vault: 1, filemain: 1 })
      expect(ctx.secrets.refs.map((r) => [r.file, r.path])).toEqual([
        [CONFIG, "models.providers.groq.apiKey"],
        [CONFIG, "gateway.auth.token"],
        [STORE, "profiles.openai:default.keyRef"],
        [STORE, "profiles.anthropic:work.tokenRef"]
      ])
      expect(credentialSecret(ctx.store.store.profiles.get("openai:default" as ProfileId)!)).toBe(OPENAI_KEY)
      expect(credentialSecret(ctx.store.store.profiles.get("anthropic:work" as ProfileId)!)).toBe(ANTHROPIC_TOKEN)
      expect(ctx.config.models?.providers?.groq?.apiKey).toBe(GROQ_KEY)
      expect(ctx.config.gateway?.auth?.token).toBe(GATEWAY_TOKEN)
      const registry = yield* SecretRegistry
      for (const value of RESOLVED) expect(registry.scrub(`said ${value} and ${value.slice(5, 20)}`)).not.toContain(value.slice(5, 20))
      expect(filesHoldingResolved(fs)).toEqual([])
    }).pipe(Effect.provide(testServices({ fs, resolver, vars: { OPENAI_API_KEY: OPENAI_KEY } })))
  })

  it.effect("a ref that does not resolve leaves its credential without a secret, and says why in the snapshot", () => {
    const { fs, resolver } = setup()
    return Effect.gen(function* () {
      const ctx = yield* loadAuthContext(undefined)
      const openai = ctx.store.store.profiles.get("openai:default" as ProfileId)!
      expect(credentialSecret(openai)).toBeUndefined()
      expect(resolutionOf(ctx.secrets, { source: "env", provider: "default", id: "OPENAI_API_KEY" })).toEqual({
        _tag: "Unresolved",
        reason: "OPENAI_API_KEY is not set (set it in the environment or in <state>/.env)"
      })
    }).pipe(Effect.provide(testServices({ fs, resolver })))
  })

  it.effect("the gateway's choice and usage recording use the resolved values and never write them", () => {
    const { fs, resolver } = setup()
    const sent: Array<string> = []
    const call = (target: ProviderTarget, auth: ProviderAuth, _model: ModelRef) =>
      Effect.suspend(() => {
        sent.push(auth.secret ? Redacted.value(auth.secret) : "")
        return target.provider === "openai"
          ? Effect.fail(new ProviderError({ provider: target.provider, kind: "http", status: 429, detail: "rate limited" }))
          : Effect.succeed("ok")
      })
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const ctx = yield* loadAuthContext(undefined)
      const served = yield* serveWithFailover(ctx, [ctx.models.primary, ...ctx.models.fallbacks], undefined, call)
      yield* served.recordUse
      expect(sent).toEqual([OPENAI_KEY, ANTHROPIC_TOKEN])
      const written = JSON.parse(fs.read(STORE)!)
      expect(written.usageStats["openai:default"]).toMatchObject({ errorCount: 1 })
      expect(written.lastGood).toEqual({ anthropic: "anthropic:work" })
      expect(written.profiles).toEqual(storeJson.profiles)
      expect(filesHoldingResolved(fs)).toEqual([])
    }).pipe(Effect.provide(testServices({ fs, resolver, vars: { OPENAI_API_KEY: OPENAI_KEY } })))
  })

  it("commands that write the store and config after resolution never write a resolved value", async () => {
    const { fs, resolver } = setup()
    const vars = { OPENAI_API_KEY: OPENAI_KEY }
    const runs = [
      await runCli(["models", "auth", "paste-api-key", "--provider", "anthropic"], { fs, resolver, vars, prompter: new ScriptedPrompter({ secrets: [PASTED] }) }),
      await runCli(["models", "auth", "order", "set", "--provider", "anthropic", "anthropic:work", "anthropic:default"], { fs, resolver, vars }),
      await runCli(["models", "auth", "cooldowns", "clear"], { fs, resolver, vars }),
      await runCli(["models", "auth", "logout", "--profile-id", "anthropic:default"], { fs, resolver, vars }),
      await runCli(["onboard", "--non-interactive", "--auth-choice", "api-key", "--provider", "openai", "--profile-id", "spare", "--api-key", "sk-proj-FAKEspare0123456789abcdef"], { fs, resolver, vars }),
      await runCli(["doctor", "--fix", "--yes", "--non-interactive"], { fs, resolver, vars }),
      await runCli(["models", "status", "--json"], { fs, resolver, vars })
    ]
    for (const r of runs) for (const value of RESOLVED) expect(r.stdout + r.stderr).not.toContain(value)
    expect(runs.slice(0, 5).map((r) => r.code)).toEqual([0, 0, 0, 0, 0])
    expect(fs.writes).toBeGreaterThan(4)
    expect(filesHoldingResolved(fs)).toEqual([])
    // The refs themselves are still there, untouched.
    const profiles = JSON.parse(fs.read(STORE)!).profiles
    expect(profiles["openai:default"]).toEqual(storeJson.profiles["openai:default"])
    expect(profiles["anthropic:work"]).toEqual(storeJson.profiles["anthropic:work"])
    expect(JSON.parse(fs.read(CONFIG)!).gateway).toEqual(configJson.gateway)
  })
})

const statusJson = async (world: Parameters<typeof runCli>[1], extra: ReadonlyArray<string> = []) => {
  const r = await runCli(["models", "status", "--json", ...extra], world)
  return { ...r, report: JSON.parse(r.stdout) }
}

describe("models status, auth list and probe with SecretRefs (§9, §6.1)", () => {
  it("shows each ref-backed source by its label with the masked resolved value; --check 0", async () => {
    const { fs, resolver } = setup()
    const world = { fs, resolver, vars: { OPENAI_API_KEY: OPENAI_KEY } }
    const { code, report, stdout } = await statusJson(world, ["--check"])
    expect(code).toBe(0)
    const byProvider = Object.fromEntries(report.auth.providers.map((p: any) => [p.provider, p]))
    expect(byProvider.openai.effective).toEqual({ kind: "profiles", detail: "openai:default" })
    expect(byProvider.openai.profiles.labels).toEqual(["openai:default=sk-proj-…WXYZ (ref env:OPENAI_API_KEY)"])
    expect(byProvider.anthropic.profiles.labels).toEqual(["anthropic:work=sk-ant-oat01-…TK42 (ref exec:vault)"])
    expect(byProvider.groq.effective).toEqual({ kind: "models.json", detail: "models.providers.groq.apiKey (ref file:filemain gsk_…cdef)" })
    expect(report.auth.unusableProfiles).toEqual([])
    expect(report.auth.secretRefs).toEqual([
      { file: CONFIG, path: "models.providers.groq.apiKey", source: "ref file:filemain", resolved: true },
      { file: CONFIG, path: "gateway.auth.token", source: "ref exec:vault", resolved: true },
      { file: STORE, path: "profiles.openai:default.keyRef", source: "ref env:OPENAI_API_KEY", resolved: true },
      { file: STORE, path: "profiles.anthropic:work.tokenRef", source: "ref exec:vault", resolved: true }
    ])
    const text = await runCli(["models", "status"], world)
    expect(text.stdout).toContain("openai:default=sk-proj-…WXYZ (ref env:OPENAI_API_KEY)")
    for (const value of RESOLVED) expect(stdout + text.stdout + text.stderr).not.toContain(value)
  })

  it("an unresolved ref makes its profile unusable (unresolved_ref) and --check 1 when the provider has nothing else", async () => {
    const { fs, resolver } = setup()
    resolver.values.delete("exec:vault:anthropic/token")
    const { code, report } = await statusJson({ fs, resolver }, ["--check"])
    expect(code).toBe(1)
    expect(report.auth.missingProvidersInUse).toEqual(["openai", "anthropic"])
    expect(report.auth.unusableProfiles).toEqual([
      { profileId: "openai:default", provider: "openai", reason: "unresolved_ref", until: null, kind: "unusable", remainingMs: null, detail: "OPENAI_API_KEY is not set (set it in the environment or in <state>/.env)" },
      { profileId: "anthropic:work", provider: "anthropic", reason: "unresolved_ref", until: null, kind: "unusable", remainingMs: null, detail: "anthropic/token not found" }
    ])
    const labels = report.auth.providers.find((p: any) => p.provider === "openai").profiles.labels
    expect(labels).toEqual(["openai:default=(unresolved) (ref env:OPENAI_API_KEY) [unusable: unresolved_ref]"])
    expect(report.auth.warnings).toContain(
      `ref env:OPENAI_API_KEY (profiles.openai:default.keyRef in ${STORE}) did not resolve: OPENAI_API_KEY is not set (set it in the environment or in <state>/.env); profile openai:default is unusable until it does`
    )
    const text = await runCli(["models", "status", "--check"], { fs, resolver })
    expect(text.code).toBe(1)
    expect(text.stdout).toContain("openai:default=(unresolved) (ref env:OPENAI_API_KEY) [unusable: unresolved_ref]")
    expect(text.stdout).toContain("ref exec:vault (profiles.anthropic:work.tokenRef in")
    // Something else for the provider (an env key here) keeps it in service: the ref alone does not fail --check.
    const withEnv = await statusJson({ fs, resolver, vars: { OPENAI_API_KEY: "" , ANTHROPIC_API_KEY: "sk-ant-api03-FAKEenvFallback0123456789" } }, ["--check"])
    expect(withEnv.report.auth.missingProvidersInUse).toEqual(["openai"])
  })

  it("a config apiKey ref that does not resolve is skipped like a missing key, with the reason; invalid refs and plain residue are warned", async () => {
    const fs = new MemoryFs({
      [CONFIG]: JSON.stringify({
        agents: { defaults: { model: "groq/llama" } },
        models: { providers: { groq: { apiKey: { source: "file", provider: "nowhere", id: "/k" } }, local: { baseUrl: "http://127.0.0.1:9/v1", apiKey: { source: "env", provider: "default", id: "bad-id" } } } }
      }),
      [STORE]: JSON.stringify({
        version: 1,
        profiles: { "openai:default": { type: "api_key", provider: "openai", key: "sk-proj-FAKEplainResidue0123456789", keyRef: { source: "env", provider: "default", id: "OPENAI_API_KEY" } } }
      })
    })
    const { code, report, stdout } = await statusJson({ fs, vars: { OPENAI_API_KEY: OPENAI_KEY } }, ["--check"])
    expect(code).toBe(1)
    expect(report.auth.missingProvidersInUse).toEqual(["groq"])
    expect(report.auth.warnings).toEqual([
      `ref file:nowhere (models.providers.groq.apiKey in ${CONFIG}) did not resolve: no secrets provider "nowhere" is configured under secrets.providers in openclaw.json; models.providers.groq.apiKey is treated as not set until it does`,
      `models.providers.local.apiKey in ${CONFIG} is not a valid secret reference (env ids are variable names matching ^[A-Z][A-Z0-9_]{0,127}$); it is treated as not set`,
      `profile openai:default keeps a plain-text key beside its keyRef in ${STORE}; the ref is used, the plain value is a leftover secret: remove it (openclaw secrets audit lists every such residue)`
    ])
    // The ref wins over the residue.
    expect(report.auth.providers.find((p: any) => p.provider === "openai").profiles.labels).toEqual(["openai:default=sk-proj-…WXYZ (ref env:OPENAI_API_KEY)"])
    expect(stdout).not.toContain("sk-proj-FAKEplainResidue")
    const text = await runCli(["models", "status"], { fs, vars: { OPENAI_API_KEY: OPENAI_KEY } })
    expect(text.stdout).toContain("keeps a plain-text key beside its keyRef")
    expect(text.stdout).not.toContain("FAKEplainResidue")
  })

  it("auth list shows the ref instead of a masked value, and says when it did not resolve", async () => {
    const { fs, resolver } = setup()
    const json = await runCli(["models", "auth", "list", "--json"], { fs, resolver, vars: { OPENAI_API_KEY: OPENAI_KEY } })
    expect(JSON.parse(json.stdout).profiles.map((p: any) => [p.profileId, p.secret, p.refResolved])).toEqual([
      ["openai:default", "ref env:OPENAI_API_KEY", true],
      ["anthropic:work", "ref exec:vault", true]
    ])
    const text = await runCli(["models", "auth", "list"], { fs, resolver })
    expect(text.stdout).toMatch(/openai:default\s+api_key\s+ref env:OPENAI_API_KEY \(unresolved\)/)
    expect(text.stdout).toMatch(/anthropic:work\s+token\s+ref exec:vault\s/)
    for (const value of RESOLVED) expect(json.stdout + text.stdout).not.toContain(value)
  })

  it("--probe sends the resolved values and does not call for a ref that did not resolve", async () => {
    const { fs, resolver } = setup()
    resolver.values.delete("exec:vault:anthropic/token")
    const sent: Array<string> = []
    const provider = {
      complete: (_t: ProviderTarget, auth: ProviderAuth) =>
        Effect.sync(() => {
          sent.push(auth.secret ? Redacted.value(auth.secret) : "")
          return { id: "x", model: "m", parts: [{ type: "text" as const, text: "pong" }], toolCalls: [], finishReason: "stop" as const, usage: { inputTokens: 1, outputTokens: 1 } }
        }),
      stream: (t: ProviderTarget) => Effect.fail(new ProviderError({ provider: t.provider, kind: "network", detail: "unused" })),
      forward: (t: ProviderTarget) => Effect.fail(new ProviderError({ provider: t.provider, kind: "network", detail: "unused" }))
    }
    const r = await runCli(["models", "status", "--probe", "--json"], { fs, resolver, provider, vars: { OPENAI_API_KEY: OPENAI_KEY } })
    expect(sent).toEqual([OPENAI_KEY])
    expect(r.stdout).toContain("unresolved_ref: ref exec:vault did not resolve: anthropic/token not found")
    for (const value of RESOLVED) expect(r.stdout + r.stderr).not.toContain(value)
  })
})
