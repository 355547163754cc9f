import { describe, expect, it } from "@effect/vitest"
import { PROVIDERS } from "../src/domain/Provider.js"
import { FakeClaudeCli, ScriptedPrompter } from "./support/FakeInteraction.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, HOUR, NOW, runCli, STATE, STORE } from "./support/TestApp.js"

const ENV_FILE = `${STATE}/.env`
const OPENAI_KEY = "sk-proj-FAKE" + "o".repeat(40) + "OAK1"
const ANTHROPIC_KEY = "sk-ant-api03-FAKE" + "k".repeat(40) + "KEY7"
const TOKEN = "sk-ant-oat01-FAKE" + "t".repeat(80) + "TOK9"
const OR_TOKEN = "sk-or-v1-FAKE" + "r".repeat(40) + "ORT3"
const SECRETS = [OPENAI_KEY, ANTHROPIC_KEY, TOKEN, OR_TOKEN]
const DAY = 24 * HOUR

const stored = (fs: MemoryFs) => JSON.parse(fs.read(STORE)!)
const config = (fs: MemoryFs) => JSON.parse(fs.read(CONFIG)!)
/** No secret, nor any long piece of one, in anything printed. */
const clean = (...outputs: ReadonlyArray<string>) => {
  const all = outputs.join("\n")
  for (const s of SECRETS) {
    expect(all).not.toContain(s)
    expect(all).not.toContain(s.slice(-20, -4))
  }
}
const tty = (answers: ConstructorParameters<typeof ScriptedPrompter>[0]) => new ScriptedPrompter(answers, true)

describe("onboard wizard", () => {
  it("provider → API key → hidden key → agent store → default model, then the status summary", async () => {
    const fs = new MemoryFs({ [CONFIG]: JSON.stringify({ keep: { me: 1 }, agents: { defaults: { model: { primary: "anthropic/claude-opus-4-6", fallbacks: ["openrouter/x"] } } } }) })
    const prompter = tty({ choices: ["openai", "api-key", "profiles", "set"], secrets: [`  ${OPENAI_KEY}\n`], texts: ["openai/gpt-4.1"] })
    const r = await runCli(["onboard"], { fs, prompter })
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(prompter.offered.map((o) => o.values)).toEqual([
      PROVIDERS.map((p) => p.id),
      ["api-key", "token"],
      ["profiles", "env"],
      ["set", "keep"]
    ])
    expect(prompter.asked).toContain("Paste the openai API key (input is hidden)")
    expect(stored(fs).profiles["openai:default"]).toEqual({ type: "api_key", provider: "openai", key: OPENAI_KEY })
    expect(config(fs)).toEqual({
      keep: { me: 1 },
      agents: { defaults: { model: { primary: "openai/gpt-4.1", fallbacks: ["openrouter/x"] } } },
      auth: { profiles: { "openai:default": { provider: "openai", mode: "api_key" } } }
    })
    expect(r.stdout).toContain("Auth profile: openai:default (openai/api_key)")
    expect(r.stdout).toContain("Default model: openai/gpt-4.1")
    expect(r.stdout).toContain("Default model : openai/gpt-4.1")
    expect(r.stdout).toContain("openai:default=sk-proj-…OAK1")
    expect(fs.read(ENV_FILE)).toBeUndefined()
    clean(r.stdout, r.stderr)
  })

  it("stores the key in <state>/.env for the daemon: other lines kept, the key replaced in place, 0600, no profile", async () => {
    const before = "# gateway daemon\nexport ANTHROPIC_API_KEY=sk-ant-api03-OLD-old-old-old-OLD1 # personal\nGROQ_API_KEY=gsk_x\n"
    const fs = new MemoryFs({ [ENV_FILE]: { content: before, mode: 0o644 } })
    // The variable is set, so the wizard first offers to store a reference to it (§9: declined, plain text); the old
    // key is offered next (declined), then the new one replaces it after a second question.
    const prompter = tty({ choices: ["anthropic", "api-key", "plaintext", "env", "keep"], secrets: [ANTHROPIC_KEY], confirms: [false, true] })
    const r = await runCli(["onboard"], { fs, prompter })
    expect(r.code).toBe(0)
    expect(prompter.asked).toContain(`Use ANTHROPIC_API_KEY from .env: ${ENV_FILE} (sk-ant-api03-…OLD1)?`)
    expect(prompter.offered[1]!.values).toEqual(["api-key", "setup-token", "token"])
    expect(prompter.offered[2]!.values).toEqual(["plaintext", "ref"])
    expect(prompter.offered[4]!.values).toEqual(["keep", "set"])
    expect(prompter.asked).toContain(`Replace ANTHROPIC_API_KEY in ${ENV_FILE} (sk-ant-api03-…OLD1)?`)
    expect(fs.files.get(ENV_FILE)).toEqual({
      content: `# gateway daemon\nexport ANTHROPIC_API_KEY=${ANTHROPIC_KEY} # personal\nGROQ_API_KEY=gsk_x\n`,
      mode: 0o600
    })
    expect(fs.read(STORE)).toBeUndefined()
    expect(fs.read(CONFIG)).toBeUndefined()
    expect(r.stdout).toContain(`Replaced ANTHROPIC_API_KEY in ${ENV_FILE} (mode 0600).`)
    expect(r.stdout).toContain(`anthropic (in use): env — ANTHROPIC_API_KEY (.env: ${ENV_FILE})`)
    const check = await runCli(["models", "status", "--check"], { fs })
    expect(check.code).toBe(0)
    clean(r.stdout, r.stderr, check.stdout)
  })

  it("setup-token: runs claude, takes the pasted token, stores it with a one-year expiry", async () => {
    const fs = new MemoryFs()
    const claude = new FakeClaudeCli()
    const prompter = tty({ choices: ["anthropic", "setup-token", "profiles", "keep"], secrets: [TOKEN] })
    const r = await runCli(["onboard"], { fs, prompter, claude })
    expect(r.code).toBe(0)
    expect(claude.runs).toBe(1)
    expect(prompter.asked).toContain("Paste the token `claude setup-token` printed (input is hidden)")
    expect(stored(fs).profiles["anthropic:manual"]).toEqual({ type: "token", provider: "anthropic", token: TOKEN, expires: NOW + 365 * DAY })
    expect(r.stdout).toContain("Auth profile: anthropic:manual (anthropic/token)")
    clean(r.stdout, r.stderr)
  })

  it("a non-anthropic token asks how long it lives, re-asking after a bad answer", async () => {
    const fs = new MemoryFs()
    const prompter = tty({ choices: ["openrouter", "token", "profiles", "set"], secrets: [OR_TOKEN], texts: ["soon", "30d", "openrouter/auto"] })
    const r = await runCli(["onboard"], { fs, prompter })
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('"soon" is not a duration')
    expect(stored(fs).profiles["openrouter:manual"]).toEqual({ type: "token", provider: "openrouter", token: OR_TOKEN, expires: NOW + 30 * DAY })
    expect(config(fs).agents.defaults.model).toEqual({ primary: "openrouter/auto" })
  })

  it("re-asks for an invalid secret, and gives up after three tries with nothing stored", async () => {
    const fs = new MemoryFs()
    const ok = await runCli(["onboard"], { fs, prompter: tty({ choices: ["anthropic", "api-key", "profiles", "keep"], secrets: [TOKEN, "", ANTHROPIC_KEY] }) })
    expect(ok.code).toBe(0)
    expect(ok.stderr).toContain("Invalid API key: this is a Claude setup-token, not an API key")
    expect(ok.stderr).toContain("Invalid API key: no API key was given. Try again.")
    expect(stored(fs).profiles["anthropic:default"].key).toBe(ANTHROPIC_KEY)

    const fresh = new MemoryFs()
    const bad = await runCli(["onboard"], { fs: fresh, prompter: tty({ choices: ["anthropic", "token"], secrets: ["short", "short", ANTHROPIC_KEY] }) })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/openclaw: Invalid token: this is an Anthropic API key, not a setup-token.*Nothing was stored\.$/)
    expect(fresh.files.size).toBe(0)
    clean(ok.stdout, ok.stderr, bad.stdout, bad.stderr)
  })

  it("offers a provider key that is already in the environment instead of asking for it", async () => {
    const fs = new MemoryFs()
    const prompter = tty({ choices: ["openai", "api-key", "plaintext", "env", "keep"], confirms: [true] })
    const r = await runCli(["onboard"], { fs, prompter, vars: { OPENAI_API_KEY: OPENAI_KEY } })
    expect(r.code).toBe(0)
    expect(prompter.asked).toContain("Use OPENAI_API_KEY from env (sk-proj-…OAK1)?")
    expect(prompter.asked.some((q) => q.startsWith("Paste"))).toBe(false)
    expect(fs.read(ENV_FILE)).toBe(`OPENAI_API_KEY=${OPENAI_KEY}\n`)
    clean(r.stdout, r.stderr)
  })

  it("asks before replacing a stored profile; declining cancels with nothing written", async () => {
    const existing = JSON.stringify({ version: 1, profiles: { "openai:default": { type: "api_key", provider: "openai", key: "sk-proj-FAKEolderkeyolderkeyolderkeyOLD2" } } })
    const fs = new MemoryFs({ [STORE]: existing })
    const prompter = tty({ choices: ["openai", "api-key", "profiles"], secrets: [OPENAI_KEY], confirms: [false] })
    const r = await runCli(["onboard"], { fs, prompter })
    expect(r).toMatchObject({ code: 1, stderr: "openclaw: Cancelled; nothing was stored." })
    expect(prompter.asked).toContain("Replace the stored openai:default (api_key sk-proj-…OLD2)?")
    expect(fs.read(STORE)).toBe(existing)
    expect(fs.read(CONFIG)).toBeUndefined()
  })

  it("Ctrl-C at any question cancels with nothing written", async () => {
    const fs = new MemoryFs()
    const r = await runCli(["onboard"], { fs, prompter: tty({ choices: ["openai", "api-key", "profiles"], secrets: [OPENAI_KEY] }) })
    expect(r).toMatchObject({ code: 1, stderr: "openclaw: Cancelled; nothing was stored." })
    expect(fs.files.size).toBe(0)
  })

  it("flags answer their questions: only the rest is asked", async () => {
    const fs = new MemoryFs()
    const prompter = tty({ choices: ["api-key"], secrets: [OPENAI_KEY] })
    const r = await runCli(["onboard", "--provider", "openai", "--store", "profiles", "--profile-id", "work", "--model", "openai/gpt-4.1"], { fs, prompter })
    expect(r.code).toBe(0)
    expect(prompter.offered.map((o) => o.message)).toEqual(["How should openclaw authenticate to openai?"])
    expect(stored(fs).profiles["openai:work"].key).toBe(OPENAI_KEY)
    expect(config(fs).agents.defaults.model).toEqual({ primary: "openai/gpt-4.1" })
  })

  it("an unreadable .env fails clearly before anything is written", async () => {
    const fs = new MemoryFs({ [ENV_FILE]: { content: "A=1\n", mode: 0o000 } })
    const r = await runCli(["onboard"], { fs, prompter: tty({ choices: ["openai", "api-key", "env", "set"], secrets: [OPENAI_KEY], texts: ["openai/gpt-4.1"] }) })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `openclaw: Cannot read ${ENV_FILE}: permission denied. Fix: check its owner and mode with \`ls -l ${ENV_FILE}\` (openclaw keeps its files 0600 and directories 0700, owned by you).`
    )
    expect(fs.files.get(ENV_FILE)).toEqual({ content: "A=1\n", mode: 0 })
    expect(fs.files.size).toBe(1)
  })
})

describe("onboard --non-interactive", () => {
  const run = (args: ReadonlyArray<string>, fs = new MemoryFs(), vars: Record<string, string> = {}) =>
    runCli(["onboard", "--non-interactive", ...args], { fs, vars })

  it("stores an API key given by flag as a profile and sets the default model, keeping fallbacks", async () => {
    const fs = new MemoryFs({ [CONFIG]: JSON.stringify({ x: 1, agents: { defaults: { model: { primary: "anthropic/claude-opus-4-6", fallbacks: ["groq/y"] } } } }) })
    const r = await run(["--auth-choice", "api-key", "--provider", "openai", "--api-key", OPENAI_KEY, "--model", "openai/gpt-4.1"], fs)
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(stored(fs).profiles["openai:default"]).toEqual({ type: "api_key", provider: "openai", key: OPENAI_KEY })
    expect(config(fs)).toEqual({
      x: 1,
      agents: { defaults: { model: { primary: "openai/gpt-4.1", fallbacks: ["groq/y"] } } },
      auth: { profiles: { "openai:default": { provider: "openai", mode: "api_key" } } }
    })
    expect(r.stdout).toMatch(/^Auth profile: openai:default \(openai\/api_key\)\nDefault model: openai\/gpt-4\.1\n\nConfig/)
    clean(r.stdout, r.stderr)
  })

  it("takes the key from the provider's environment variable and writes it to <state>/.env", async () => {
    const fs = new MemoryFs()
    const r = await run(["--auth-choice", "api-key", "--provider", "openai", "--store", "env", "--model", "openai/gpt-4.1"], fs, { OPENAI_API_KEY: OPENAI_KEY })
    expect(r.code).toBe(0)
    expect(fs.files.get(ENV_FILE)).toEqual({ content: `OPENAI_API_KEY=${OPENAI_KEY}\n`, mode: 0o600 })
    expect(r.stdout).toContain(`Added OPENAI_API_KEY in ${ENV_FILE} (mode 0600).`)
    // Run again: nothing changes, nothing is duplicated.
    const again = await run(["--auth-choice", "api-key", "--provider", "openai", "--store", "env"], fs, { OPENAI_API_KEY: OPENAI_KEY })
    expect(again.stdout).toContain(`Kept (already up to date) OPENAI_API_KEY in ${ENV_FILE}`)
    expect(fs.read(ENV_FILE)).toBe(`OPENAI_API_KEY=${OPENAI_KEY}\n`)
    clean(r.stdout, again.stdout)
  })

  it("imports a key from <state>/.env into the agent store; a loose .env mode is tightened", async () => {
    const fs = new MemoryFs({ [ENV_FILE]: { content: `OPENAI_API_KEY=${OPENAI_KEY}\n`, mode: 0o644 } })
    const r = await run(["--auth-choice", "api-key", "--provider", "openai"], fs)
    expect(r.code).toBe(0)
    expect(stored(fs).profiles["openai:default"].key).toBe(OPENAI_KEY)
    const env = await run(["--auth-choice", "api-key", "--provider", "openai", "--store", "env"], fs)
    expect(env.stdout).toContain(`Tightened ${ENV_FILE} to mode 0600`)
    expect(env.stdout).toContain("Note: stored profiles beat environment variables, so openai:default will be used for openai instead of OPENAI_API_KEY")
    expect(fs.files.get(ENV_FILE)!.mode).toBe(0o600)
  })

  it("stores an anthropic token with a one-year default expiry, or the one given; --profile-id names it", async () => {
    const fs = new MemoryFs()
    expect((await run(["--auth-choice", "token", "--provider", "anthropic", "--token", TOKEN], fs)).code).toBe(0)
    expect(stored(fs).profiles["anthropic:manual"].expires).toBe(NOW + 365 * DAY)
    const r = await run(["--auth-choice", "token", "--provider", "claude", "--token", TOKEN, "--token-expires-in", "12h", "--profile-id", "Work"], fs)
    expect(r.stdout).toContain("Auth profile: anthropic:work (anthropic/token)")
    expect(stored(fs).profiles["anthropic:work"].expires).toBe(NOW + 12 * HOUR)
    expect((await run(["--provider", "anthropic", "--store", "env"], fs, { ANTHROPIC_OAUTH_TOKEN: TOKEN, ANTHROPIC_API_KEY: "" })).stderr).toContain("--auth-choice is required")
    const env = await run(["--auth-choice", "token", "--provider", "anthropic", "--store", "env", "--token", TOKEN], fs)
    expect(env.code).toBe(0)
    expect(fs.read(ENV_FILE)).toBe(`ANTHROPIC_OAUTH_TOKEN=${TOKEN}\n`)
    clean(r.stdout, env.stdout)
  })

  it("a secret given to --api-key is masked even where @effect/cli echoes a stray argument", async () => {
    const r = await runCli(["onboard", "--provider", "--api-key", OPENAI_KEY], { fs: new MemoryFs() })
    expect(r.code).toBe(1)
    // --provider took no value: said so, and the key (the stray argument after it) is not quoted at all.
    expect(r.stderr).toBe("openclaw: --provider needs a value\nRun `openclaw onboard --help` for usage.")
    clean(r.stdout, r.stderr)
    const elsewhere = await runCli(["models", "status", "--token", TOKEN], { fs: new MemoryFs() })
    expect(elsewhere.code).toBe(1)
    clean(elsewhere.stdout, elsewhere.stderr)
  })

  const OPENAI = ["--auth-choice", "api-key", "--provider", "openai"]
  it.each<[string, ReadonlyArray<string>, Record<string, string>, string]>([
    ["no secret (api-key)", OPENAI, {}, "--api-key is required with --auth-choice api-key (or set OPENAI_API_KEY). Fix: pass --api-key <key>, or export OPENAI_API_KEY before running onboard (the environment stays out of shell history and `ps`)."],
    ["no secret (anthropic token)", ["--auth-choice", "token", "--provider", "anthropic"], {}, "--token is required with --auth-choice token (or set ANTHROPIC_OAUTH_TOKEN). Fix: pass --token <token>, or export ANTHROPIC_OAUTH_TOKEN before running onboard (the environment stays out of shell history and `ps`)."],
    ["no secret (other token)", ["--auth-choice", "token", "--provider", "groq"], { GROQ_API_KEY: "gsk_FAKE_not_a_token_var" }, "--token is required with --auth-choice token. Fix: pass --token <token>."],
    ["no --auth-choice", ["--provider", "openai"], { OPENAI_API_KEY: OPENAI_KEY }, "--auth-choice is required with --non-interactive. Fix: pass --auth-choice api-key (recommended) or --auth-choice token."],
    ["no --provider", ["--auth-choice", "api-key"], {}, "--provider is required with --non-interactive. Fix: pass --provider with one of anthropic, openai, openrouter, google, groq, mistral, xai, deepseek, together, ollama."],
    ["unknown provider", ["--auth-choice", "api-key", "--provider", "opneai"], {}, `unknown provider "opneai" (did you mean openai?). Fix: pass --provider openai; the known providers are anthropic, openai, openrouter, google, groq, mistral, xai, deepseek, together, ollama (or define models.providers.opneai in ${CONFIG}).`],
    ["--api-key with token", ["--auth-choice", "token", "--provider", "openai", "--api-key", OPENAI_KEY], {}, "--api-key cannot be used with --auth-choice token. Fix: pass the token with --token, or use --auth-choice api-key."],
    ["--token with api-key", [...OPENAI, "--token", OR_TOKEN], {}, "--token cannot be used with --auth-choice api-key. Fix: pass the key with --api-key, or use --auth-choice token."],
    ["both secrets", ["--provider", "openai", "--api-key", OPENAI_KEY, "--token", OR_TOKEN], {}, "--api-key and --token cannot be used together. Fix: pass only the one that matches --auth-choice."],
    ["expiry for a key", [...OPENAI, "--api-key", OPENAI_KEY, "--token-expires-in", "30d"], {}, "--token-expires-in only applies to tokens (API keys do not expire). Fix: drop --token-expires-in, or use --auth-choice token."],
    ["bad expiry", ["--auth-choice", "token", "--provider", "openai", "--token", OR_TOKEN, "--token-expires-in", "soon"], {}, '--token-expires-in "soon" is not a duration: use a positive number with m, h, d, w or y (30m, 12h, 2w, 365d, 1y; a bare number means days). Fix: for example --token-expires-in 365d.'],
    ["expiry in .env", ["--auth-choice", "token", "--provider", "openai", "--token", OR_TOKEN, "--store", "env", "--token-expires-in", "3d"], {}, "--token-expires-in cannot be used with --store env (a .env variable has no expiry). Fix: use --store profiles to have the expiry tracked."],
    ["profile id in .env", [...OPENAI, "--api-key", OPENAI_KEY, "--store", "env", "--profile-id", "x"], {}, "--profile-id names a stored profile, so it cannot be used with --store env. Fix: drop --profile-id, or use --store profiles."],
    ["bad model", [...OPENAI, "--api-key", OPENAI_KEY, "--model", "openai/"], {}, '--model "openai/" is not <provider>/<model>. Fix: pass --model <provider>/<model>, e.g. --model anthropic/claude-sonnet-4-5.'],
    ["invalid key", ["--auth-choice", "api-key", "--provider", "anthropic", "--api-key", TOKEN], {}, "Invalid API key: this is a Claude setup-token, not an API key: store it with `openclaw models auth paste-token --provider anthropic`. Nothing was stored."],
    ["invalid token", ["--auth-choice", "token", "--provider", "anthropic", "--token", ANTHROPIC_KEY], {}, "Invalid token: this is an Anthropic API key, not a setup-token: store it with `openclaw models auth paste-api-key --provider anthropic`. Nothing was stored."],
    ["unknown agent", [...OPENAI, "--api-key", OPENAI_KEY, "--agent", "nope"], {}, `Unknown agent "nope". Configured agents: main. Fix: pass one of those to --agent, or add the agent to agents.list in ${CONFIG}.`]
  ])("%s: fails with the flag to pass, writes nothing, echoes no secret", async (_, args, vars, message) => {
    const fs = new MemoryFs()
    const r = await run(args, fs, vars)
    expect(r).toEqual({ code: 1, stdout: "", stderr: `openclaw: ${message}` })
    expect(fs.files.size).toBe(0)
    clean(r.stderr)
  })

  it("without a terminal and without --non-interactive, says which flags to pass", async () => {
    const r = await runCli(["onboard"], { fs: new MemoryFs() })
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "openclaw: onboard is an interactive wizard, but this is not a terminal. Fix: run it in a terminal, or pass --non-interactive --auth-choice api-key --provider <p> with --api-key <key> (or the provider's environment variable, e.g. OPENAI_API_KEY); see `openclaw onboard --help`."
    })
  })

  it("refuses values @effect/cli does not accept for --auth-choice and --store", async () => {
    for (const [args, problem] of [
      [["--auth-choice", "oauth"], "--auth-choice needs one of api-key, token, got 'oauth'"],
      [["--store", "keychain"], "--store needs one of"]
    ] as const) {
      const r = await run([...args, "--provider", "openai"])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`openclaw: ${problem}`)
    }
  })

  it("never touches an unparseable config", async () => {
    const fs = new MemoryFs({ [CONFIG]: "{ agents: " })
    const r = await run([...OPENAI, "--api-key", OPENAI_KEY, "--model", "openai/gpt-4.1"], fs)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${CONFIG}:1:`)
    expect(fs.read(CONFIG)).toBe("{ agents: ")
    expect(fs.files.size).toBe(1)
  })

  it("an unreadable .env: --store env fails and changes nothing (no model either)", async () => {
    const fs = new MemoryFs({ [ENV_FILE]: { content: "A=1\n", mode: 0o000 } })
    const r = await run([...OPENAI, "--api-key", OPENAI_KEY, "--store", "env", "--model", "openai/gpt-4.1"], fs)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`Cannot read ${ENV_FILE}: permission denied`)
    expect(fs.files.size).toBe(1)
  })
})
