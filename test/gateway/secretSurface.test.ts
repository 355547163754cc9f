import { describe, expect, it } from "@effect/vitest"
import { agentModels, type OpenClawConfig } from "../../src/domain/Config.js"
import type { SecretRef } from "../../src/domain/SecretRef.js"
import { secretRefKey } from "../../src/domain/SecretRef.js"
import { type Resolution, resolved, unresolved } from "../../src/domain/SecretResolution.js"
import { afterAttempt, DEGRADED, healthy, IGNORED_INACTIVE, RECOVERED } from "../../src/gateway/SecretsHealth.js"
import { unresolvedSecrets, type UnresolvedSecret } from "../../src/gateway/SecretSurface.js"
import type { AuthContext } from "../../src/programs/AuthContext.js"

const CONFIG = "/h/.openclaw/openclaw.json"
const STORE = "/h/.openclaw/agents/main/agent/auth-profiles.json"
const vault = (id: string): SecretRef => ({ source: "exec", provider: "vault", id })

/** The parts of an AuthContext the surface rule reads: models, environment, store profiles, refs. */
const context = (options: {
  readonly refs: ReadonlyArray<{ file: string; path: string; ref: SecretRef; resolution: Resolution }>
  readonly vars?: Record<string, string>
  readonly profiles?: Record<string, string>
  readonly config?: OpenClawConfig
}): AuthContext =>
  ({
    models: agentModels(options.config ?? { agents: { defaults: { model: { primary: "anthropic/claude-opus-4-6", fallbacks: ["openai/gpt-4o-mini"] } } } }, "main"),
    env: { vars: new Map(Object.entries(options.vars ?? {}).map(([k, value]) => [k, { value, source: "process" }])) },
    store: { store: { profiles: new Map(Object.entries(options.profiles ?? {}).map(([id, provider]) => [id, { type: "api_key", provider }])) } },
    secrets: {
      refs: options.refs.map(({ file, path, ref }) => ({ file, path, ref })),
      resolutions: new Map(options.refs.map((r) => [secretRefKey(r.ref), r.resolution]))
    }
  }) as unknown as AuthContext

const DOWN = "the resolver exited with status 1"
const down = unresolved(DOWN)

describe("the gateway's active secret surface (§9)", () => {
  it("needs the token ref unless OPENCLAW_GATEWAY_TOKEN is set, and refs of providers the agents' models use", () => {
    const refs = [
      { file: CONFIG, path: "gateway.auth.token", ref: vault("gateway"), resolution: down },
      { file: CONFIG, path: "models.providers.openai.apiKey", ref: vault("openai"), resolution: down },
      { file: CONFIG, path: "models.providers.groq.headers.x-key", ref: vault("groq"), resolution: down },
      { file: STORE, path: "profiles.anthropic:me@example.com.keyRef", ref: vault("me"), resolution: down },
      { file: STORE, path: "profiles.mistral:default.keyRef", ref: vault("mistral"), resolution: down },
      { file: STORE, path: "profiles.anthropic:ok.tokenRef", ref: vault("ok"), resolution: resolved("sk-ant-oat01-FAKE") }
    ]
    const profiles = { "anthropic:me@example.com": "anthropic", "mistral:default": "mistral", "anthropic:ok": "anthropic" }
    const needed = (u: ReadonlyArray<UnresolvedSecret>) => u.filter((x) => x.needed).map((x) => x.path)
    const without = unresolvedSecrets([context({ refs, profiles })])
    expect(needed(without)).toEqual(["gateway.auth.token", "models.providers.openai.apiKey", "profiles.anthropic:me@example.com.keyRef"])
    expect(without.find((u) => u.path === "models.providers.groq.headers.x-key")).toMatchObject({ needed: false, inactiveBecause: "no agent's model uses provider groq" })
    expect(without.map((u) => u.path)).not.toContain("profiles.anthropic:ok.tokenRef")
    expect(without[0]).toMatchObject({ location: `gateway.auth.token in ${CONFIG}`, ref: "ref exec:vault", reason: DOWN })
    const withEnvToken = unresolvedSecrets([context({ refs, profiles, vars: { OPENCLAW_GATEWAY_TOKEN: "gw-FAKE-token-xxxxxxxxxxxx" } })])
    expect(needed(withEnvToken)).not.toContain("gateway.auth.token")
  })

  it("counts a provider as used when any agent's model uses it, and lists a ref seen by several agents once", () => {
    const refs = [{ file: STORE, path: "profiles.mistral:default.keyRef", ref: vault("mistral"), resolution: down }]
    const main = context({ refs, profiles: { "mistral:default": "mistral" } })
    const sub = context({ refs, profiles: { "mistral:default": "mistral" }, config: { agents: { defaults: { model: "mistral/mistral-large" } } } })
    expect(unresolvedSecrets([main])).toMatchObject([{ needed: false }])
    expect(unresolvedSecrets([main, sub])).toMatchObject([{ needed: true, path: "profiles.mistral:default.keyRef" }])
  })
})

describe("degraded and recovered, once per spell", () => {
  const blocking: UnresolvedSecret = { location: `gateway.auth.token in ${CONFIG}`, file: CONFIG, path: "gateway.auth.token", ref: "ref exec:vault", reason: "down", needed: true }
  const unneeded: UnresolvedSecret = { ...blocking, location: `x in ${CONFIG}`, path: "x", needed: false, inactiveBecause: "no agent's model uses provider groq" }

  it("logs DEGRADED at the first failure, nothing coded while it lasts, RECOVERED once when it heals", () => {
    const codes: Array<string> = []
    let health = healthy
    const attempt = (unresolved: ReadonlyArray<UnresolvedSecret>, generation: number) => {
      const [next, lines] = afterAttempt(health, { what: "reload (test)", unresolved, generation })
      health = next
      for (const l of lines) codes.push(l.text.split(" ")[0]!)
      return lines
    }
    expect(attempt([], 2)).toEqual([])
    const first = attempt([blocking], 2)
    expect(first).toHaveLength(1)
    expect(first[0]!.text).toContain(`${DEGRADED} reload (test)`)
    expect(first[0]!.text).toContain(`gateway.auth.token in ${CONFIG} (ref exec:vault): down`)
    expect(first[0]!.text).toContain("generation 2")
    for (let i = 0; i < 5; i++) expect(attempt([blocking], 2)[0]!.text).not.toContain(DEGRADED)
    expect(health).toMatchObject({ degraded: true, blocking: [blocking] })
    expect(attempt([], 3)[0]!.text).toContain(`${RECOVERED} reload (test)`)
    expect(attempt([], 4)).toEqual([])
    expect(attempt([blocking], 4)[0]!.text).toContain(DEGRADED)
    expect(codes.filter((c) => c === DEGRADED)).toHaveLength(2)
    expect(codes.filter((c) => c === RECOVERED)).toHaveLength(1)
  })

  it("reports an unneeded unresolved ref once, with why it is not needed, and never blocks on it", () => {
    const [h1, l1] = afterAttempt(healthy, { what: "start", unresolved: [unneeded], generation: 1 })
    expect(h1.degraded).toBe(false)
    expect(l1).toEqual([{ level: "warning", text: `${IGNORED_INACTIVE} x in ${CONFIG} (ref exec:vault): down (not needed: no agent's model uses provider groq)` }])
    const [, l2] = afterAttempt(h1, { what: "reload (x)", unresolved: [unneeded], generation: 2 })
    expect(l2).toEqual([])
  })
})
