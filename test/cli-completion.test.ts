import { describe, expect, it } from "vitest"
import { rootCommand } from "../src/cli/Cli.js"
import { commandTree, type CommandNode } from "../src/cli/completion/CommandTree.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, runCli, STATE, STORE } from "./support/TestApp.js"

const KEY = "sk-ant-api03-" + "k".repeat(40)
const store = JSON.stringify({
  version: 1,
  profiles: {
    "anthropic:work": { type: "api_key", provider: "anthropic", key: KEY },
    "openai:default": { type: "api_key", provider: "openai", key: "sk-proj-" + "o".repeat(40) },
    // A hostile id must not reach the user's command line.
    "evil;$(touch /tmp/x)": { type: "api_key", provider: "openai", key: "sk-proj-" + "e".repeat(40) }
  }
})
const config = `{ // hand-written
  models: { providers: { "my-proxy": { baseUrl: "http://127.0.0.1:9/v1", api: "openai-completions", models: [] } } },
  agents: { list: [{ id: "main", default: true }, { id: "ops" }] },
}`
const world = () => ({ fs: new MemoryFs({ [STORE]: store, [CONFIG]: config }) })

const complete = async (...words: ReadonlyArray<string>) => {
  const r = await runCli(["__complete", ...words], world())
  expect(r.code).toBe(0)
  expect(r.stderr).toBe("")
  return r.stdout.split("\n").filter((l) => l !== "")
}

const find = (node: CommandNode, ...path: ReadonlyArray<string>): CommandNode =>
  path.reduce((n, name) => n.subcommands.find((s) => s.name === name)!, node)

describe("openclaw __complete (the one source of the shells' completions)", () => {
  it("reads the command tree from the @effect/cli descriptors", () => {
    const tree = commandTree(rootCommand)
    expect(tree.subcommands.map((s) => s.name)).toEqual(["models", "secrets", "doctor", "onboard", "gateway", "completion"])
    expect(find(tree, "models", "auth", "order").subcommands.map((s) => s.name)).toEqual(["get", "set", "clear"])
    const paste = find(tree, "models", "auth", "paste-token")
    expect(paste.options.map((o) => o.names[0])).toEqual(["--provider", "--profile-id", "--expires-in", "--ref", "--agent"])
    expect(find(tree, "gateway").options.find((o) => o.name === "bind")?.choices).toEqual(["loopback", "lan"])
    expect(find(tree, "models", "status").options.find((o) => o.name === "json")?.takesValue).toBe(false)
  })

  it("completes commands at every level, and each command's own flags", async () => {
    expect(await complete("")).toEqual(["models", "secrets", "doctor", "onboard", "gateway", "completion"])
    expect(await complete("mo")).toEqual(["models"])
    expect(await complete("models", "auth", "")).toContain("paste-token")
    expect(await complete("models", "auth", "order", "")).toEqual(["get", "set", "clear"])
    expect(await complete("models", "auth", "logout", "--")).toEqual(["--profile-id", "--agent", "--help"])
    // A flag already given is not offered again; a boolean flag takes no value.
    expect(await complete("models", "status", "--json", "--ch")).toEqual(["--check"])
    expect(await complete("models", "status", "--json", "--check", "--json")).toEqual([])
  })

  it("completes values: providers (known and configured), profiles of the chosen agent, agents, choices", async () => {
    expect(await complete("models", "auth", "paste-token", "--provider", "an")).toEqual(["anthropic"])
    expect(await complete("models", "auth", "paste-token", "--provider", "my")).toEqual(["my-proxy"])
    expect(await complete("models", "auth", "paste-token", "--provider=op")).toEqual(["--provider=openai", "--provider=openrouter"])
    expect(await complete("models", "auth", "logout", "--profile-id", "")).toEqual(["anthropic:work", "openai:default"])
    expect(await complete("models", "auth", "order", "set", "--provider", "anthropic", "anth")).toEqual(["anthropic:work"])
    expect(await complete("models", "status", "--agent", "")).toEqual(["main", "ops"])
    expect(await complete("gateway", "--bind", "")).toEqual(["loopback", "lan"])
    expect(await complete("completion", "")).toEqual(["bash", "zsh", "fish"])
  })

  it("prints no secret, and nothing (exit 0) when the files are broken or the agent unknown", async () => {
    const fs = new MemoryFs({ [STORE]: store, [CONFIG]: config })
    const all = await runCli(["__complete", "models", "auth", "logout", "--profile-id", ""], { fs })
    expect(all.stdout).not.toContain(KEY.slice(0, 20))
    const broken = new MemoryFs({ [STORE]: "{ nope", [CONFIG]: "{ also: nope" })
    const r = await runCli(["__complete", "models", "auth", "logout", "--profile-id", ""], { fs: broken })
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" })
    const other = await runCli(["__complete", "models", "auth", "logout", "--agent", "nosuch", "--profile-id", ""], world())
    expect(other).toEqual({ code: 0, stdout: "", stderr: "" })
    expect(fs.read(`${STATE}/agents/main/agent/auth-profiles.json`)).toBe(store)
  })

  it("prints a script for each shell that calls back into openclaw", async () => {
    for (const shell of ["bash", "zsh", "fish"]) {
      const r = await runCli(["completion", shell], world())
      expect(r.code).toBe(0)
      expect(r.stdout).toContain("openclaw __complete")
    }
    expect((await runCli(["completion", "tcsh"], world())).code).not.toBe(0)
  })
})
