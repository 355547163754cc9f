/**
 * `openclaw secrets apply` end to end (§9): the built binary in a throw-away HOME. A dry run changes no byte; an
 * apply leaves no fixture secret in any file under the state dir (temp and backup files included); a plan with one
 * unresolvable target writes nothing.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { fakeBody, prng } from "../support/Random.js"
import { expectTreeUnchanged, runsOfThisFile, type Sandbox, useSandboxes } from "../support/Sandbox.js"
import { expectNoLeak, findLeak, outputsOf } from "../support/SecretScan.js"

const newSandbox = useSandboxes()
const rand = prng(0x5ec)
const OPENAI_KEY = `sk-proj-FAKE${fakeBody(rand, 40)}`
const PROXY_KEY = `sk-FAKE${fakeBody(rand, 32)}`
const TOKEN = `sk-ant-oat01-FAKE${fakeBody(rand, 80)}`
const GATEWAY = `gw-FAKE${fakeBody(rand, 32)}`
const SECRETS = [OPENAI_KEY, PROXY_KEY, TOKEN, GATEWAY]

/** Where the secrets live after the apply: the environment the commands run in (never a file of the state dir). */
const VAULT_ENV = { V_OPENAI: OPENAI_KEY, V_PROXY: PROXY_KEY, V_TOKEN: TOKEN, V_GATEWAY: GATEWAY }
const envRef = (id: string) => ({ source: "env", provider: "default", id })

const PLAN = {
  version: 1,
  protocolVersion: 1,
  targets: [
    { type: "models.providers.apiKey", path: "models.providers.openai.apiKey", providerId: "openai", ref: envRef("V_OPENAI") },
    { type: "models.providers.headers", path: "models.providers.openai.headers.x-proxy-key", providerId: "openai", ref: envRef("V_PROXY") },
    { type: "gateway.auth.token", path: "gateway.auth.token", ref: envRef("V_GATEWAY") },
    { type: "auth-profiles.api_key.key", path: "profiles.openai:default.key", pathSegments: ["profiles", "openai:default", "key"], agentId: "main", ref: envRef("V_OPENAI") },
    { type: "auth-profiles.token.token", path: "profiles.anthropic:manual.token", agentId: "main", ref: envRef("V_TOKEN") }
  ]
}

/** Plain secrets everywhere §9 names: config (and its env block), the store, legacy auth.json and <state>/.env. */
const seed = async (s: Sandbox, plan: unknown = PLAN): Promise<string> => {
  await s.write(
    s.config,
    JSON.stringify({
      env: { OPENAI_API_KEY: OPENAI_KEY },
      models: { providers: { openai: { baseUrl: "https://api.openai.com/v1", apiKey: OPENAI_KEY, headers: { "x-proxy-key": PROXY_KEY } } } },
      gateway: { port: 18789, auth: { mode: "token", token: GATEWAY } }
    })
  )
  await s.write(
    s.store,
    JSON.stringify({
      version: 1,
      profiles: {
        "openai:default": { type: "api_key", provider: "openai", key: OPENAI_KEY },
        "anthropic:manual": { type: "token", provider: "anthropic", token: TOKEN, expires: 4102444800000 }
      }
    })
  )
  await s.write(path.join(s.agentDir, "auth.json"), JSON.stringify({ openai: { type: "api_key", key: OPENAI_KEY } }))
  await s.write(path.join(s.state, ".env"), `OPENAI_API_KEY=${OPENAI_KEY}\nANTHROPIC_OAUTH_TOKEN=${TOKEN}\nOPENCLAW_GATEWAY_TOKEN=${GATEWAY}\nLOG_LEVEL=debug\n`)
  return s.write("plan.json", JSON.stringify(plan))
}

/** Every file under the state dir, hidden and temporary ones included, with its bytes. */
const stateFiles = async (s: Sandbox): Promise<Array<{ rel: string; text: string }>> => {
  const out: Array<{ rel: string; text: string }> = []
  for (const e of await s.tree()) if (!e.dir) out.push({ rel: e.rel, text: await fs.readFile(path.join(s.state, e.rel), "utf8") })
  return out
}

describe("secrets apply with the built binary", () => {
  it("--dry-run: every file under HOME keeps its bytes and mode; the report says what would change", async () => {
    const s = await newSandbox("sapply-dry")
    const plan = await seed(s)
    const before = await s.snapshot()
    const r = await s.run(["secrets", "apply", "--from", plan, "--dry-run", "--json"], { env: VAULT_ENV })
    expect(r.code, r.stderr).toBe(0)
    expectTreeUnchanged(before, await s.snapshot())
    const report = JSON.parse(r.stdout)
    expect(report.mode).toBe("dry-run")
    expect(report.targets.every((t: { check: string }) => t.check === "resolved")).toBe(true)
    expect(report.files).toHaveLength(4)
  })

  it("apply: refs in place, and no fixture secret left in any file under the state dir", async () => {
    const s = await newSandbox("sapply")
    const plan = await seed(s)
    const r = await s.run(["secrets", "apply", "--from", plan], { env: VAULT_ENV })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain("Applied the plan.")
    const files = await stateFiles(s)
    expect(files.map((f) => f.rel).filter((rel) => /\.(bak|tmp|lock)$|~$/.test(rel) || path.basename(rel).startsWith("."))).toEqual([".env"])
    for (const f of files) {
      for (const secret of SECRETS) expect(findLeak(f.text, secret), `${f.rel} holds a fixture secret`).toBeUndefined()
    }
    const store = await s.readJson(s.store)
    expect(store.profiles["openai:default"]).toEqual({ type: "api_key", provider: "openai", keyRef: envRef("V_OPENAI") })
    expect(store.profiles["anthropic:manual"].tokenRef).toEqual(envRef("V_TOKEN"))
    expect((await s.readJson(s.config)).gateway.auth.token).toEqual(envRef("V_GATEWAY"))
    expect(await s.readText(path.join(s.agentDir, "auth.json"))).toBeUndefined()
    expect(await s.readText(path.join(s.state, ".env"))).toBe("LOG_LEVEL=debug\n")
    for (const f of ["openclaw.json", "agents/main/agent/auth-profiles.json", ".env"]) {
      expect(((await fs.stat(path.join(s.state, f))).mode & 0o777).toString(8), f).toBe("600")
    }
    // The credentials still work, now through their refs: the default model's provider has its token.
    const status = await s.run(["models", "status", "--check"], { env: VAULT_ENV })
    expect(status.code, status.stdout + status.stderr).toBe(0)
    expect(status.stdout).toContain(`anthropic:manual=sk-ant-oat01-…${TOKEN.slice(-4)}`)
  })

  it("one target whose ref does not resolve: nothing under HOME changes", async () => {
    const s = await newSandbox("sapply-fail")
    const plan = await seed(s, { ...PLAN, targets: [...PLAN.targets, { type: "models.providers.apiKey", path: "models.providers.groq.apiKey", ref: envRef("V_MISSING") }] })
    const before = await s.snapshot()
    const r = await s.run(["secrets", "apply", "--from", plan], { env: VAULT_ENV })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("models.providers.groq.apiKey (ref env:V_MISSING): V_MISSING is not set")
    expectTreeUnchanged(before, await s.snapshot())
  })

  it("file and exec refs over the live resolver: exec needs --allow-exec; then no fixture secret is left in the state dir", async () => {
    const s = await newSandbox("sapply-live")
    // The secrets' new homes lie outside the state dir: a JSON file only we can write, and a resolver command.
    const secretsFile = await s.write("vault/secrets.json", JSON.stringify({ openai: { apiKey: OPENAI_KEY } }))
    const resolver = await s.write("vault/resolver.sh", `#!/bin/sh\nprintf '%s' '${TOKEN}'\n`, 0o700)
    const plan = await seed(s, {
      version: 1,
      protocolVersion: 1,
      providerUpserts: {
        files: { source: "file", path: secretsFile, mode: "json" },
        vault: { source: "exec", command: resolver, jsonOnly: false }
      },
      targets: [
        { type: "models.providers.apiKey", path: "models.providers.openai.apiKey", ref: { source: "file", provider: "files", id: "/openai/apiKey" } },
        { type: "auth-profiles.api_key.key", path: "profiles.openai:default.key", agentId: "main", ref: { source: "file", provider: "files", id: "/openai/apiKey" } },
        { type: "auth-profiles.token.token", path: "profiles.anthropic:manual.token", agentId: "main", ref: { source: "exec", provider: "vault", id: "anthropic" } }
      ]
    })
    const before = await s.snapshot()
    const refused = await s.run(["secrets", "apply", "--from", plan])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("--allow-exec")
    expectTreeUnchanged(before, await s.snapshot())

    const r = await s.run(["secrets", "apply", "--from", plan, "--allow-exec", "--json"])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).targets.map((t: { check: string }) => t.check)).toEqual(["resolved", "resolved", "resolved"])
    for (const f of await stateFiles(s)) {
      for (const secret of [OPENAI_KEY, TOKEN]) expect(findLeak(f.text, secret), `${f.rel} holds a fixture secret`).toBeUndefined()
    }
    expect((await s.readJson(s.store)).profiles["anthropic:manual"].tokenRef).toEqual({ source: "exec", provider: "vault", id: "anthropic" })
    // What is left in plain text is what the plan did not replace: the proxy header and the gateway token.
    expect(await s.readText(path.join(s.state, ".env"))).toBe(`OPENCLAW_GATEWAY_TOKEN=${GATEWAY}\nLOG_LEVEL=debug\n`)
  })

  it("no run printed any piece of a fixture secret", () => {
    expect(runsOfThisFile().length).toBeGreaterThan(0)
    expectNoLeak(outputsOf(runsOfThisFile()), SECRETS)
  })
})
