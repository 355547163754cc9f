import { describe, expect, it } from "@effect/vitest"
import { ScriptedPrompter } from "./support/FakeInteraction.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, HOUR, NOW, runCli, STORE } from "./support/TestApp.js"

// Issue 15 item 5 (§6 "Command-line manners"): --provider is checked, foreign secrets refused, bare models
// qualified, y/w durations, honest order get/clear.
const ANT_KEY = "sk-ant-api03-FAKE" + "k".repeat(40) + "KEY7"
const OR_KEY = "sk-or-v1-FAKE" + "0".repeat(40) + "6789"
const GROQ_KEY = "gsk_FAKE" + "g".repeat(40) + "GRQ1"
const XAI_KEY = "xai-FAKE" + "x".repeat(40) + "XAI1"
const OPENAI_KEY = "sk-proj-FAKE" + "o".repeat(40) + "OAK1"
const DAY = 24 * HOUR

const stored = (fs: MemoryFs) => JSON.parse(fs.read(STORE)!)
const keyed = (secret: string) => new ScriptedPrompter({ secrets: [secret] })

describe("--provider is checked", () => {
  it.each([
    ["paste-api-key", ["models", "auth", "paste-api-key", "--provider", "antropic"]],
    ["paste-token", ["models", "auth", "paste-token", "--provider", "antropic", "--expires-in", "1y"]],
    ["order get", ["models", "auth", "order", "get", "--provider", "antropic"]],
    ["order set", ["models", "auth", "order", "set", "--provider", "antropic", "anthropic:a"]],
    ["order clear", ["models", "auth", "order", "clear", "--provider", "antropic"]],
    ["cooldowns clear", ["models", "auth", "cooldowns", "clear", "--provider", "antropic"]],
    ["login", ["models", "auth", "login", "--provider", "antropic"]],
    ["onboard", ["onboard", "--non-interactive", "--auth-choice", "api-key", "--provider", "antropic", "--api-key", ANT_KEY]]
  ])("%s --provider antropic: did you mean anthropic, nothing written", async (_, args) => {
    const fs = new MemoryFs()
    const r = await runCli(args, { fs, prompter: keyed(ANT_KEY) })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('unknown provider "antropic" (did you mean anthropic?)')
    expect(r.stderr).toContain("pass --provider anthropic")
    expect(r.stderr).not.toContain(ANT_KEY.slice(12, 40))
    expect(fs.files.size).toBe(0)
  })

  it("an alias and a provider defined under models.providers are accepted; a far-off name gets the list only", async () => {
    const fs = new MemoryFs({ [CONFIG]: JSON.stringify({ models: { providers: { mylab: { baseUrl: "http://127.0.0.1:9/v1" } } } }) })
    expect((await runCli(["models", "auth", "paste-api-key", "--provider", "Claude"], { fs, prompter: keyed(ANT_KEY) })).code).toBe(0)
    expect((await runCli(["models", "auth", "paste-api-key", "--provider", "mylab"], { fs, prompter: keyed("lab-key-12345678") })).code).toBe(0)
    expect(Object.keys(stored(fs).profiles)).toEqual(["anthropic:default", "mylab:default"])
    const r = await runCli(["models", "auth", "order", "get", "--provider", "nosuch"], { fs })
    expect(r.code).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr).toBe(
      'openclaw: unknown provider "nosuch". Fix: pass --provider with one of anthropic, openai, openrouter, google, groq, ' +
        `mistral, xai, deepseek, together, ollama, mylab (or define models.providers.nosuch in ${CONFIG}).`
    )
  })
})

describe("a secret another provider issued is refused with the reason", () => {
  it.each([
    ["paste-api-key", "openai", ANT_KEY, "starts with sk-ant-, which Anthropic issues, so it will not work for openai", "paste-api-key --provider anthropic"],
    ["paste-api-key", "anthropic", OR_KEY, "starts with sk-or-, which OpenRouter issues, so it will not work for anthropic", "paste-api-key --provider openrouter"],
    ["paste-api-key", "openai", GROQ_KEY, "starts with gsk_, which Groq issues", "paste-api-key --provider groq"],
    ["paste-api-key", "groq", XAI_KEY, "starts with xai-, which xAI issues", "paste-api-key --provider xai"],
    ["paste-token", "anthropic", OR_KEY, "this token starts with sk-or-, which OpenRouter issues", "paste-token --provider openrouter"],
    ["paste-token", "openai", ANT_KEY, "this token starts with sk-ant-, which Anthropic issues", "paste-token --provider anthropic"]
  ])("%s --provider %s refuses a foreign key", async (command, provider, secret, reason, fix) => {
    const fs = new MemoryFs()
    const r = await runCli(["models", "auth", command, "--provider", provider], { fs, prompter: keyed(secret) })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(reason)
    expect(r.stderr).toContain(`\`openclaw models auth ${fix}\``)
    expect(r.stderr).toContain("Nothing was stored.")
    expect(r.stderr).not.toContain(secret.slice(8, 30))
    expect(fs.files.size).toBe(0)
  })

  it("onboard refuses it too; the owner's own key and a local server's any key are accepted", async () => {
    const fs = new MemoryFs()
    const r = await runCli(["onboard", "--non-interactive", "--auth-choice", "api-key", "--provider", "openai", "--api-key", ANT_KEY], { fs })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("starts with sk-ant-, which Anthropic issues, so it will not work for openai")
    expect(fs.files.size).toBe(0)
    expect((await runCli(["models", "auth", "paste-api-key", "--provider", "openai"], { fs, prompter: keyed(OPENAI_KEY) })).code).toBe(0)
    expect((await runCli(["models", "auth", "paste-api-key", "--provider", "ollama"], { fs, prompter: keyed(ANT_KEY) })).code).toBe(0)
  })
})

describe("onboard qualifies a bare default model with the chosen provider", () => {
  it("gpt-4o for openrouter is stored as openrouter/gpt-4o; provider/model and aliases stay as typed", async () => {
    const fs = new MemoryFs()
    const r = await runCli(
      ["onboard", "--non-interactive", "--auth-choice", "api-key", "--provider", "openrouter", "--api-key", OR_KEY, "--model", "gpt-4o"],
      { fs }
    )
    expect(r.stderr).toBe("")
    expect(r.stdout).toContain("Default model: openrouter/gpt-4o")
    expect(JSON.parse(fs.read(CONFIG)!).agents.defaults.model.primary).toBe("openrouter/gpt-4o")
    expect((await runCli(["models", "status", "--check", "--plain"], { fs })).code).toBe(0)
    await runCli(["onboard", "--non-interactive", "--auth-choice", "api-key", "--provider", "openrouter", "--api-key", OR_KEY, "--model", "openai/gpt-4.1"], { fs })
    expect(JSON.parse(fs.read(CONFIG)!).agents.defaults.model.primary).toBe("openai/gpt-4.1")
  })
})

describe("durations take y (365 d) and w (7 d)", () => {
  it.each([
    ["1y", 365 * DAY],
    ["2w", 14 * DAY]
  ])("paste-token --expires-in %s and onboard --token-expires-in %s", async (text, ms) => {
    const fs = new MemoryFs()
    const token = "tok-FAKE" + "t".repeat(30)
    expect((await runCli(["models", "auth", "paste-token", "--provider", "openai", "--expires-in", text], { fs, prompter: keyed(token) })).code).toBe(0)
    expect(stored(fs).profiles["openai:manual"].expires).toBe(NOW + ms)
    const r = await runCli(["onboard", "--non-interactive", "--auth-choice", "token", "--provider", "groq", "--token", token, "--token-expires-in", text], { fs })
    expect(r.stderr).toBe("")
    expect(stored(fs).profiles["groq:manual"].expires).toBe(NOW + ms)
  })
})

describe("order clear says whether there was an override", () => {
  it("Cleared only when there was one; otherwise says there was none, exit 0 both times", async () => {
    const fs = new MemoryFs({ [STORE]: JSON.stringify({ version: 1, profiles: { "anthropic:a": { type: "api_key", provider: "anthropic", key: ANT_KEY } }, order: { anthropic: ["anthropic:a"] } }) })
    const first = await runCli(["models", "auth", "order", "clear", "--provider", "anthropic"], { fs })
    expect(first).toMatchObject({ code: 0, stderr: "" })
    expect(first.stdout).toContain("Cleared per-agent order override.")
    expect(stored(fs).order).toEqual({})
    const second = await runCli(["models", "auth", "order", "clear", "--provider", "anthropic"], { fs })
    expect(second).toMatchObject({ code: 0, stderr: "" })
    expect(second.stdout).toContain("No per-agent order override for anthropic; nothing to clear.")
    expect(second.stdout).not.toContain("Cleared")
  })
})

describe("a file in the wrong encoding says so (§11)", () => {
  it.each([
    ["a UTF-8 byte-order mark", `\ufeff{"version":1,"profiles":{}}`, "the file starts with a byte-order mark; save it as UTF-8 without one"],
    ["UTF-16 read as UTF-8", `\ufffd\ufffd{\u0000"\u0000v\u0000e\u0000r\u0000"\u0000}\u0000`, "the file is UTF-16 (or another encoding with NUL bytes); save it as UTF-8"]
  ])("%s: named at 1:1, the file kept as it was", async (_, content, words) => {
    for (const path of [STORE, CONFIG]) {
      const fs = new MemoryFs({ [path]: content })
      const r = await runCli(["models", "status"], { fs })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(words)
      expect(r.stderr).toContain("1:1")
      expect(fs.read(path)).toBe(content)
    }
  })
})
