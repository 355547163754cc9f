import * as CliConfig from "@effect/cli/CliConfig"
import * as Descriptor from "@effect/cli/CommandDescriptor"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Terminal from "@effect/platform/Terminal"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { rootCommand } from "../src/cli/Cli.js"
import { commandTree, type CommandNode } from "../src/cli/completion/CommandTree.js"
import { HELP_PAGES } from "../src/cli/help/HelpPages.js"
import { flagText, isRunnable, renderHelp } from "../src/cli/help/RenderHelp.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { runCli } from "./support/TestApp.js"

const tree = commandTree(rootCommand)

/** Every command, groups included, by its path below `openclaw`: read from the command definitions. */
const commands = (node: CommandNode, path: ReadonlyArray<string> = []): ReadonlyArray<{ path: ReadonlyArray<string>; node: CommandNode }> => [
  { path, node },
  ...node.subcommands.flatMap((child) => commands(child, [...path, child.name]))
]
const all = commands(tree)

/** What @effect/cli's default help printed: none of it may come back. */
const FILLER = [
  "A user-defined piece of text",
  "This setting is optional",
  "A true or false value",
  "An integer",
  "A redacted",
  "A file system path",
  "One of the following",
  "<text>",
  " text...",
  "DESCRIPTION",
  "OPTIONS"
]

const help = async (path: ReadonlyArray<string>) => {
  const r = await runCli([...path, "--help"], { fs: new MemoryFs() })
  expect(r.code).toBe(0)
  expect(r.stderr).toBe("")
  return r.stdout
}

describe("--help (§6 command-line manners)", () => {
  // Rendered directly (cheap); the tests below check that `--help` prints exactly this, on stdout, with exit 0.
  it.each(all.map((c) => [`openclaw ${c.path.join(" ")}`.trim(), c] as const))("%s --help", async (_, { path, node }) => {
    const text = renderHelp(tree, path)!
    await expect(`${text}\n`).toMatchFileSnapshot(`./__help__/${["openclaw", ...path].join("-")}.txt`)
    for (const filler of FILLER) expect(text).not.toContain(filler)
    // §6 asks for 100 columns; help is laid out for an 80-column terminal.
    for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(80)
    // The full path in the usage line: `openclaw models auth login --provider <id> [flags]`.
    expect(text).toMatch(new RegExp(`^USAGE\\n  openclaw${path.map((w) => ` ${w}`).join("")}( |$)`, "m"))
    if (isRunnable(node)) expect(text).toContain("\nEXAMPLES\n  # ")
    if (node.subcommands.length > 0) expect(text).toContain("\nCOMMANDS\n")
    // Every flag the command accepts, with its placeholder and a description of its own.
    for (const option of node.options) {
      expect(option.description, option.name).not.toBe("")
      const flag = escape(flagText(option))
      expect(text).toMatch(new RegExp(`^ +${flag} {3,}\\S|^ +${flag}\\n {6,}\\S`, "m"))
    }
    for (const arg of node.args) expect(text).toContain(`<${arg.name}>`)
  })

  it("every command has a help page with a one-line summary, and every page is a command", () => {
    const paths = all.map((c) => c.path.join(" "))
    expect(Object.keys(HELP_PAGES).sort()).toEqual([...paths].sort())
    for (const [key, page] of Object.entries(HELP_PAGES)) {
      // Fits beside the longest path in `openclaw --help` on an 80-column terminal.
      expect(page.summary.length, key).toBeLessThanOrEqual(48)
      expect(page.examples?.length ?? 0, key).toBeLessThanOrEqual(3)
    }
  })

  const parse = (args: ReadonlyArray<string>) =>
    Descriptor.parse(rootCommand.descriptor, ["openclaw", ...args], CliConfig.defaultConfig).pipe(
      Effect.provide(Layer.mergeAll(FileSystem.layerNoop({}), Path.layer, Layer.succeed(Terminal.Terminal, {} as Terminal.Terminal)))
    )

  const examples = Object.entries(HELP_PAGES).flatMap(([key, page]) => (page.examples ?? []).map((e) => [key, e.run] as const))

  it.effect.each(examples)("example of '%s' parses as that command: %s", ([key, run]) =>
    Effect.gen(function* () {
      // The one `openclaw …` in the shell line, up to a pipe, redirection or the end of a `<(…)`.
      const words = /openclaw((?: +[^ |<>)]+)*)/.exec(run)![1]!.trim().split(/ +/)
      const path = key === "" ? [] : key.split(" ")
      expect(words.slice(0, path.length)).toEqual(path)
      const directive = yield* parse(words)
      expect(directive._tag).toBe("UserDefined")
      if (directive._tag === "UserDefined") expect(directive.leftover).toEqual([])
    })
  )

  it.effect("the example check can fail: an unknown flag or a missing required one does not parse", () =>
    Effect.gen(function* () {
      const bogus = yield* parse(["models", "auth", "login", "--provider", "anthropic", "--bogus"])
      expect(bogus._tag === "UserDefined" && bogus.leftover).toEqual(["--bogus"])
      expect(yield* Effect.flip(parse(["models", "auth", "login"]))).toBeDefined()
    })
  )

  it("`openclaw <command> --help` prints that page on stdout and exits 0", async () => {
    for (const path of [[], ["models", "auth"], ["models", "auth", "order", "set"], ["gateway"], ["gateway", "install"], ["completion"]]) {
      expect(await help(path)).toBe(renderHelp(tree, path))
    }
  })

  it("a group run alone shows its help on stdout and exits 0 (not the framework's page)", async () => {
    for (const path of [[], ["models", "auth", "order"], ["secrets"]]) {
      const r = await runCli(path, { fs: new MemoryFs() })
      expect(r.code).toBe(0)
      expect(r.stdout).toBe(await help(path))
    }
  })

  it("-h is --help, and --help wins wherever it is (before `--`)", async () => {
    const r = await runCli(["models", "auth", "login", "-h"], { fs: new MemoryFs() })
    expect(r.stdout).toBe(await help(["models", "auth", "login"]))
    const after = await runCli(["models", "status", "--agent", "work", "--help"], { fs: new MemoryFs() })
    expect(after.stdout).toBe(await help(["models", "status"]))
  })

  it("help for a word that is not a command says so, with the commands there are", async () => {
    const r = await runCli(["models", "auth", "logn", "--help"], { fs: new MemoryFs() })
    expect(r.code).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr).toContain("'logn' is not a command of openclaw models auth")
    expect(r.stderr).toContain("login")
  })

  it("an unknown flag fails with the flag named and a pointer to that command's --help", async () => {
    const r = await runCli(["models", "status", "--bogus"], { fs: new MemoryFs() })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("--bogus")
    expect(r.stderr).toContain("Run `openclaw models status --help` for usage.")
    const missing = await runCli(["models", "auth", "login", "--agent", "main"], { fs: new MemoryFs() })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("Run `openclaw models auth login --help` for usage.")
  })

  // What the parser saw is not what the user did: a flag without its value was "Received unknown argument", a long
  // flag was masked like a secret, "'abc' is not an integer" named no flag. One line with the mistake, then the help.
  it.each([
    [["models", "statu"], "'statu' is not a command of openclaw models (did you mean status?); its commands are status, auth", "openclaw models"],
    [["bogus"], "'bogus' is not a command of openclaw; its commands are models, secrets, doctor, onboard, gateway, completion", "openclaw"],
    [["models", "status", "--agnt", "x"], "unknown flag --agnt (did you mean --agent?)", "openclaw models status"],
    [["--verison"], "unknown flag --verison (did you mean --version?)", "openclaw"],
    [["models", "status", "--agent"], "--agent needs a value", "openclaw models status"],
    [["models", "status", "--agent="], "--agent needs a value", "openclaw models status"],
    [["models", "status", "--json", "--probe-concurrency"], "--probe-concurrency needs a value", "openclaw models status"],
    [["models", "auth", "paste-api-key", "--provider"], "--provider needs a value", "openclaw models auth paste-api-key"],
    [["models", "auth", "paste-api-key"], "missing required flag --provider", "openclaw models auth paste-api-key"],
    [["models", "status", "--probe-timeout", "abc"], "--probe-timeout needs an integer, got 'abc'", "openclaw models status"],
    [["gateway", "--port=12x"], "--port needs an integer, got '12x'", "openclaw gateway"],
    [["models", "auth", "order", "set", "--provider", "openai"], "missing argument <profile-id>", "openclaw models auth order set"],
    [["completion", "tcsh"], "expected one of bash, zsh, fish, got 'tcsh'", "openclaw completion"],
    [["models", "status", "--\u001b]0;pwned\u0007"], "unknown flag --\\x1b]0;pwned\\x07", "openclaw models status"]
  ])("usage error %j: one line that names the mistake, then the help to read", async (args, problem, command) => {
    const r = await runCli(args, { fs: new MemoryFs() })
    expect(r.code).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr).toBe(`openclaw: ${problem}\nRun \`${command} --help\` for usage.`)
  })
})

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
