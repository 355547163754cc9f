import { describe, expect, it } from "@effect/vitest"
import { ScriptedPrompter } from "./support/FakeInteraction.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { RecordingProgress } from "./support/RecordingProgress.js"
import { MemorySecretResolver } from "./support/SecretResolverTest.js"
import { CONFIG, HOUR, NOW, runCli, STATE, STORE } from "./support/TestApp.js"

/** Commands that store a SecretRef instead of a secret (§9): paste-api-key / paste-token --ref, onboard --secret-input-mode. */

const OPENAI_KEY = "sk-proj-FAKErefCommand" + "o".repeat(30) + "RC01"
const TOKEN = "sk-ant-oat01-FAKErefCommand" + "t".repeat(70) + "RC02"
const RESOLVED = [OPENAI_KEY, TOKEN]
const VAULT = { secrets: { providers: { vault: { source: "exec", command: "/usr/local/bin/vault-resolver" } } } }

const stored = (fs: MemoryFs) => JSON.parse(fs.read(STORE)!)
const clean = (...outputs: ReadonlyArray<string>) => {
  for (const value of RESOLVED) for (const o of outputs) expect(o).not.toContain(value.slice(8, 30))
}
const tty = (answers: ConstructorParameters<typeof ScriptedPrompter>[0]) => new ScriptedPrompter(answers, true)

describe("paste-api-key / paste-token --ref (§9)", () => {
  it("stores the ref alone, asks for nothing, registers the profile in the config; status resolves it", async () => {
    const fs = new MemoryFs()
    const prompter = tty({})
    const vars = { OPENAI_API_KEY: OPENAI_KEY }
    const r = await runCli(["models", "auth", "paste-api-key", "--provider", "openai", "--ref", "env:default:OPENAI_API_KEY"], { fs, prompter, vars })
    expect(r).toMatchObject({ code: 0, stdout: "Auth profile: openai:default (openai/api_key)", stderr: "" })
    expect(prompter.asked).toEqual([])
    expect(stored(fs).profiles).toEqual({
      "openai:default": { type: "api_key", provider: "openai", keyRef: { source: "env", provider: "default", id: "OPENAI_API_KEY" } }
    })
    expect(JSON.parse(fs.read(CONFIG)!).auth.profiles["openai:default"]).toEqual({ provider: "openai", mode: "api_key" })
    const status = await runCli(["models", "status"], { fs, vars })
    expect(status.stdout).toContain("openai:default=sk-proj-…RC01 (ref env:OPENAI_API_KEY)")
    clean(r.stdout, r.stderr, status.stdout, status.stderr, fs.read(STORE)!)
  })

  it("paste-token --ref stores a tokenRef with the expiry; an exec ref resolves once, at preflight", async () => {
    const fs = new MemoryFs({ [CONFIG]: JSON.stringify(VAULT) })
    const resolver = new MemorySecretResolver(new Map([["exec:vault:anthropic/setup-token", TOKEN]]))
    const r = await runCli(
      ["models", "auth", "paste-token", "--provider", "anthropic", "--ref", "exec:vault:anthropic/setup-token", "--expires-in", "30d"],
      { fs, resolver }
    )
    expect(r).toMatchObject({ code: 0, stdout: "Auth profile: anthropic:manual (anthropic/token)" })
    expect(resolver.calls.get("vault")).toBe(1)
    expect(stored(fs).profiles["anthropic:manual"]).toEqual({
      type: "token",
      provider: "anthropic",
      tokenRef: { source: "exec", provider: "vault", id: "anthropic/setup-token" },
      expires: NOW + 30 * 24 * HOUR
    })
    clean(r.stdout, r.stderr, fs.read(STORE)!)
  })

  it("running an exec provider shows a still progress line naming it, at preflight and at a snapshot build (§6, issue 15 item 4)", async () => {
    const fs = new MemoryFs({ [CONFIG]: JSON.stringify(VAULT) })
    const resolver = new MemorySecretResolver(new Map([["exec:vault:anthropic/setup-token", TOKEN]]))
    const paste = new RecordingProgress()
    const args = ["models", "auth", "paste-token", "--provider", "anthropic", "--ref", "exec:vault:anthropic/setup-token", "--expires-in", "30d"]
    expect((await runCli(args, { fs, resolver, progress: paste.shape })).code).toBe(0)
    expect(paste.lines).toEqual([{ label: 'Resolving secrets with exec provider "vault"…', still: true }])
    const status = new RecordingProgress()
    const r = await runCli(["models", "status", "--json"], { fs, resolver, progress: status.shape })
    expect(status.lines).toEqual([{ label: 'Resolving secrets with exec provider "vault"…', still: true }])
    expect(() => JSON.parse(r.stdout)).not.toThrow()
    const envOnly = new RecordingProgress()
    await runCli(["models", "status"], { fs: new MemoryFs(), vars: { OPENAI_API_KEY: OPENAI_KEY }, progress: envOnly.shape })
    expect(envOnly.lines).toEqual([])
  })

  it.each([
    [["--ref", "env:default:OPENAI_API_KEY"], {}, "ref env:OPENAI_API_KEY does not resolve: OPENAI_API_KEY is not set (set it in the environment or in <state>/.env); nothing was stored. Fix: set OPENAI_API_KEY in the environment or in " + `${STATE}/.env (a non-empty value), then run this again.`],
    [["--ref", "exec:vault:openai/key"], {}, 'ref exec:vault does not resolve: no secrets provider "vault" is configured under secrets.providers in openclaw.json; nothing was stored. Fix: check secrets.providers.vault in ' + `${CONFIG}`],
    [["--ref", "OPENAI_API_KEY"], {}, "--ref: a reference is written <source>:<provider>:<id>, e.g. env:default:OPENAI_API_KEY. Fix: for example --ref env:default:OPENAI_API_KEY"],
    [["--ref", "env:default:lower"], {}, "--ref: env ids are variable names matching"],
    [["--ref", "env:default:OPENAI_API_KEY"], { OPENAI_API_KEY: "short" }, "Invalid API key: ref env:OPENAI_API_KEY resolves to an unusable value: the key is only 5 characters"]
  ] as const)("refuses %j with the reason and writes nothing", async (args, vars, message) => {
    const fs = new MemoryFs()
    const prompter = tty({})
    const r = await runCli(["models", "auth", "paste-api-key", "--provider", "openai", ...args], { fs, prompter, vars })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(message)
    expect(fs.files.size).toBe(0)
    expect(prompter.asked).toEqual([])
    clean(r.stdout, r.stderr)
  })

  it("--help says what --ref does", async () => {
    for (const command of ["paste-api-key", "paste-token"]) {
      const r = await runCli(["models", "auth", command, "--help"], { fs: new MemoryFs() })
      expect(r.stdout).toContain("--ref")
      // Help wraps its descriptions at 80 columns.
      expect(r.stdout.replace(/\s+/g, " ")).toContain("Store a secret reference instead of the")
    }
  })
})

describe("onboard --secret-input-mode (§9)", () => {
  const ONBOARD = ["onboard", "--non-interactive", "--auth-choice", "api-key", "--provider", "openai"]

  it("ref: stores {source: env, provider: default, id: OPENAI_API_KEY} after preflight, never the value", async () => {
    const fs = new MemoryFs()
    const r = await runCli([...ONBOARD, "--secret-input-mode", "ref"], { fs, vars: { OPENAI_API_KEY: OPENAI_KEY } })
    expect(r.code).toBe(0)
    expect(stored(fs).profiles["openai:default"]).toEqual({
      type: "api_key",
      provider: "openai",
      keyRef: { source: "env", provider: "default", id: "OPENAI_API_KEY" }
    })
    expect(r.stdout).toContain("openai:default=sk-proj-…RC01 (ref env:OPENAI_API_KEY)")
    clean(r.stdout, r.stderr, fs.read(STORE)!)
  })

  it("ref for an anthropic token refers to ANTHROPIC_OAUTH_TOKEN; plaintext keeps today's behaviour", async () => {
    const fs = new MemoryFs()
    const token = await runCli(
      ["onboard", "--non-interactive", "--auth-choice", "token", "--provider", "anthropic", "--secret-input-mode", "ref"],
      { fs, vars: { ANTHROPIC_OAUTH_TOKEN: TOKEN } }
    )
    expect(token.code).toBe(0)
    expect(stored(fs).profiles["anthropic:manual"]).toMatchObject({ tokenRef: { source: "env", provider: "default", id: "ANTHROPIC_OAUTH_TOKEN" } })
    expect(stored(fs).profiles["anthropic:manual"].token).toBeUndefined()
    const plain = await runCli([...ONBOARD, "--secret-input-mode", "plaintext"], { fs, vars: { OPENAI_API_KEY: OPENAI_KEY } })
    expect(plain.code).toBe(0)
    expect(stored(fs).profiles["openai:default"]).toEqual({ type: "api_key", provider: "openai", key: OPENAI_KEY })
  })

  it.each([
    [["--secret-input-mode", "ref"], {}, "ref env:OPENAI_API_KEY does not resolve: OPENAI_API_KEY is not set"],
    [["--secret-input-mode", "ref", "--api-key", OPENAI_KEY], { OPENAI_API_KEY: OPENAI_KEY }, "--secret-input-mode ref stores a reference to the provider's environment variable, so it takes no --api-key"],
    [["--secret-input-mode", "ref", "--store", "env"], { OPENAI_API_KEY: OPENAI_KEY }, "--secret-input-mode ref stores a profile holding a reference, so it cannot be used with --store env"]
  ] as const)("refuses %j and writes nothing", async (args, vars, message) => {
    const fs = new MemoryFs()
    const r = await runCli([...ONBOARD, ...args], { fs, vars })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(message)
    expect(fs.files.size).toBe(0)
    clean(r.stdout, r.stderr)
  })

  it("the wizard asks when the provider's variable is set, and stores the ref when chosen", async () => {
    const fs = new MemoryFs()
    const prompter = tty({ choices: ["openai", "api-key", "ref", "keep"] })
    const r = await runCli(["onboard"], { fs, prompter, vars: { OPENAI_API_KEY: OPENAI_KEY } })
    expect(r.code).toBe(0)
    expect(prompter.offered[2]!.values).toEqual(["plaintext", "ref"])
    expect(prompter.asked.some((q) => q.startsWith("Paste"))).toBe(false)
    expect(stored(fs).profiles["openai:default"]).toEqual({
      type: "api_key",
      provider: "openai",
      keyRef: { source: "env", provider: "default", id: "OPENAI_API_KEY" }
    })
    clean(r.stdout, r.stderr, fs.read(STORE)!)
  })

  it("--help says what --secret-input-mode does", async () => {
    const r = await runCli(["onboard", "--help"], { fs: new MemoryFs() })
    expect(r.stdout).toContain("--secret-input-mode")
    expect(r.stdout.replace(/\s+/g, " ")).toContain("stores a reference to the provider's")
  })
})
