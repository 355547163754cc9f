import { describe, expect, it } from "@effect/vitest"
import JSON5 from "json5"
import { ScriptedPrompter } from "./support/FakeInteraction.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { MemorySecretResolver } from "./support/SecretResolverTest.js"
import { CONFIG, runCli, STORE } from "./support/TestApp.js"

const PLAN = "/work/plan.json"
const OPENAI_KEY = "sk-proj-FAKE" + "o".repeat(40) + "OAK1"
const CONFIG_KEY = "sk-proj-FAKE" + "c".repeat(40) + "CFG2"
const TOKEN = "sk-ant-oat01-FAKE" + "t".repeat(80) + "TOK9"
const SECRETS = [OPENAI_KEY, CONFIG_KEY, TOKEN]

const fixture = () =>
  new MemoryFs({
    [CONFIG]: JSON.stringify({ models: { providers: { openai: { baseUrl: "https://api.openai.com/v1", apiKey: CONFIG_KEY } } } }),
    [STORE]: JSON.stringify({
      version: 1,
      profiles: {
        "openai:default": { type: "api_key", provider: "openai", key: OPENAI_KEY },
        "anthropic:oauth": { type: "oauth", provider: "anthropic", access: "a", refresh: "r", expires: 1 }
      }
    })
  })
const world = (fs: MemoryFs, prompter: ScriptedPrompter) => ({
  fs,
  prompter,
  resolver: new MemorySecretResolver(new Map([["exec:vault:openai/key", CONFIG_KEY]])),
  vars: { OPENAI_API_KEY: OPENAI_KEY, OPENAI_KEY_V2: OPENAI_KEY, ANTHROPIC_TOKEN_V2: TOKEN }
})
const tty = (answers: ConstructorParameters<typeof ScriptedPrompter>[0]) => new ScriptedPrompter(answers, true)
/** The config stays JSON5 as its owner wrote it (#15 item 6); the stores are JSON. */
const json = (fs: MemoryFs, path: string) => (path === CONFIG ? JSON5.parse(fs.read(path)!) : JSON.parse(fs.read(path)!))
const contents = (fs: MemoryFs) => new Map([...fs.files].map(([path, e]) => [path, e.content]))
const clean = (...outputs: ReadonlyArray<string>) => {
  for (const s of SECRETS) expect(outputs.join("\n")).not.toContain(s.slice(8, 24))
}
const OPENAI_API_KEY_FIELD = "config:models\u0000providers\u0000openai\u0000apiKey"

describe("secrets configure (scripted prompter)", () => {
  it("adds an exec provider, maps a store key, a config key and a new profile, writes the plan 0600 and applies it", async () => {
    const fs = fixture()
    const prompter = tty({
      choices: ["add", "exec", "done", "store:openai:default", "env", OPENAI_API_KEY_FIELD, "exec", "new", "token", "env", "done"],
      texts: ["vault", "/usr/local/bin/vault-resolver", "", "HOME, PATH", "", "openai/key", "anthropic:vault", "ANTHROPIC_TOKEN_V2"],
      confirms: [true]
    })
    const r = await runCli(["secrets", "configure", "--plan-out", PLAN, "--apply", "--yes", "--allow-exec"], world(fs, prompter))
    expect(r.code, r.stderr).toBe(0)
    // The suggested variable is the default: an empty answer takes it.
    expect(prompter.asked).toContain("Variable name (Enter: OPENAI_API_KEY)")
    const fieldMenu = prompter.offered.find((o) => o.message === "Which credential field should hold a ref?")!
    expect(fieldMenu.values).toEqual(["store:openai:default", OPENAI_API_KEY_FIELD, "config:gateway\u0000auth\u0000token", "new", "done"])
    const plan = json(fs, PLAN)
    expect(fs.files.get(PLAN)!.mode).toBe(0o600)
    expect(plan).toMatchObject({
      version: 1,
      protocolVersion: 1,
      providerUpserts: { vault: { source: "exec", command: "/usr/local/bin/vault-resolver", passEnv: ["HOME", "PATH"] } },
      targets: [
        { type: "auth-profiles.api_key.key", path: "profiles.openai:default.key", pathSegments: ["profiles", "openai:default", "key"], agentId: "main", ref: { source: "env", provider: "default", id: "OPENAI_API_KEY" } },
        { type: "models.providers.apiKey", path: "models.providers.openai.apiKey", providerId: "openai", ref: { source: "exec", provider: "vault", id: "openai/key" } },
        { type: "auth-profiles.token.token", path: "profiles.anthropic:vault.token", agentId: "main", authProfileProvider: "anthropic", ref: { source: "env", provider: "default", id: "ANTHROPIC_TOKEN_V2" } }
      ]
    })
    const store = json(fs, STORE)
    expect(store.profiles["openai:default"]).toEqual({ type: "api_key", provider: "openai", keyRef: { source: "env", provider: "default", id: "OPENAI_API_KEY" } })
    expect(store.profiles["anthropic:vault"]).toEqual({ type: "token", provider: "anthropic", tokenRef: { source: "env", provider: "default", id: "ANTHROPIC_TOKEN_V2" } })
    const config = json(fs, CONFIG)
    expect(config.models.providers.openai.apiKey).toEqual({ source: "exec", provider: "vault", id: "openai/key" })
    expect(config.secrets.providers.vault.command).toBe("/usr/local/bin/vault-resolver")
    for (const [, content] of contents(fs)) for (const s of [OPENAI_KEY, CONFIG_KEY]) expect(content).not.toContain(s)
    expect(r.stdout).toContain("Dry run: the plan is valid and nothing was written.")
    // configure asks whether to apply: no hint at a --dry-run flag it does not have.
    expect(r.stdout).not.toContain("without --dry-run")
    expect(r.stdout).toContain("Applied the plan.")
    clean(r.stdout, r.stderr)
  })

  it("the plan it writes is one `secrets apply` takes", async () => {
    const fs = fixture()
    const prompter = tty({ choices: ["done", "store:openai:default", "done"], texts: ["OPENAI_KEY_V2"], confirms: [false] })
    const r = await runCli(["secrets", "configure", "--plan-out", PLAN], world(fs, prompter))
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain("Not applied.")
    expect(json(fs, STORE).profiles["openai:default"].key).toBe(OPENAI_KEY)
    const dry = await runCli(["secrets", "apply", "--from", PLAN, "--dry-run"], world(fs, tty({})))
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toContain("openai:default.keyRef (agent main) → ref env:OPENAI_KEY_V2 (resolves; replaces a plain value)")
  })

  it("--apply without --yes asks first; no means nothing written at all", async () => {
    const fs = fixture()
    const before = contents(fs)
    const prompter = tty({ choices: ["store:openai:default", "done"], texts: ["OPENAI_KEY_V2"], confirms: [false] })
    const r = await runCli(["secrets", "configure", "--skip-provider-setup", "--apply"], world(fs, prompter))
    expect(r.code, r.stderr).toBe(0)
    expect(prompter.asked.at(-1)).toContain("Apply the plan now? The plain values the refs replace are scrubbed for good: no backup is kept.")
    expect(contents(fs)).toEqual(before)
    expect(fs.writes).toBe(0)
  })

  it("a ref that does not resolve stops the wizard before anything is written", async () => {
    const fs = fixture()
    const before = contents(fs)
    const prompter = tty({ choices: ["store:openai:default", "done"], texts: ["NOT_SET_ANYWHERE"], confirms: [true] })
    const r = await runCli(["secrets", "configure", "--skip-provider-setup", "--plan-out", PLAN, "--apply", "--yes"], world(fs, prompter))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("(ref env:NOT_SET_ANYWHERE): NOT_SET_ANYWHERE is not set")
    expect(contents(fs)).toEqual(before)
  })

  it("--providers-only: sets up a provider and maps nothing", async () => {
    const fs = fixture()
    const prompter = tty({ choices: ["add", "file", "json", "done"], texts: ["files", "~/.secrets/openclaw.json"], confirms: [true] })
    const r = await runCli(["secrets", "configure", "--providers-only"], world(fs, prompter))
    expect(r.code, r.stderr).toBe(0)
    expect(json(fs, CONFIG).secrets).toEqual({ providers: { files: { source: "file", path: "~/.secrets/openclaw.json", mode: "json" } } })
    expect(json(fs, STORE).profiles["openai:default"].key).toBe(OPENAI_KEY)
  })

  it("editing a provider keeps the fields the wizard does not ask about", async () => {
    const fs = fixture()
    const config = json(fs, CONFIG)
    fs.put(CONFIG, JSON.stringify({ ...config, secrets: { providers: { vault: { source: "exec", command: "/opt/vault/bin/resolver", timeoutMs: 9000, trustedDirs: ["/opt/vault"], jsonOnly: false } } } }))
    // Enter keeps each answer's default (the current value); the protocol question is answered yes this time.
    const prompter = tty({ choices: ["edit:vault", "done"], texts: ["", "", "PATH"], confirms: [true, true] })
    const r = await runCli(["secrets", "configure", "--providers-only", "--allow-exec"], world(fs, prompter))
    expect(r.code, r.stderr).toBe(0)
    expect(prompter.asked).toContain("Does it answer with the JSON protocol? (no: its whole output is one secret)")
    expect(json(fs, CONFIG).secrets.providers.vault).toEqual({ source: "exec", command: "/opt/vault/bin/resolver", timeoutMs: 9000, trustedDirs: ["/opt/vault"], passEnv: ["PATH"] })
  })

  it("without a terminal it says it needs one; contradictory flags are refused", async () => {
    const fs = fixture()
    const r = await runCli(["secrets", "configure"], world(fs, new ScriptedPrompter({}, false)))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("secrets configure is an interactive wizard and needs a terminal")
    const both = await runCli(["secrets", "configure", "--providers-only", "--skip-provider-setup"], world(fs, tty({})))
    expect(both.code).toBe(1)
    expect(both.stderr).toContain("--providers-only and --skip-provider-setup")
    expect(fs.writes).toBe(0)
  })
})
