import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { FileError } from "../src/domain/Errors.js"
import { Files } from "../src/services/Files.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { MemorySecretResolver } from "./support/SecretResolverTest.js"
import { CONFIG, runCli, STATE, STORE } from "./support/TestApp.js"

const AGENT_DIR = `${STATE}/agents/main/agent`
const LEGACY = `${AGENT_DIR}/auth.json`
const ENV_FILE = `${STATE}/.env`
const PLAN = "/work/plan.json"

const OPENAI_KEY = "sk-proj-FAKE" + "o".repeat(40) + "OAK1"
const PROXY_KEY = "px-FAKE" + "p".repeat(30) + "PRX2"
const TOKEN = "sk-ant-oat01-FAKE" + "t".repeat(80) + "TOK9"
const GATEWAY = "gw-FAKE" + "g".repeat(30) + "GWT4"
const SECRETS = [OPENAI_KEY, PROXY_KEY, TOKEN, GATEWAY]

const envRef = (id: string) => ({ source: "env", provider: "default", id })
const execRef = (id: string) => ({ source: "exec", provider: "vault", id })
const VAULT = { source: "exec", command: "/usr/local/bin/vault-resolver" }

const fixture = () =>
  new MemoryFs({
    [CONFIG]: JSON.stringify({
      keep: { me: [1, 2] },
      env: { OPENAI_API_KEY: OPENAI_KEY, vars: { OTHER: "value-that-stays" } },
      models: { providers: { openai: { baseUrl: "https://api.openai.com/v1", apiKey: OPENAI_KEY, headers: { "x-proxy-key": PROXY_KEY } } } },
      gateway: { port: 18789, auth: { mode: "token", token: GATEWAY } }
    }),
    [STORE]: JSON.stringify({
      version: 1,
      profiles: {
        "openai:default": { type: "api_key", provider: "openai", key: OPENAI_KEY, email: "me@example.com" },
        "anthropic:manual": { type: "token", provider: "anthropic", token: TOKEN, expires: 1798761600000 },
        "anthropic:oauth": { type: "oauth", provider: "anthropic", access: "a", refresh: "r", expires: 1 }
      },
      usageStats: { "openai:default": { lastUsed: 5 } }
    }),
    [LEGACY]: JSON.stringify({ openai: { type: "api_key", key: OPENAI_KEY }, groq: { type: "api_key", key: "gsk_legacy_stays_here" } }),
    [ENV_FILE]: `# daemon\n#OPENAI_API_KEY=${OPENAI_KEY} # the old one\nOPENAI_API_KEY=${OPENAI_KEY}\nexport GATEWAY_TOKEN='${GATEWAY}' # gateway\nGROQ_API_KEY=gsk_stays\n`
  })

const fullPlan = {
  version: 1,
  protocolVersion: 1,
  providerUpserts: { vault: VAULT },
  targets: [
    { type: "models.providers.apiKey", path: "models.providers.openai.apiKey", providerId: "openai", ref: envRef("OPENAI_KEY_V2") },
    { type: "models.providers.headers", path: "models.providers.openai.headers.x-proxy-key", ref: execRef("proxy/key") },
    { type: "gateway.auth.token", path: "gateway.auth.token", ref: execRef("gateway/token") },
    { type: "auth-profiles.api_key.key", path: "profiles.openai:default.key", pathSegments: ["profiles", "openai:default", "key"], agentId: "main", ref: envRef("OPENAI_KEY_V2") },
    { type: "auth-profiles.token.token", path: "profiles.anthropic:manual.tokenRef", agentId: "main", ref: execRef("anthropic/token") }
  ]
}

const resolver = () =>
  new MemorySecretResolver(
    new Map<string, string | Error>([
      ["exec:vault:proxy/key", PROXY_KEY],
      ["exec:vault:gateway/token", GATEWAY],
      ["exec:vault:anthropic/token", TOKEN]
    ])
  )
const world = (fs: MemoryFs, r = resolver()) => ({ fs, resolver: r, vars: { OPENAI_KEY_V2: OPENAI_KEY } })

/** Writes to one path fail (a full disk), everything else works. */
class FailingFs extends MemoryFs {
  failPath: string | undefined
  override get layer() {
    return Layer.map(super.layer, (ctx) => {
      const files = Context.get(ctx, Files)
      return Context.make(Files, {
        ...files,
        writeAtomic: (path, content) =>
          path === this.failPath ? Effect.fail(new FileError({ path, operation: "write", code: "ENOSPC" })) : files.writeAtomic(path, content)
      })
    })
  }
}

const withPlan = (fs: MemoryFs, plan: unknown) => {
  fs.put(PLAN, JSON.stringify(plan))
  return fs
}
const contents = (fs: MemoryFs) => new Map([...fs.files].map(([path, e]) => [path, e.content]))
const json = (fs: MemoryFs, path: string) => JSON.parse(fs.read(path)!)

/** No fixture secret in anything printed. */
const clean = (...outputs: ReadonlyArray<string>) => {
  const all = outputs.join("\n")
  for (const s of SECRETS) {
    expect(all).not.toContain(s)
    expect(all).not.toContain(s.slice(4, 16))
  }
}

describe("secrets apply", () => {
  it("writes every ref, scrubs the plain values it replaced from config, store, auth.json and .env, and keeps the rest", async () => {
    const fs = withPlan(fixture(), fullPlan)
    const vault = resolver()
    const r = await runCli(["secrets", "apply", "--from", PLAN, "--allow-exec"], world(fs, vault))
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const config = json(fs, CONFIG)
    expect(config).toEqual({
      keep: { me: [1, 2] },
      env: { vars: { OTHER: "value-that-stays" } },
      models: {
        providers: {
          openai: { baseUrl: "https://api.openai.com/v1", apiKey: envRef("OPENAI_KEY_V2"), headers: { "x-proxy-key": execRef("proxy/key") } }
        }
      },
      gateway: { port: 18789, auth: { mode: "token", token: execRef("gateway/token") } },
      secrets: { providers: { vault: VAULT } }
    })
    const store = json(fs, STORE)
    expect(store.profiles["openai:default"]).toEqual({ type: "api_key", provider: "openai", email: "me@example.com", keyRef: envRef("OPENAI_KEY_V2") })
    expect(store.profiles["anthropic:manual"]).toEqual({ type: "token", provider: "anthropic", expires: 1798761600000, tokenRef: execRef("anthropic/token") })
    expect(store.profiles["anthropic:oauth"].access).toBe("a")
    expect(store.usageStats).toEqual({ "openai:default": { lastUsed: 5 } })
    expect(json(fs, LEGACY)).toEqual({ groq: { type: "api_key", key: "gsk_legacy_stays_here" } })
    expect(fs.read(ENV_FILE)).toBe("# daemon\nGROQ_API_KEY=gsk_stays\n")
    for (const [path, content] of contents(fs)) {
      if (path === PLAN) continue
      for (const s of SECRETS) expect(content, `${path} still holds a fixture secret`).not.toContain(s)
    }
    expect(r.stdout).toContain("Applied the plan.")
    expect(r.stdout).toContain(`${ENV_FILE}: OPENAI_API_KEY`)
    expect(r.stdout).toContain(`${LEGACY}: openai`)
    expect(r.stdout).toContain(`${STORE}: profiles.openai:default.key`)
    clean(r.stdout, r.stderr)
    // One batch per provider: the exec provider ran once for its three ids.
    expect(vault.calls.get("vault")).toBe(1)
  })

  it("--dry-run checks and reports, and writes nothing", async () => {
    const fs = withPlan(fixture(), fullPlan)
    const before = contents(fs)
    const r = await runCli(["secrets", "apply", "--from", PLAN, "--dry-run", "--allow-exec", "--json"], world(fs))
    expect(r.code).toBe(0)
    expect(fs.writes).toBe(0)
    expect(contents(fs)).toEqual(before)
    const report = JSON.parse(r.stdout)
    expect(report).toMatchObject({ ok: true, mode: "dry-run", changed: true, providerUpserts: ["vault"] })
    expect(report.targets.map((t: { check: string }) => t.check)).toEqual(["resolved", "resolved", "resolved", "resolved", "resolved"])
    expect(report.targets[3]).toMatchObject({ agentId: "main", profileId: "openai:default", writes: "keyRef", replacesPlaintext: true, file: STORE })
    expect(report.files.sort()).toEqual([CONFIG, STORE, LEGACY, ENV_FILE].sort())
    expect(report.scrubbed).toContainEqual({ file: ENV_FILE, what: "GATEWAY_TOKEN" })
    expect(report.scrubbed).toContainEqual({ file: CONFIG, what: "env.OPENAI_API_KEY" })
    clean(r.stdout, r.stderr)
  })

  it("a dry run without --allow-exec skips exec refs (says so); writing without it is refused before anything", async () => {
    const fs = withPlan(fixture(), fullPlan)
    const r = resolver()
    const dry = await runCli(["secrets", "apply", "--from", PLAN, "--dry-run"], world(fs, r))
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain("not checked: exec refs run only with --allow-exec")
    expect(r.calls.get("vault")).toBeUndefined()
    const before = contents(fs)
    const write = await runCli(["secrets", "apply", "--from", PLAN], world(fs, r))
    expect(write.code).toBe(1)
    expect(write.stderr).toContain("exec secrets providers (provider vault, ref exec:vault)")
    expect(write.stderr).toContain("--allow-exec")
    expect(contents(fs)).toEqual(before)
    expect(fs.writes).toBe(0)
  })

  it("one ref that does not resolve: nothing is written, byte for byte, and the ref is named", async () => {
    const fs = withPlan(fixture(), {
      ...fullPlan,
      targets: [...fullPlan.targets, { type: "models.providers.apiKey", path: "models.providers.groq.apiKey", ref: envRef("GROQ_KEY_MISSING") }]
    })
    const before = contents(fs)
    const r = await runCli(["secrets", "apply", "--from", PLAN, "--allow-exec"], world(fs))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("1 ref of the plan did not resolve: models.providers.groq.apiKey (ref env:GROQ_KEY_MISSING): GROQ_KEY_MISSING is not set")
    expect(r.stderr).toContain("Nothing was written")
    expect(fs.writes).toBe(0)
    expect(contents(fs)).toEqual(before)
    clean(r.stdout, r.stderr)
  })

  it("a write that fails part-way puts back what was already written (in memory: no backup on disk)", async () => {
    const fs = new FailingFs()
    for (const [path, entry] of fixture().files) fs.put(path, entry)
    withPlan(fs, fullPlan)
    fs.failPath = ENV_FILE
    const before = contents(fs)
    const r = await runCli(["secrets", "apply", "--from", PLAN, "--allow-exec"], world(fs))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`Cannot write ${ENV_FILE}: no space left on device`)
    expect(fs.writes).toBeGreaterThan(0)
    expect(contents(fs)).toEqual(before)
    clean(r.stdout, r.stderr)
  })

  it("invalid targets: every problem listed, nothing written", async () => {
    const fs = withPlan(fixture(), {
      version: 1,
      protocolVersion: 1,
      targets: [fullPlan.targets[0], { ...fullPlan.targets[0], path: "models.providers.openai.baseUrl" }, { ...fullPlan.targets[3], agentId: undefined }]
    })
    const before = contents(fs)
    const r = await runCli(["secrets", "apply", "--from", PLAN], world(fs))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("(1) targets[1]: Invalid plan target path for models.providers.apiKey: models.providers.openai.baseUrl")
    expect(r.stderr).toContain("(2) targets[2]: auth-profile targets need agentId")
    expect(contents(fs)).toEqual(before)
  })

  it("targets the files refuse: an oauth profile, a missing profile without authProfileProvider, an unknown agent", async () => {
    const fs = withPlan(fixture(), {
      version: 1,
      protocolVersion: 1,
      targets: [
        { type: "auth-profiles.token.token", path: "profiles.anthropic:oauth.token", agentId: "main", ref: envRef("OPENAI_KEY_V2") },
        { type: "auth-profiles.api_key.key", path: "profiles.openai:new.key", agentId: "main", ref: envRef("OPENAI_KEY_V2") },
        { type: "auth-profiles.api_key.key", path: "profiles.anthropic:manual.key", agentId: "main", ref: envRef("OPENAI_KEY_V2") },
        { type: "auth-profiles.api_key.key", path: "profiles.openai:default.key", agentId: "nobody", ref: envRef("OPENAI_KEY_V2") }
      ]
    })
    const before = contents(fs)
    const r = await runCli(["secrets", "apply", "--from", PLAN], world(fs))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("profile anthropic:oauth is an oauth profile")
    expect(r.stderr).toContain("profile openai:new does not exist; to create it, give the target authProfileProvider")
    expect(r.stderr).toContain("profile anthropic:manual is of type token, but auth-profiles.api_key.key targets api_key profiles")
    expect(r.stderr).toContain('Unknown agent "nobody"')
    expect(contents(fs)).toEqual(before)
  })

  it("creates a ref-only profile when the target names its provider", async () => {
    const fs = withPlan(new MemoryFs(), {
      version: 1,
      protocolVersion: 1,
      targets: [{ type: "auth-profiles.api_key.key", path: "profiles.openai:vault.key", agentId: "main", authProfileProvider: "openai", ref: envRef("OPENAI_KEY_V2") }]
    })
    const r = await runCli(["secrets", "apply", "--from", PLAN], world(fs))
    expect(r.stderr).toBe("")
    expect(json(fs, STORE).profiles["openai:vault"]).toEqual({ type: "api_key", provider: "openai", keyRef: envRef("OPENAI_KEY_V2") })
    // A new store is written with its version, as every other write writes it.
    expect(json(fs, STORE).version).toBe(1)
    expect(fs.read(CONFIG)).toBeUndefined()
  })

  it("ids, names and providers the files could not use are refused before anything is written (§9, §11)", async () => {
    const store = (path: string, extra: Record<string, unknown> = {}) => ({ type: "auth-profiles.api_key.key", path, agentId: "main", authProfileProvider: "openai", ref: envRef("OPENAI_KEY_V2"), ...extra })
    const fs = withPlan(fixture(), {
      version: 1,
      protocolVersion: 1,
      targets: [
        store("profiles.openai:new.key", { authProfileProvider: "anthropic" }),
        store("profiles.x\u001b[2J:y.key"),
        store("profiles.openai:z.key", { authProfileProvider: "\u001b]0;T\u0007" }),
        { type: "models.providers.headers", path: "models.providers.openai.headers.X-Evil\r\nInjected: 1", ref: envRef("OPENAI_KEY_V2") },
        { type: "models.providers.apiKey", path: "models.providers.\u001b[31mred.apiKey", ref: envRef("OPENAI_KEY_V2") },
        { type: "models.providers.headers", path: "models.providers.openai.headers.X Space", ref: envRef("OPENAI_KEY_V2") }
      ]
    })
    const before = contents(fs)
    const r = await runCli(["secrets", "apply", "--from", PLAN], world(fs))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("(1) targets[0]: profile openai:new is a profile of openai, not of authProfileProvider anthropic")
    expect(r.stderr).toContain("(2) targets[1]: path segment 2 holds a space, a control or a non-ASCII character")
    expect(r.stderr).toContain("(3) targets[2]: authProfileProvider must be a provider id")
    expect(r.stderr).toContain("(4) targets[3]: path segment 5 holds")
    expect(r.stderr).toContain("(5) targets[4]: path segment 3 holds")
    expect(r.stderr).toContain('(6) targets[5]: path segment 5 holds')
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/)
    expect(contents(fs)).toEqual(before)
  })

  it("a header name must be an HTTP token, and a provider named like an Object method is a name, not a lookup", async () => {
    const fs = withPlan(fixture(), {
      version: 1,
      protocolVersion: 1,
      targets: [
        { type: "models.providers.headers", path: "models.providers.openai.headers.X-Evil:1", ref: envRef("OPENAI_KEY_V2") },
        { type: "models.providers.apiKey", path: "models.providers.hasOwnProperty.apiKey", ref: envRef("OPENAI_KEY_V2") }
      ]
    })
    const r = await runCli(["secrets", "apply", "--from", PLAN, "--dry-run"], world(fs))
    expect(r.stderr).toContain('header name "X-Evil:1" is not an HTTP header name')
    expect(r.stderr).not.toContain("hasOwnProperty is not an object")
  })

  it("a variable an env ref reads from <state>/.env stays there (it is where the secret now lives)", async () => {
    const fs = withPlan(fixture(), {
      version: 1,
      protocolVersion: 1,
      targets: [{ type: "auth-profiles.api_key.key", path: "profiles.openai:default.key", agentId: "main", ref: envRef("OPENAI_API_KEY") }]
    })
    const r = await runCli(["secrets", "apply", "--from", PLAN], { fs, resolver: resolver() })
    expect(r.stderr).toBe("")
    expect(fs.read(ENV_FILE)).toContain(`OPENAI_API_KEY=${OPENAI_KEY}`)
    expect(r.stdout).toContain(`Note: OPENAI_API_KEY stays in ${ENV_FILE}: a ref of the plan reads it from there`)
    expect(json(fs, STORE).profiles["openai:default"].key).toBeUndefined()
  })

  it("a provider the plan deletes may not stay named by a ref the plan leaves in place", async () => {
    const fs = new MemoryFs({
      [CONFIG]: JSON.stringify({
        secrets: { providers: { old: VAULT } },
        models: { providers: { groq: { apiKey: { source: "exec", provider: "old", id: "groq" } }, xai: { apiKey: { source: "exec", provider: "old", id: "xai" } } } }
      })
    })
    const remapGroq = { type: "models.providers.apiKey", path: "models.providers.groq.apiKey", ref: envRef("OPENAI_KEY_V2") }
    withPlan(fs, { version: 1, protocolVersion: 1, providerDeletes: ["old"], targets: [remapGroq] })
    const before = contents(fs)
    const refused = await runCli(["secrets", "apply", "--from", PLAN], world(fs))
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`a ref at models.providers.xai.apiKey in ${CONFIG} still uses a provider the plan deletes`)
    expect(refused.stderr).not.toContain("models.providers.groq.apiKey in")
    expect(contents(fs)).toEqual(before)
    withPlan(fs, { version: 1, protocolVersion: 1, providerDeletes: ["old"], targets: [remapGroq, { ...remapGroq, path: "models.providers.xai.apiKey" }] })
    const ok = await runCli(["secrets", "apply", "--from", PLAN], world(fs))
    expect(ok.stderr).toBe("")
    expect(json(fs, CONFIG).secrets.providers).toEqual({})
  })

  it("on a terminal, resolution is announced on stderr; piped or --json, nothing is", async () => {
    const onTty = await runCli(["secrets", "apply", "--from", PLAN, "--dry-run"], { ...world(withPlan(fixture(), fullPlan)), host: { stdoutIsTTY: true } })
    expect(onTty.stderr).toBe("Resolving 4 secret references…")
    const json = await runCli(["secrets", "apply", "--from", PLAN, "--dry-run", "--json"], { ...world(withPlan(fixture(), fullPlan)), host: { stdoutIsTTY: true } })
    expect(json.stderr).toBe("")
    const piped = await runCli(["secrets", "apply", "--from", PLAN, "--dry-run"], world(withPlan(fixture(), fullPlan)))
    expect(piped.stderr).toBe("")
  })

  it("a plan file that is not JSON, or missing, fails with nothing written", async () => {
    const fs = fixture()
    fs.put(PLAN, "{ targets: [")
    const before = contents(fs)
    const bad = await runCli(["secrets", "apply", "--from", PLAN], world(fs))
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain(`${PLAN}:1:`)
    const missing = await runCli(["secrets", "apply", "--from", "/work/none.json"], world(fs))
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("/work/none.json cannot be applied: the file does not exist")
    expect(contents(fs)).toEqual(before)
  })
})
