import { describe, expect, it } from "@effect/vitest"
import { FakeClaudeCli, ScriptedPrompter } from "./support/FakeInteraction.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, HOUR, NOW, runCli, STATE, STORE } from "./support/TestApp.js"

const TOKEN = "sk-ant-oat01-FAKE" + "t".repeat(80) + "TOK9"
const KEY = "sk-ant-api03-FAKE" + "k".repeat(40) + "KEY7"
const OR_KEY = "sk-or-v1-FAKE" + "0".repeat(40) + "6789"
const SECRETS = [TOKEN, KEY, OR_KEY]
const DAY = 24 * HOUR

const stored = (fs: MemoryFs) => JSON.parse(fs.read(STORE)!)
const config = (fs: MemoryFs) => JSON.parse(fs.read(CONFIG)!)
const clean = (out: string) => {
  for (const s of SECRETS) {
    expect(out).not.toContain(s)
    expect(out).not.toContain(s.slice(17, 40))
  }
}

describe("models auth paste-token", () => {
  it("stores a token read without echo, strips whitespace, updates the config, and status sees it", async () => {
    const fs = new MemoryFs()
    const prompter = new ScriptedPrompter({ secrets: [`  ${TOKEN.slice(0, 40)}\n${TOKEN.slice(40)}\n`] })
    const r = await runCli(["models", "auth", "paste-token", "--provider", "anthropic", "--expires-in", "12h"], { fs, prompter })
    expect(r).toMatchObject({ code: 0, stdout: "Auth profile: anthropic:manual (anthropic/token)", stderr: "" })
    expect(stored(fs).profiles["anthropic:manual"]).toEqual({ type: "token", provider: "anthropic", token: TOKEN, expires: NOW + 12 * HOUR })
    expect(config(fs)).toEqual({ auth: { profiles: { "anthropic:manual": { provider: "anthropic", mode: "token" } } } })
    const status = await runCli(["models", "status", "--check"], { fs })
    expect(status.code).toBe(2)
    expect(status.stdout).toContain("anthropic:manual=sk-ant-oat01-…TOK9")
    clean(r.stdout + r.stderr + status.stdout + status.stderr)
  })

  it("parses durations: a bare number means days", async () => {
    const fs = new MemoryFs()
    const prompter = new ScriptedPrompter({ secrets: [TOKEN] })
    await runCli(["models", "auth", "paste-token", "--provider", "anthropic", "--expires-in", "30", "--profile-id", "Work"], { fs, prompter })
    expect(stored(fs).profiles["anthropic:work"].expires).toBe(NOW + 30 * DAY)
  })

  it.each([
    ["sk-ant-oat01-short", "setup-tokens are at least 80"],
    [KEY, "this is an Anthropic API key, not a setup-token"],
    ["ghp_" + "x".repeat(90), "starts with sk-ant-oat01-"]
  ])("rejects %s with a clear message and stores nothing", async (input, message) => {
    const fs = new MemoryFs()
    const r = await runCli(["models", "auth", "paste-token", "--provider", "anthropic"], { fs, prompter: new ScriptedPrompter({ secrets: [input] }) })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(message)
    expect(r.stderr).toContain("Nothing was stored.")
    expect(fs.files.size).toBe(0)
    clean(r.stderr)
  })

  it("says how to provide the token when standard input is empty", async () => {
    const r = await runCli(["models", "auth", "paste-token", "--provider", "openai"], { fs: new MemoryFs() })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      "openclaw: No token on standard input. Fix: run `openclaw models auth paste-token --provider openai` in a terminal to be prompted, or pipe the token into it."
    )
  })

  it("refuses a bad --expires-in before asking for the secret", async () => {
    const prompter = new ScriptedPrompter({ secrets: [TOKEN] })
    const r = await runCli(["models", "auth", "paste-token", "--provider", "anthropic", "--expires-in", "soon"], { fs: new MemoryFs(), prompter })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('--expires-in "soon" is not a duration')
    expect(prompter.asked).toEqual([])
  })

  it("never touches an unparseable config or store", async () => {
    const brokenConfig = "{ auth: { "
    const fs = new MemoryFs({ [CONFIG]: brokenConfig })
    const prompter = new ScriptedPrompter({ secrets: [TOKEN] })
    const r = await runCli(["models", "auth", "paste-token", "--provider", "anthropic"], { fs, prompter })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${CONFIG}:1:`)
    expect(fs.read(CONFIG)).toBe(brokenConfig)
    expect(fs.read(STORE)).toBeUndefined()
    expect(prompter.asked).toEqual([])
  })

  it("adds the id to an existing config order, and notes an agent order that leaves it out", async () => {
    const fs = new MemoryFs({
      [CONFIG]: JSON.stringify({ keep: 1, auth: { order: { anthropic: ["anthropic:a"] } } }),
      [STORE]: JSON.stringify({ version: 1, profiles: { "anthropic:a": { type: "api_key", provider: "anthropic", key: KEY } }, order: { anthropic: ["anthropic:a"] } })
    })
    const r = await runCli(["models", "auth", "paste-token", "--provider", "anthropic"], { fs, prompter: new ScriptedPrompter({ secrets: [TOKEN] }) })
    expect(r.code).toBe(0)
    expect(config(fs)).toEqual({
      keep: 1,
      auth: { order: { anthropic: ["anthropic:a", "anthropic:manual"] }, profiles: { "anthropic:manual": { provider: "anthropic", mode: "token" } } }
    })
    expect(r.stdout).toContain("this agent's order for anthropic is anthropic:a, which does not include anthropic:manual")
  })
})

describe("models auth paste-token without --expires-in (issue 15 item 8)", () => {
  const tty = (texts: Array<string>, secret = TOKEN) => new ScriptedPrompter({ secrets: [secret], texts }, true)
  const paste = (fs: MemoryFs, prompter: ScriptedPrompter, provider = "anthropic") =>
    runCli(["models", "auth", "paste-token", "--provider", provider], { fs, prompter })

  it("asks on a terminal; Enter takes 365 days for an Anthropic setup-token", async () => {
    const fs = new MemoryFs()
    const prompter = tty([""])
    expect((await paste(fs, prompter)).code).toBe(0)
    expect(prompter.asked).toEqual(["Paste the token for anthropic (input is hidden)", "How long is this anthropic token valid? (30d, 1y, never)"])
    expect(stored(fs).profiles["anthropic:manual"].expires).toBe(NOW + 365 * DAY)
  })

  it.each([
    ["30d", NOW + 30 * DAY],
    ["1y", NOW + 365 * DAY],
    ["never", undefined]
  ])("takes %s", async (answer, expires) => {
    const fs = new MemoryFs()
    expect((await paste(fs, tty([answer]))).code).toBe(0)
    expect(stored(fs).profiles["anthropic:manual"].expires).toBe(expires)
  })

  it("re-asks after an answer that is not a duration; another provider's token defaults to never", async () => {
    const fs = new MemoryFs()
    const r = await paste(fs, tty(["soon", "2w"]))
    expect(r.stderr).toContain('"soon" is not a duration')
    expect(stored(fs).profiles["anthropic:manual"].expires).toBe(NOW + 14 * DAY)
    await paste(fs, tty([""], OR_KEY.replace("sk-or-v1-", "tok-")), "openrouter")
    expect(stored(fs).profiles["openrouter:manual"].expires).toBeUndefined()
  })

  it("piped (not a terminal): no question, stored without expiry as before", async () => {
    const fs = new MemoryFs()
    const prompter = new ScriptedPrompter({ secrets: [TOKEN] })
    expect((await paste(fs, prompter)).code).toBe(0)
    expect(prompter.asked).toHaveLength(1)
    expect(stored(fs).profiles["anthropic:manual"]).not.toHaveProperty("expires")
  })
})

describe("models auth paste-api-key", () => {
  it("stores an api_key profile (default <p>:default) and refuses a setup-token", async () => {
    const fs = new MemoryFs()
    const r = await runCli(["models", "auth", "paste-api-key", "--provider", "open-router"], { fs, prompter: new ScriptedPrompter({ secrets: [OR_KEY] }) })
    expect(r.stdout).toBe("Auth profile: openrouter:default (openrouter/api_key)")
    expect(stored(fs).profiles["openrouter:default"]).toEqual({ type: "api_key", provider: "openrouter", key: OR_KEY })
    const bad = await runCli(["models", "auth", "paste-api-key", "--provider", "anthropic"], { fs, prompter: new ScriptedPrompter({ secrets: [TOKEN] }) })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain("this is a Claude setup-token, not an API key")
  })
})

describe("models auth paste-* refuse characters no key has (§6.2, §11)", () => {
  it.each([
    ["an escape sequence", "sk-proj-FAKEgoodStart\u001b[31mRED0123456789", "a control character at position 22"],
    ["a NUL", "sk-proj-FAKEgoodStart\u0000tail0123456789", "a control character at position 22"],
    ["bytes that were not UTF-8", "sk-proj-FAKEgoodStart\ufffd\ufffdtail01234", "U+FFFD, which stands for bytes that were not UTF-8 at position 22"],
    ["a direction override", "sk-proj-FAKEgoodStart\u202etail0123456789", "U+202E, which is not ASCII at position 22"]
  ])("%s: refused by position, nothing stored, nothing raw on the terminal", async (_, pasted, what) => {
    const fs = new MemoryFs()
    const r = await runCli(["models", "auth", "paste-api-key", "--provider", "openai"], { fs, prompter: new ScriptedPrompter({ secrets: [pasted] }) })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`the API key holds ${what}, which no API key has: paste it again from where it was issued`)
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e\ufffd]/)
    expect(fs.read(STORE)).toBeUndefined()
    const token = await runCli(["models", "auth", "paste-token", "--provider", "openai"], { fs, prompter: new ScriptedPrompter({ secrets: [pasted] }) })
    expect(token.code).toBe(1)
    expect(token.stderr).toContain(`the token holds ${what}`)
  })
})

describe("models auth paste-* --profile-id (§1, §6)", () => {
  it("another provider's prefix or a name over 64 characters is refused before the key is asked for", async () => {
    const fs = new MemoryFs()
    const prompter = new ScriptedPrompter({ secrets: [OR_KEY] })
    const foreign = await runCli(["models", "auth", "paste-api-key", "--provider", "openrouter", "--profile-id", "anthropic:zz"], { fs, prompter })
    expect(foreign.code).toBe(1)
    expect(foreign.stderr).toContain("--profile-id anthropic:zz is a profile of anthropic, not of openrouter")
    expect(foreign.stderr).toContain("pass --profile-id zz (it becomes openrouter:zz), or --provider anthropic")
    const long = await runCli(["models", "auth", "paste-token", "--provider", "openrouter", "--profile-id", "w".repeat(10_000)], { fs, prompter })
    expect(long.stderr).toContain("the profile name is 10000 characters; at most 64 are allowed")
    expect(prompter.asked).toEqual([])
    expect(fs.read(STORE)).toBeUndefined()
    // Its own prefix is fine.
    const own = await runCli(["models", "auth", "paste-api-key", "--provider", "openrouter", "--profile-id", "openrouter:work"], { fs, prompter })
    expect(own.stdout).toBe("Auth profile: openrouter:work (openrouter/api_key)")
  })
})

describe("models auth paste-api-key when the store cannot be written", () => {
  it("leaves the config as it was, so the provider's working profile stays in use (§3.3, §5.1)", async () => {
    const OPENAI = "sk-proj-FAKEexisting" + "e".repeat(30) + "OK12"
    const before = "// mine\n{ agents: { defaults: { model: { primary: 'openai/gpt-4o' } } } }\n"
    const fs = new MemoryFs({ [CONFIG]: before, [STORE]: JSON.stringify({ version: 1, profiles: { "openai:a": { type: "api_key", provider: "openai", key: OPENAI } } }) })
    expect((await runCli(["models", "status", "--check"], { fs })).code).toBe(0)
    fs.failWritesTo.set(STORE, "ENOSPC")
    const r = await runCli(["models", "auth", "paste-api-key", "--provider", "openai", "--profile-id", "openai:x"], { fs, prompter: new ScriptedPrompter({ secrets: [OR_KEY.replace("sk-or-v1-", "sk-proj-")] }) })
    expect(r.code).toBe(1)
    expect(fs.read(CONFIG)).toBe(before)
    fs.failWritesTo.clear()
    const after = await runCli(["models", "status", "--check"], { fs })
    expect(after.code).toBe(0)
  })
})

describe("models auth setup-token", () => {
  const tty = (secrets: Array<string>, confirms: Array<boolean> = []) => new ScriptedPrompter({ secrets, confirms }, true)

  it("requires an interactive terminal", async () => {
    const claude = new FakeClaudeCli()
    const r = await runCli(["models", "auth", "setup-token", "--provider", "anthropic"], { fs: new MemoryFs(), claude })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^openclaw: setup-token requires an interactive TTY\./)
    expect(claude.runs).toBe(0)
  })

  it("confirms, runs claude setup-token, stores the pasted token with a one-year expiry", async () => {
    const fs = new MemoryFs()
    const claude = new FakeClaudeCli()
    const prompter = tty([TOKEN], [true])
    const r = await runCli(["models", "auth", "setup-token", "--provider", "anthropic"], { fs, claude, prompter })
    expect(r).toMatchObject({ code: 0, stdout: "Auth profile: anthropic:manual (anthropic/token)" })
    expect(claude.runs).toBe(1)
    expect(prompter.asked[0]).toContain("Run `claude setup-token` now?")
    expect(stored(fs).profiles["anthropic:manual"].expires).toBe(NOW + 365 * DAY)
  })

  it("--yes skips the question; declining stores nothing and runs nothing", async () => {
    const claude = new FakeClaudeCli()
    const yes = await runCli(["models", "auth", "setup-token", "--provider", "anthropic", "--yes"], { fs: new MemoryFs(), claude, prompter: tty([TOKEN]) })
    expect(yes.code).toBe(0)
    const fs = new MemoryFs()
    const no = await runCli(["models", "auth", "setup-token", "--provider", "anthropic"], { fs, claude, prompter: tty([TOKEN], [false]) })
    expect(no).toMatchObject({ code: 1, stderr: "openclaw: Cancelled; nothing was stored." })
    expect(claude.runs).toBe(1)
    expect(fs.files.size).toBe(0)
  })

  it("explains how to install Claude Code when claude is missing", async () => {
    const r = await runCli(["models", "auth", "setup-token", "--provider", "anthropic", "--yes"], {
      fs: new MemoryFs(),
      claude: new FakeClaudeCli("not-found"),
      prompter: tty([TOKEN])
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("Claude Code's `claude` program was not found on PATH. Fix: install Claude Code (`npm install -g @anthropic-ai/claude-code`)")
  })

  it("refuses other providers", async () => {
    const r = await runCli(["models", "auth", "setup-token", "--provider", "openai"], { fs: new MemoryFs(), prompter: tty([]) })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("setup-token only works with --provider anthropic")
  })
})

describe("models auth list / logout / order / cooldowns", () => {
  const world = () =>
    new MemoryFs({
      [STORE]: JSON.stringify({
        version: 1,
        profiles: {
          "anthropic:a": { type: "api_key", provider: "anthropic", key: KEY },
          "anthropic:t": { type: "token", provider: "anthropic", token: TOKEN, expires: NOW + 3 * DAY },
          "openrouter:x": { type: "api_key", provider: "openrouter", key: OR_KEY },
          "anthropic:bad": { type: "magic" }
        },
        order: { anthropic: ["anthropic:t", "anthropic:a"] },
        lastGood: { anthropic: "anthropic:t" },
        usageStats: {
          "anthropic:t": { lastUsed: NOW - 1, cooldownUntil: NOW + 5 * 60_000, errorCount: 1 },
          "anthropic:a": { disabledUntil: NOW + 4 * HOUR, disabledReason: "billing" }
        }
      }),
      [CONFIG]: JSON.stringify({ auth: { profiles: { "anthropic:t": { provider: "anthropic", mode: "token" } }, order: { anthropic: ["anthropic:t"] } } })
    })

  it("lists masked secrets, expiry and cooldowns, in text and JSON", async () => {
    const fs = world()
    const text = await runCli(["models", "auth", "list"], { fs })
    expect(text.stdout).toContain("anthropic:t")
    expect(text.stdout).toMatch(/anthropic:t\s+token\s+sk-ant-oat01-…TOK9\s+ok, expires in 3d\s+cooldown 5m/)
    expect(text.stdout).toMatch(/anthropic:a\s+api_key\s+sk-ant-api03-…KEY7\s+static\s+disabled:billing 4h/)
    expect(text.stdout).toContain('skipped anthropic:bad: unknown type "magic"')
    const json = JSON.parse((await runCli(["models", "auth", "list", "--json"], { fs })).stdout)
    expect(json.profiles.map((p: { profileId: string }) => p.profileId)).toEqual(["anthropic:a", "anthropic:t", "openrouter:x"])
    clean(text.stdout + JSON.stringify(json))
  })

  it("logout removes the profile and every reference to it", async () => {
    const fs = world()
    const r = await runCli(["models", "auth", "logout", "--profile-id", "anthropic:t"], { fs })
    expect(r.stdout).toBe(`Removed auth profile anthropic:t from ${STORE}.`)
    const s = stored(fs)
    expect(Object.keys(s.profiles)).toEqual(["anthropic:a", "openrouter:x", "anthropic:bad"])
    expect(s.order).toEqual({ anthropic: ["anthropic:a"] })
    expect(s.lastGood).toEqual({})
    expect(Object.keys(s.usageStats)).toEqual(["anthropic:a"])
    expect(config(fs)).toEqual({ auth: { profiles: {}, order: {} } })
    const again = await runCli(["models", "auth", "logout", "--profile-id", "anthropic:t"], { fs })
    expect(again).toMatchObject({ code: 1, stderr: `openclaw: Auth profile "anthropic:t" not found in ${STATE}/agents/main/agent. Fix: run \`openclaw models auth list\` to see the stored ids.` })
  })

  it("logout can remove a malformed (skipped) entry", async () => {
    const fs = world()
    expect((await runCli(["models", "auth", "logout", "--profile-id", "anthropic:bad"], { fs })).code).toBe(0)
    expect(stored(fs).profiles["anthropic:bad"]).toBeUndefined()
  })

  it("order get / set / clear with validation", async () => {
    const fs = world()
    const get = await runCli(["models", "auth", "order", "get", "--provider", "anthropic"], { fs })
    expect(get.stdout).toBe(`Agent: main\nProvider: anthropic\nAuth file: ${STORE}\nOrder override: anthropic:t, anthropic:a`)
    const set = await runCli(["models", "auth", "order", "set", "--provider", "anthropic", "anthropic:a", "anthropic:t", "anthropic:a"], { fs })
    expect(set.stdout).toContain("Order override: anthropic:a, anthropic:t")
    expect(stored(fs).order.anthropic).toEqual(["anthropic:a", "anthropic:t"])
    const before = fs.read(STORE)
    const missing = await runCli(["models", "auth", "order", "set", "--provider", "anthropic", "anthropic:a", "anthropic:zzz"], { fs })
    expect(missing.stderr).toBe(`openclaw: Auth profile "anthropic:zzz" not found in ${STATE}/agents/main/agent. Fix: run \`openclaw models auth list\` to see the stored ids.`)
    const wrong = await runCli(["models", "auth", "order", "set", "--provider", "anthropic", "openrouter:x"], { fs })
    expect(wrong.stderr).toBe('openclaw: Auth profile "openrouter:x" is for openrouter, not anthropic.')
    expect(fs.read(STORE)).toBe(before)
    const clear = await runCli(["models", "auth", "order", "clear", "--provider", "anthropic"], { fs })
    // Agent:/Provider: first, as `get` and OpenClaw print them (issue 15 item 7: deliberately added).
    expect(clear.stdout).toBe("Agent: main\nProvider: anthropic\nCleared per-agent order override.")
    const json = JSON.parse((await runCli(["models", "auth", "order", "get", "--provider", "anthropic", "--json"], { fs })).stdout)
    expect(json).toEqual({ agentId: "main", provider: "anthropic", authFile: STORE, agentDir: `${STATE}/agents/main/agent`, authStorePath: STORE, order: null })
  })

  it("order set --agent <sub-agent> takes the main agent's profiles it sees underneath (§3.1), and writes the sub-agent's store", async () => {
    const fs = world()
    fs.put(CONFIG, JSON.stringify({ agents: { list: [{ id: "main", default: true }, { id: "work" }] } }))
    const workStore = `${STATE}/agents/work/agent/auth-profiles.json`
    const listed = await runCli(["models", "auth", "list", "--agent", "work", "--json"], { fs })
    expect(listed.stdout).toContain("anthropic:a")
    const mainBefore = fs.read(STORE)
    const set = await runCli(["models", "auth", "order", "set", "--provider", "anthropic", "anthropic:a", "--agent", "work"], { fs })
    expect(set.stderr).toBe("")
    expect(set.code).toBe(0)
    expect(JSON.parse(fs.read(workStore)!).order).toEqual({ anthropic: ["anthropic:a"] })
    expect(fs.read(STORE)).toBe(mainBefore)
    const missing = await runCli(["models", "auth", "order", "set", "--provider", "anthropic", "anthropic:zzz", "--agent", "work"], { fs })
    expect(missing.stderr).toContain('Auth profile "anthropic:zzz" not found')
  })

  it("cooldowns clear lifts cooldowns and billing disables, and status agrees", async () => {
    const fs = world()
    const before = await runCli(["models", "status", "--json"], { fs })
    expect(JSON.parse(before.stdout).auth.unusableProfiles.map((u: { profileId: string }) => u.profileId).sort()).toEqual(["anthropic:a", "anthropic:t"])
    const r = await runCli(["models", "auth", "cooldowns", "clear", "--provider", "anthropic"], { fs })
    expect(r.stdout).toBe("Cleared cooldowns: anthropic:t, anthropic:a")
    expect(stored(fs).usageStats).toEqual({ "anthropic:t": { lastUsed: NOW - 1 } })
    const after = await runCli(["models", "status", "--json"], { fs })
    expect(JSON.parse(after.stdout).auth.unusableProfiles).toEqual([])
    expect((await runCli(["models", "auth", "cooldowns", "clear"], { fs })).stdout).toBe("No cooldowns to clear.")
  })
})
