import { describe, expect, it } from "@effect/vitest"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, HOUR, NOW, runCli, STATE, STORE } from "./support/TestApp.js"

const API_KEY = "sk-ant-api03-FAKEKEYabcdefghijklmnopqrstuvwxyz0123456789-TESTwxyz"
const TOKEN = "sk-ant-oat01-FAKETOKENabcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuv-TESTtkn9"
const SECRETS = [API_KEY, TOKEN]

const store = (profiles: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ version: 1, profiles, ...extra })

const noSecrets = (text: string) => {
  for (const s of SECRETS) {
    expect(text).not.toContain(s)
    expect(text).not.toContain(s.slice(13, 30))
  }
}

describe("models status --check (in-process)", () => {
  const cases: ReadonlyArray<{ name: string; fs: () => MemoryFs; vars?: Record<string, string>; code: number }> = [
    {
      name: "API key only → 0",
      fs: () => new MemoryFs({ [STORE]: store({ "anthropic:default": { type: "api_key", provider: "anthropic", key: API_KEY } }) }),
      code: 0
    },
    {
      name: "token expiring in 5h → 2",
      fs: () =>
        new MemoryFs({
          [STORE]: store({ "anthropic:work": { type: "token", provider: "anthropic", token: TOKEN, expires: NOW + 5 * HOUR } })
        }),
      code: 2
    },
    {
      name: "token expired → 1",
      fs: () =>
        new MemoryFs({
          [STORE]: store({ "anthropic:work": { type: "token", provider: "anthropic", token: TOKEN, expires: NOW - 1 } })
        }),
      code: 1
    },
    {
      name: "token without expires → 0",
      fs: () => new MemoryFs({ [STORE]: store({ "anthropic:work": { type: "token", provider: "anthropic", token: TOKEN } }) }),
      code: 0
    },
    { name: "default model's provider without credential → 1", fs: () => new MemoryFs(), code: 1 },
    {
      name: "key only in <state>/.env → 0",
      fs: () => new MemoryFs({ [`${STATE}/.env`]: `# daemon keys\nANTHROPIC_API_KEY=${API_KEY}\n` }),
      code: 0
    },
    { name: "key only in the process env → 0", fs: () => new MemoryFs(), vars: { ANTHROPIC_API_KEY: API_KEY }, code: 0 },
    {
      name: "API key plus an expired token → 1",
      fs: () =>
        new MemoryFs({
          [STORE]: store({
            "anthropic:default": { type: "api_key", provider: "anthropic", key: API_KEY },
            "anthropic:work": { type: "token", provider: "anthropic", token: TOKEN, expires: NOW - HOUR }
          })
        }),
      code: 1
    },
    {
      name: "expiring token of a provider not in use → 2",
      fs: () =>
        new MemoryFs({
          [STORE]: store({
            "anthropic:default": { type: "api_key", provider: "anthropic", key: API_KEY },
            "openrouter:tok": { type: "token", provider: "openrouter", token: TOKEN, expires: NOW + HOUR }
          })
        }),
      code: 2
    }
  ]
  for (const c of cases) {
    for (const mode of [[], ["--json"], ["--plain"]]) {
      it(`${c.name} ${mode.join(" ")}`, async () => {
        const r = await runCli(["models", "status", "--check", ...mode], { fs: c.fs(), ...(c.vars ? { vars: c.vars } : {}) })
        expect(r.code).toBe(c.code)
        noSecrets(r.stdout + r.stderr)
        if (mode[0] === "--json") expect(() => JSON.parse(r.stdout)).not.toThrow()
        if (mode[0] === "--plain") expect(r.stdout).toBe("anthropic/claude-opus-4-6")
      })
    }
  }

  it("without --check exits 0 even when credentials are missing", async () => {
    const r = await runCli(["models", "status"], { fs: new MemoryFs() })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("Missing auth")
    expect(r.stdout).toContain("anthropic: no credential. Fix: openclaw models auth paste-api-key --provider anthropic")
  })

  it("refuses --json with --plain", async () => {
    const r = await runCli(["models", "status", "--json", "--plain"], { fs: new MemoryFs() })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("--json and --plain cannot be used together")
  })

  it("reports a malformed store with file, position and fix, and leaves it unchanged", async () => {
    const broken = '{ "version": 1, "profiles": { "a:b": { "type": "api_key" ,, } } }'
    const fs = new MemoryFs({ [STORE]: broken })
    const r = await runCli(["models", "status", "--check"], { fs })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(new RegExp(`^openclaw: ${STORE}:1:\\d+: invalid JSON: .+ Fix: `))
    expect(r.stderr.split("\n")).toHaveLength(1)
    expect(fs.read(STORE)).toBe(broken)
    expect(fs.writes).toBe(0)
  })

  it("reports an unknown agent with the configured ids", async () => {
    const fs = new MemoryFs({ [CONFIG]: '{ agents: { list: [{ id: "main", default: true }, { id: "work" }] } }' })
    const r = await runCli(["models", "status", "--agent", "nope"], { fs })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `openclaw: Unknown agent "nope". Configured agents: main, work. Fix: pass one of those to --agent, or add the agent to agents.list in ${CONFIG}.`
    )
  })
})

describe("models status: control characters in a profile's email or account fields (§11)", () => {
  const EMAIL = "me\u001b[2J\u0007\r\nFORGED@example.com"
  const fs = () =>
    new MemoryFs({
      [STORE]: store({
        "anthropic:mail": { type: "oauth", provider: "anthropic", access: TOKEN, expires: NOW + 48 * HOUR, email: EMAIL, accountId: "acct\u0007" },
        "anthropic:key": { type: "api_key", provider: "anthropic", key: API_KEY, email: "ok@example.com" }
      })
    })

  it("text: a flag on the profile's label and a section with the reason and the fix; nothing raw", async () => {
    const r = await runCli(["models", "status"], { fs: fs() })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("(me\\x1b[2J\\x07\\r\\nFORGED@example.com) [email has control characters] [accountId has control characters]")
    const section = r.stdout.split("\n\n").find((block) => block.startsWith("Profiles with control characters"))
    expect(section).toBe(
      [
        "Profiles with control characters",
        `  anthropic:mail: email contains an ESC (a control character); it is shown escaped (in ${STORE}). Fix: sign in again (openclaw models auth login --provider anthropic), or edit its "email" in the auth store`,
        `  anthropic:mail: accountId contains a BEL (a control character); it is shown escaped (in ${STORE}). Fix: sign in again (openclaw models auth login --provider anthropic), or edit its "accountId" in the auth store`
      ].join("\n")
    )
    expect(r.stdout + r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
    noSecrets(r.stdout + r.stderr)
  })

  it("--json: flaggedProfiles says which profile, field, why and the fix; --plain warns on stderr", async () => {
    const r = await runCli(["models", "status", "--json"], { fs: fs() })
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.auth.flaggedProfiles).toEqual([
      {
        profileId: "anthropic:mail",
        provider: "anthropic",
        field: "email",
        reason: "email contains an ESC (a control character); it is shown escaped",
        fix: 'sign in again (openclaw models auth login --provider anthropic), or edit its "email" in the auth store'
      },
      {
        profileId: "anthropic:mail",
        provider: "anthropic",
        field: "accountId",
        reason: "accountId contains a BEL (a control character); it is shown escaped",
        fix: 'sign in again (openclaw models auth login --provider anthropic), or edit its "accountId" in the auth store'
      }
    ])
    // The profile stays usable, its email as stored.
    expect(report.auth.providers[0].effective.kind).toBe("profiles")
    expect(report.auth.providers[0].profiles.labels.join("\n")).toContain(EMAIL)
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
    const plain = await runCli(["models", "status", "--plain"], { fs: fs() })
    expect(plain.stderr).toContain(`warning: ${STORE}: profile anthropic:mail: email contains an ESC (a control character); it is shown escaped; fix: sign in again`)
    expect(plain.stdout + plain.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
    const clean = await runCli(["models", "status", "--json"], { fs: new MemoryFs({ [STORE]: store({ "anthropic:key": { type: "api_key", provider: "anthropic", key: API_KEY, email: "ok@example.com" } }) }) })
    expect(JSON.parse(clean.stdout).auth.flaggedProfiles).toEqual([])
  })
})
