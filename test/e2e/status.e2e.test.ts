/**
 * `openclaw models status` end to end: the built binary, a fresh HOME, a clean environment.
 */
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { type Outcome } from "../support/Child.js"
import { runsOfThisFile, Sandbox, useSandboxes } from "../support/Sandbox.js"
import { expectNoAnsi, expectNoInternals, expectNoSecrets, HOUR, SECRETS, storeJson } from "./harness.js"

const newHome = useSandboxes()

const DEFAULT_MODEL = "anthropic/claude-opus-4-6"
const MODES = [[], ["--json"], ["--plain"]] as const
const modeName = (m: ReadonlyArray<string>) => (m.length === 0 ? "text" : m.join(" "))

const apiKey = (key: string = SECRETS.apiKey) => ({ type: "api_key", provider: "anthropic", key })
const token = (expires?: number, provider = "anthropic", tok: string = SECRETS.token) => ({
  type: "token",
  provider,
  token: tok,
  ...(expires === undefined ? {} : { expires })
})

/** The last four characters the mask may show, e.g. `sk-ant-api03-…ak01`. */
const masked = (prefix: string, secret: string) => `${prefix}…${secret.slice(-4)}`

interface StatusJson {
  configPath: string
  agentId: string
  agentDir: string
  defaultModel: string
  fallbacks: Array<string>
  auth: {
    storePath: string
    shellEnvFallback: { enabled: boolean; appliedKeys: Array<string> }
    providers: Array<{
      provider: string
      effective: { kind: string; detail: string }
      profiles: { count: number; oauth: number; token: number; apiKey: number; labels: Array<string> }
      env: { value: string; source: string } | null
    }>
    unusableProfiles: Array<unknown>
    missingProvidersInUse: Array<string>
    oauth: {
      warnAfterMs: number
      profiles: Array<{ profileId: string; type: string; status: string; expiresAt: number | null; remainingMs: number | null }>
      providers: Array<{ provider: string; status: string; expiresAt: number | null; remainingMs: number | null }>
    }
  }
}

/** Runs `models status --check` in every output mode at once. */
const checkAllModes = (home: Sandbox, env: Record<string, string> = {}, extra: ReadonlyArray<string> = []) =>
  Promise.all(MODES.map((m) => home.run(["models", "status", "--check", ...extra, ...m], { env })))

const expectCodes = (results: ReadonlyArray<Outcome>, code: number) => {
  for (const [i, r] of results.entries()) {
    expect({ mode: modeName(MODES[i]!), code: r.code, stderr: r.stderr }).toEqual({
      mode: modeName(MODES[i]!),
      code,
      stderr: ""
    })
  }
}

const parseJson = (r: Outcome): StatusJson => JSON.parse(r.stdout) as StatusJson

interface Scenario {
  readonly name: string
  readonly code: 0 | 1 | 2
  readonly setup: (home: Sandbox) => Promise<Record<string, string> | void>
  readonly json?: (report: StatusJson, home: Sandbox) => void
}

const SCENARIOS: ReadonlyArray<Scenario> = [
  {
    name: "API key only → 0",
    code: 0,
    setup: async (h) => {
      await h.write(h.store, storeJson({ "anthropic:default": apiKey() }))
    },
    json: (r) => {
      expect(r.auth.providers[0]!.effective).toEqual({ kind: "profiles", detail: "anthropic:default" })
      // OpenClaw 2026.3.31 lists API keys too, as static (issue 15 item 7); none of them counts for --check.
      expect(r.auth.oauth.profiles).toMatchObject([{ profileId: "anthropic:default", type: "api_key", status: "static", source: "store" }])
    }
  },
  {
    name: "token expiring in 5 h → 2",
    code: 2,
    setup: async (h) => {
      await h.write(h.store, storeJson({ "anthropic:work": token(Date.now() + 5 * HOUR) }))
    },
    json: (r) => {
      const p = r.auth.oauth.profiles[0]!
      expect(p.status).toBe("expiring")
      expect(p.remainingMs).toBeGreaterThan(4 * HOUR)
      expect(p.remainingMs).toBeLessThanOrEqual(5 * HOUR)
    }
  },
  {
    name: "token expired → 1",
    code: 1,
    setup: async (h) => {
      await h.write(h.store, storeJson({ "anthropic:work": token(Date.now() - HOUR) }))
    },
    json: (r) => expect(r.auth.oauth.profiles[0]!.status).toBe("expired")
  },
  {
    name: "token without expires → 0",
    code: 0,
    setup: async (h) => {
      await h.write(h.store, storeJson({ "anthropic:work": token() }))
    },
    json: (r) => expect(r.auth.oauth.profiles[0]!.status).toBe("static")
  },
  {
    name: "default model's provider (anthropic, no config) with no credential → 1",
    code: 1,
    setup: async () => {},
    json: (r) => {
      expect(r.defaultModel).toBe(DEFAULT_MODEL)
      expect(r.auth.missingProvidersInUse).toEqual(["anthropic"])
    }
  },
  {
    name: "key only in ~/.openclaw/.env → 0",
    code: 0,
    setup: async (h) => {
      await h.write(path.join(h.state, ".env"), `# daemon keys\nANTHROPIC_API_KEY=${SECRETS.envFileKey}\n`)
    },
    json: (r, h) => {
      const p = r.auth.providers[0]!
      expect(p.effective.kind).toBe("env")
      expect(p.env).toEqual({ name: "ANTHROPIC_API_KEY", value: masked("sk-ant-api03-", SECRETS.envFileKey), source: `.env: ${path.join(h.state, ".env")}` })
    }
  },
  {
    name: "key only in the process env → 0",
    code: 0,
    setup: async () => ({ ANTHROPIC_API_KEY: SECRETS.processKey }),
    json: (r) => {
      expect(r.auth.providers[0]!.effective.kind).toBe("env")
      expect(r.auth.providers[0]!.env).toMatchObject({ value: masked("sk-ant-api03-", SECRETS.processKey), source: "env" })
    }
  },
  {
    name: "API key plus an expired token → 1",
    code: 1,
    setup: async (h) => {
      await h.write(
        h.store,
        storeJson({ "anthropic:default": apiKey(), "anthropic:work": token(Date.now() - 2 * HOUR) })
      )
    }
  },
  {
    name: "an expiring token of a provider that is not in use → 2",
    code: 2,
    setup: async (h) => {
      await h.write(
        h.store,
        storeJson({
          "anthropic:default": apiKey(),
          "openrouter:tok": token(Date.now() + 3 * HOUR, "openrouter", SECRETS.routerToken)
        })
      )
    },
    json: (r) => {
      expect(r.auth.missingProvidersInUse).toEqual([])
      expect(r.auth.oauth.profiles.filter((p) => p.type !== "api_key")).toMatchObject([{ profileId: "openrouter:tok", status: "expiring" }])
    }
  }
]

describe.concurrent("models status --check, every output mode (built binary)", () => {
  for (const s of SCENARIOS) {
    it(s.name, async () => {
      const home = await newHome()
      const env = (await s.setup(home)) ?? {}
      const [text, json, plain] = await checkAllModes(home, env)
      expectCodes([text!, json!, plain!], s.code)

      expect(text!.stdout).toContain("Auth overview")
      expect(text!.stdout).toContain("Missing auth")
      expect(text!.stdout).toContain("OAuth/token status")
      expectNoAnsi(text!.stdout)

      const report = parseJson(json!)
      expect(report.agentId).toBe("main")
      expect(report.auth.storePath).toBe(home.store)
      s.json?.(report, home)

      expect(plain!.stdout).toBe(`${DEFAULT_MODEL}\n`)
      for (const r of [text!, json!, plain!]) expectNoInternals(r.stdout + r.stderr)
    })
  }
})

describe.concurrent("paths, overrides and agents (built binary)", () => {
  it("OPENCLAW_STATE_DIR moves the store, the config and the .env", async () => {
    const home = await newHome()
    // The default location holds an expired token: it must not be read.
    await home.write(home.store, storeJson({ "anthropic:work": token(Date.now() - HOUR) }))
    const state = path.join(home.home, "custom-state")
    const store = path.join(state, "agents", "main", "agent", "auth-profiles.json")
    await home.write(store, storeJson({ "anthropic:work": token(Date.now() + 6 * HOUR) }))
    const env = { OPENCLAW_STATE_DIR: state }
    const results = await checkAllModes(home, env)
    expectCodes(results, 2)
    const report = parseJson(results[1]!)
    expect(report.configPath).toBe(path.join(state, "openclaw.json"))
    expect(report.agentDir).toBe(path.dirname(store))
    expect(report.auth.storePath).toBe(store)
    expect(results[0]!.stdout).toContain(`Auth store : ${store}`)

    // Its .env is the daemon env file now.
    const viaEnv = await newHome()
    const state2 = path.join(viaEnv.home, "elsewhere")
    await viaEnv.write(path.join(state2, ".env"), `ANTHROPIC_API_KEY=${SECRETS.envFileKey}\n`)
    const r = await checkAllModes(viaEnv, { OPENCLAW_STATE_DIR: state2 })
    expectCodes(r, 0)
    expect(parseJson(r[1]!).auth.providers[0]!.env?.source).toBe(`.env: ${path.join(state2, ".env")}`)
  })

  it("OPENCLAW_CONFIG_PATH picks the config file", async () => {
    const home = await newHome()
    // The default config names a provider with no credential: it must not be read.
    await home.write(home.config, `{ agents: { defaults: { model: { primary: "groq/llama-3.3-70b" } } } }\n`)
    const custom = await home.write(
      "etc/openclaw/custom.json5",
      `// custom config
{
  agents: { defaults: { model: { primary: "openai/gpt-4o", fallbacks: ["anthropic/claude-sonnet-4-5"] } } },
}
`
    )
    await home.write(
      home.store,
      storeJson({ "openai:default": { type: "api_key", provider: "openai", key: SECRETS.openaiKey }, "anthropic:default": apiKey() })
    )
    const results = await checkAllModes(home, { OPENCLAW_CONFIG_PATH: custom })
    expectCodes(results, 0)
    const report = parseJson(results[1]!)
    expect(report.configPath).toBe(custom)
    expect(report.defaultModel).toBe("openai/gpt-4o")
    expect(report.fallbacks).toEqual(["anthropic/claude-sonnet-4-5"])
    expect(results[2]!.stdout).toBe("openai/gpt-4o\n")
    expect(results[0]!.stdout).toContain(`Config        : ${custom}`)
    expect(results[0]!.stdout).not.toContain("groq")

    // The same config without the anthropic fallback's key: a fallback provider in use without a credential → 1.
    const bare = await newHome()
    const cfg = await bare.write("c.json5", `{ agents: { defaults: { model: { primary: "openai/gpt-4o", fallbacks: ["anthropic/claude-sonnet-4-5"] } } } }`)
    await bare.write(bare.store, storeJson({ "openai:default": { type: "api_key", provider: "openai", key: SECRETS.openaiKey } }))
    const missing = await checkAllModes(bare, { OPENCLAW_CONFIG_PATH: cfg })
    expectCodes(missing, 1)
    expect(parseJson(missing[1]!).auth.missingProvidersInUse).toEqual(["anthropic"])
  })

  it("--agent work uses agents.list[].agentDir from a JSON5 config with comments, expanding ~", async () => {
    const home = await newHome()
    await home.write(
      home.config,
      `// openclaw config, hand-written
{
  /* two agents; work keeps its store outside the state dir */
  agents: {
    list: [
      { id: "main", default: true },
      { id: "work", agentDir: "~/work-agent/agent", }, // trailing commas are fine in JSON5
    ],
  },
}
`
    )
    await home.write(home.store, storeJson({ "anthropic:default": apiKey() }))
    const workStore = path.join(home.home, "work-agent", "agent", "auth-profiles.json")
    await home.write(workStore, storeJson({ "anthropic:work": token(Date.now() + 2 * HOUR, "anthropic", SECRETS.workToken) }))

    const [work, main] = await Promise.all([checkAllModes(home, {}, ["--agent", "work"]), checkAllModes(home)])
    expectCodes(work, 2)
    expectCodes(main, 0)
    const report = parseJson(work[1]!)
    expect(report.agentId).toBe("work")
    expect(report.agentDir).toBe(path.join(home.home, "work-agent", "agent"))
    expect(report.auth.storePath).toBe(workStore)
    expect(report.auth.oauth.profiles.filter((p) => p.type !== "api_key")).toMatchObject([{ profileId: "anthropic:work", status: "expiring" }])
    expect(work[0]!.stdout).toContain("Agent         : work")
    expect(work[0]!.stdout).toContain(`Agent dir     : ${path.join(home.home, "work-agent", "agent")}`)
    expect(work[0]!.stdout).not.toContain("~")
    expect(parseJson(main[1]!).agentId).toBe("main")
  })
})

describe.concurrent("output shape (built binary)", () => {
  it("--json has the keys of §6.1 with masked values only", async () => {
    const home = await newHome()
    const expires = Date.now() + 3 * HOUR
    await home.write(
      home.store,
      storeJson({ "anthropic:default": apiKey(), "anthropic:work": token(expires) }, { order: { anthropic: ["anthropic:work", "anthropic:default"] } })
    )
    await home.write(path.join(home.state, ".env"), `ANTHROPIC_API_KEY=${SECRETS.envFileKey}\n`)
    const r = await home.run(["models", "status", "--json"])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe("")
    const report = parseJson(r)
    expect(Object.keys(report)).toEqual(expect.arrayContaining(["configPath", "agentId", "agentDir", "defaultModel", "fallbacks", "auth"]))
    expect(report).toMatchObject({
      configPath: home.config,
      agentId: "main",
      agentDir: home.agentDir,
      defaultModel: DEFAULT_MODEL,
      fallbacks: []
    })
    expect(Object.keys(report.auth)).toEqual(
      expect.arrayContaining(["storePath", "shellEnvFallback", "providers", "unusableProfiles", "missingProvidersInUse", "oauth"])
    )
    expect(report.auth.storePath).toBe(home.store)
    expect(report.auth.shellEnvFallback).toEqual({ enabled: false, appliedKeys: [] })
    expect(Array.isArray(report.auth.unusableProfiles)).toBe(true)
    expect(report.auth.missingProvidersInUse).toEqual([])

    const anthropic = report.auth.providers.find((p) => p.provider === "anthropic")!
    expect(Object.keys(anthropic)).toEqual(expect.arrayContaining(["provider", "effective", "profiles", "env"]))
    expect(anthropic.effective).toEqual({ kind: "profiles", detail: "anthropic:work" })
    expect(anthropic.profiles).toMatchObject({ count: 2, oauth: 0, token: 1, apiKey: 1 })
    expect([...anthropic.profiles.labels].sort()).toEqual([
      `anthropic:default=${masked("sk-ant-api03-", SECRETS.apiKey)}`,
      `anthropic:work=${masked("sk-ant-oat01-", SECRETS.token)}`
    ])
    expect(anthropic.env).toMatchObject({ value: masked("sk-ant-api03-", SECRETS.envFileKey), source: `.env: ${path.join(home.state, ".env")}` })

    expect(report.auth.oauth.warnAfterMs).toBe(24 * HOUR)
    // The API key is listed too, as static (OpenClaw 2026.3.31's keys, issue 15 item 7).
    expect(report.auth.oauth.profiles.map((q) => [q.profileId, q.status])).toEqual([["anthropic:default", "static"], ["anthropic:work", "expiring"]])
    const p = report.auth.oauth.profiles[1]!
    expect(p).toMatchObject({ profileId: "anthropic:work", status: "expiring", expiresAt: expires })
    expect(Object.keys(p)).toEqual(expect.arrayContaining(["status", "expiresAt", "remainingMs"]))
    expect(report.auth.oauth.providers).toMatchObject([{ provider: "anthropic", status: "expiring", expiresAt: expires }])
    expect(Object.keys(report.auth.oauth.providers[0]!)).toEqual(expect.arrayContaining(["status", "expiresAt", "remainingMs"]))
  })

  it("text output has the three sections, masked labels and no colour when piped", async () => {
    const home = await newHome()
    await home.write(
      home.store,
      storeJson({ "anthropic:default": apiKey(), "anthropic:work": token(Date.now() + 3 * HOUR) })
    )
    const r = await home.run(["models", "status"])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe("")
    const out = r.stdout
    const overview = out.indexOf("Auth overview")
    const missing = out.indexOf("Missing auth")
    const tokens = out.indexOf("OAuth/token status")
    expect(overview).toBeGreaterThan(-1)
    expect(missing).toBeGreaterThan(overview)
    expect(tokens).toBeGreaterThan(missing)
    expect(out).toContain(`Auth store : ${home.store}`)
    expect(out).toContain(masked("sk-ant-api03-", SECRETS.apiKey))
    expect(out).toContain(masked("sk-ant-oat01-", SECRETS.token))
    expect(out).toMatch(/anthropic:work\s+token\s+expiring\s+expires in [23]h/)
    expectNoAnsi(out)
  })

  it("a missing credential is listed under Missing auth with the command that fixes it", async () => {
    const home = await newHome()
    const r = await home.run(["models", "status"])
    expect(r.code).toBe(0)
    const section = r.stdout.slice(r.stdout.indexOf("Missing auth"), r.stdout.indexOf("OAuth/token status"))
    expect(section).toContain("anthropic")
    expect(section).toContain("openclaw models auth paste-api-key --provider anthropic")
  })
})

describe.concurrent("help (built binary)", () => {
  const helpCases: ReadonlyArray<{ args: ReadonlyArray<string>; mentions: ReadonlyArray<string> }> = [
    { args: ["--help"], mentions: ["openclaw", "models", "status"] },
    { args: ["models", "--help"], mentions: ["status"] },
    { args: ["models", "status", "--help"], mentions: ["--json", "--plain", "--check", "--agent"] }
  ]
  for (const c of helpCases) {
    it(`openclaw ${c.args.join(" ")}`, async () => {
      const home = await newHome()
      const r = await home.run(c.args)
      expect(r.code).toBe(0)
      expect(r.stderr).toBe("")
      for (const m of c.mentions) expect(r.stdout).toContain(m)
      expectNoAnsi(r.stdout + r.stderr)
      expectNoInternals(r.stdout + r.stderr)
    })
  }
})

it("no secret from any fixture appears in any output of this suite", () => {
  expectNoSecrets(runsOfThisFile(), Object.values(SECRETS))
})
