import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { BIN, startChild } from "../support/Child.js"
import { MemoryFs } from "../support/MemoryFiles.js"
import { useSandboxes } from "../support/Sandbox.js"
import type { Sandbox } from "../support/Sandbox.js"
import { runCli } from "../support/TestApp.js"
import { haveTmux, TmuxScreen } from "../support/Tmux.js"

const sandbox = useSandboxes()

const scriptFor = async (shell: string) => (await runCli(["completion", shell], { fs: new MemoryFs() })).stdout

const apiKey = (provider: string, key: string) => ({ type: "api_key", provider, key: key + "k".repeat(40) })

/** A store with three profiles, and `openclaw` on PATH as a user has it (a wrapper around the built binary). */
const completionHome = async (box: Sandbox): Promise<{ bin: string }> => {
  const profiles = {
    "anthropic:work": apiKey("anthropic", "sk-ant-api03-"),
    "anthropic:personal": apiKey("anthropic", "sk-ant-api03-p"),
    "openai:default": apiKey("openai", "sk-proj-")
  }
  await box.write(box.store, JSON.stringify({ version: 1, profiles }))
  const bin = await box.mkdir("bin")
  await box.write(path.join(bin, "openclaw"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, 0o755)
  return { bin }
}

/** Plays bash's part: the line up to the cursor in COMP_LINE/COMP_POINT/COMP_WORDS/COMP_CWORD, then COMPREPLY. */
const DRIVER = String.raw`
COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'
complete -p openclaw
t() {
  COMP_LINE="$1"; COMP_POINT=${"${#1}"}
  read -ra COMP_WORDS <<< "$1"; [[ "$1" == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$(( ${"${#COMP_WORDS[@]}"} - 1 )); COMPREPLY=()
  _openclaw_complete
  printf '== %s\n' "$1"; printf '%s\n' "${"${COMPREPLY[@]}"}"
}
t "openclaw "
t "openclaw models auth "
t "openclaw models auth paste-token --provider an"
t "openclaw models auth logout --profile-id anthropic:"
`

describe("openclaw completion in a real shell", () => {
  it("bash: top level, `models auth`, --provider and --profile-id values (from the sandbox's store)", async () => {
    const box = await sandbox("complete")
    const { bin } = await completionHome(box)
    const script = await box.write("openclaw.bash", await scriptFor("bash"))
    const env = box.env({ PATH: `${bin}:${box.env().PATH}` })
    const r = await startChild("bash", ["--norc", "--noprofile", "-c", `source ${script}\n${DRIVER}`], ["bash"], { cwd: box.home, env }).done
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const blocks = r.stdout.split(/^== /m)
    expect(blocks[0]).toBe("complete -o default -F _openclaw_complete openclaw\n")
    expect(blocks[1]).toBe("openclaw \nmodels\nsecrets\ndoctor\nonboard\ngateway\ncompletion\n")
    expect(blocks[2]).toContain("openclaw models auth \npaste-token\nsetup-token\npaste-api-key\n")
    expect(blocks[2]).toContain("\norder\ncooldowns\n")
    expect(blocks[3]).toBe("openclaw models auth paste-token --provider an\nanthropic\n")
    // bash took `anthropic:` as typed (':' breaks words), so it gets the rest of the id.
    expect(blocks[4]).toBe("openclaw models auth logout --profile-id anthropic:\nwork\npersonal\n")
  })

  const shells = ["zsh", "fish"] as const
  for (const shell of shells) {
    const installed = spawnSync(shell, ["--version"], { stdio: "ignore" }).status === 0
    // Not installed here: the script is still checked for the callback below; parsing needs the shell.
    it.skipIf(!installed)(`${shell}: the script parses (${shell} -n)`, async () => {
      const box = await sandbox(shell)
      const file = await box.write(`openclaw.${shell}`, await scriptFor(shell))
      expect(spawnSync(shell, ["-n", file], { encoding: "utf8" }).status).toBe(0)
    })
    it(`${shell}: the script asks openclaw __complete for its candidates`, async () => {
      const script = await scriptFor(shell)
      expect(script).toContain("command openclaw __complete")
    })
  }

  /**
   * What a user sees: the script loaded the way the README says (zsh: sourced after compinit; fish: in
   * ~/.config/fish/completions), Tab pressed on a real line editor. One terminal per shell, four Tabs.
   */
  const setups: Record<(typeof shells)[number], (box: Sandbox, bin: string) => Promise<string>> = {
    zsh: async (box, bin) => {
      const script = await box.write("openclaw.zsh", await scriptFor("zsh"))
      await box.write(".zshrc", `PS1='$ '\nautoload -Uz compinit && compinit -u -D\nsource ${script}\n`)
      return `PATH=${bin}:$PATH ZDOTDIR=${box.home} exec zsh -i`
    },
    fish: async (box, bin) => {
      await box.write(".config/fish/completions/openclaw.fish", await scriptFor("fish"))
      await box.write(".config/fish/config.fish", "set -g fish_greeting\nfunction fish_prompt; echo '$ '; end\n")
      // Fish's first start generates completions from man pages in the background, into this directory unless it
      // exists: it would still be writing there while the sandbox is removed.
      await box.write(".local/share/fish/generated_completions/.keep", "")
      return `PATH=${bin}:$PATH exec fish -i`
    }
  }
  for (const shell of shells) {
    const installed = spawnSync(shell, ["--version"], { stdio: "ignore" }).status === 0
    it.skipIf(!installed || !haveTmux())(`${shell} on a tmux screen: subcommands, a command's flags, provider and profile ids`, async () => {
      const box = await sandbox(`${shell}-tmux`)
      const { bin } = await completionHome(box)
      const screen = new TmuxScreen(box, await setups[shell](box, bin), { cols: 100, rows: 30 })
      try {
        await screen.waitFor(/^\$$/m) // the prompt (capture-pane drops its trailing blank)
        screen.typeLiteral("openclaw models auth ")
        screen.press("Tab")
        const subcommands = await screen.waitFor(/cooldowns[\s\S]*setup-token/)
        for (const sub of ["paste-api-key", "login", "logout", "order"]) expect(subcommands).toContain(sub)
        screen.typeLiteral("login --")
        screen.press("Tab")
        const flags = await screen.waitFor(/--no-browser/)
        expect(flags).toMatch(/--provider/)
        expect(flags).toMatch(/--profile-id/)
        expect(flags).not.toMatch(/--expires-in/) // paste-token's, not login's
        screen.typeLiteral("provider an")
        screen.press("Tab")
        await screen.waitFor(/login --provider anthropic/)
        screen.press("C-u")
        screen.typeLiteral("openclaw models auth logout --profile-id ")
        screen.press("Tab")
        await screen.waitFor(/anthropic:personal[\s\S]*anthropic:work[\s\S]*openai:default/)
      } finally {
        screen.close()
      }
    })
  }
})
