import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { BIN, startChild } from "../support/Child.js"
import { MemoryFs } from "../support/MemoryFiles.js"
import { useSandboxes } from "../support/Sandbox.js"
import { runCli } from "../support/TestApp.js"

const sandbox = useSandboxes()

const scriptFor = async (shell: string) => (await runCli(["completion", shell], { fs: new MemoryFs() })).stdout

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
    await box.write(box.store, JSON.stringify({ version: 1, profiles: { "anthropic:work": { type: "api_key", provider: "anthropic", key: "sk-ant-api03-" + "k".repeat(40) } } }))
    const bin = await box.mkdir("bin")
    await box.write(path.join(bin, "openclaw"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, 0o755)
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
    expect(blocks[4]).toBe("openclaw models auth logout --profile-id anthropic:\nwork\n")
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
})
