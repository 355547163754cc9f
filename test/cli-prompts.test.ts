/**
 * SPEC §6 "Command-line manners", in-process: the prompts only ever append to the screen and a yes/no needs
 * Enter (the terminal runs of the same are in test/e2e/prompts.e2e.test.ts), and there is no `--wizard` mode.
 */
import * as Prompt from "@effect/cli/Prompt"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Terminal from "@effect/platform/Terminal"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TerminalPrompts from "../src/services/TerminalPrompts.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, runCli, STORE } from "./support/TestApp.js"

const key = (ch: string): Terminal.UserInput => ({
  input: Option.some(ch),
  key: { name: ch === "\r" ? "return" : ch === "\x7f" ? "backspace" : ch, ctrl: false, meta: false, shift: false }
})

/** Runs `prompt` on a 20-column terminal that receives `keys` one by one; what it displayed comes back too. */
const onTerminal = <A>(prompt: Prompt.Prompt<A>, keys: string) =>
  Effect.gen(function* () {
    const shown: Array<string> = []
    const terminal = Terminal.Terminal.of({
      columns: Effect.succeed(20),
      rows: Effect.succeed(10),
      isTTY: Effect.succeed(true),
      display: (text) => Effect.sync(() => void shown.push(text)),
      readInput: Effect.gen(function* () {
        const mailbox = yield* Mailbox.make<Terminal.UserInput>()
        yield* mailbox.offerAll([...keys].map(key))
        return mailbox
      }),
      readLine: Effect.never
    })
    // Prompt.run's environment includes a file system (for its file prompt): none is used here.
    const value = yield* Prompt.run(prompt).pipe(
      Effect.provideService(Terminal.Terminal, terminal),
      Effect.provide(FileSystem.layerNoop({})),
      Effect.provide(Path.layer)
    )
    return { value, shown: shown.join("") }
  })

// Anything that moves the cursor up or erases (CSI A, J, K, and the like) would touch lines it did not print.
// eslint-disable-next-line no-control-regex
const ERASING = /\u001b\[\d*[ABJKFG]/

describe("prompts only append to the screen", () => {
  it.effect("hidden: a 150-character paste shows the question once and nothing of the input, then a newline", () =>
    Effect.gen(function* () {
      const secret = "x".repeat(149) + "Z"
      const { shown, value } = yield* onTerminal(TerminalPrompts.hidden("Paste the key"), `${secret}q\x7f\r`)
      expect(Redacted.value(value)).toBe(secret)
      expect(shown).not.toMatch(ERASING)
      // Besides Prompt.run's closing cursor-show (and colour resets), exactly the question and the end of its line.
      // eslint-disable-next-line no-control-regex
      expect(shown.replace(/\u001b\[[0-9;?]*[a-zA-Z]/g, "")).toBe("? Paste the key \n")
    })
  )

  it.effect("confirm: a single key decides nothing; Enter does, with the typed answer or the default", () =>
    Effect.gen(function* () {
      expect((yield* onTerminal(TerminalPrompts.confirm("Remove it?", false), "n\x7fy\r")).value).toBe(true)
      expect((yield* onTerminal(TerminalPrompts.confirm("Remove it?", true), "no\r")).value).toBe(false)
      expect((yield* onTerminal(TerminalPrompts.confirm("Remove it?", true), "\r")).value).toBe(true)
      const reasked = yield* onTerminal(TerminalPrompts.confirm("Remove it?", false), "sure\rYES\r")
      expect(reasked.value).toBe(true)
      expect(reasked.shown).toContain("Please answer y or n.")
      expect(reasked.shown).not.toMatch(ERASING)
    })
  )
})

describe("no --wizard mode", () => {
  it("is refused with exit 1 and where the set-up wizard is, nothing written", async () => {
    const fs = new MemoryFs()
    const r = await runCli(["models", "auth", "paste-token", "--provider", "anthropic", "--wizard"], { fs })
    expect(r.code).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr).toBe(
      "openclaw: there is no --wizard mode. Fix: run `openclaw onboard` for the set-up wizard, or add --help to a command to see its options."
    )
    expect(fs.read(STORE)).toBeUndefined()
    expect(fs.read(CONFIG)).toBeUndefined()
  })
})
