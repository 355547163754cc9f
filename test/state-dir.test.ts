/**
 * Issue 15 item 8: on a fresh machine `openclaw onboard` and `openclaw doctor --fix` leave `~/.openclaw` (0700)
 * behind, so the README's next step, `cat >> ~/.openclaw/.env`, works.
 */
import { describe, expect, it } from "@effect/vitest"
import { ScriptedPrompter } from "./support/FakeInteraction.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { runCli, STATE } from "./support/TestApp.js"

describe("the state directory on a fresh machine", () => {
  it("onboard creates it (0700) before anything else, even when it then stops for a missing key", async () => {
    const fs = new MemoryFs()
    const r = await runCli(["onboard", "--non-interactive", "--auth-choice", "api-key", "--provider", "openai"], { fs })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("--api-key is required")
    expect(fs.dirs.get(STATE)).toBe(0o700)
    expect(fs.files.size).toBe(0)
  })

  it("the onboard wizard creates it too, when cancelled at its first question", async () => {
    const fs = new MemoryFs()
    await runCli(["onboard"], { fs, prompter: new ScriptedPrompter({}, true) })
    expect(fs.dirs.get(STATE)).toBe(0o700)
  })

  it("doctor --fix creates it and says so; doctor without --fix does not", async () => {
    const looked = new MemoryFs()
    await runCli(["doctor"], { fs: looked })
    expect(looked.dirs.has(STATE)).toBe(false)

    const fs = new MemoryFs()
    const r = await runCli(["doctor", "--fix", "--yes", "--json"], { fs })
    expect(fs.dirs.get(STATE)).toBe(0o700)
    const checks = JSON.parse(r.stdout).checks as Array<{ id: string; subject: string | null; fixed?: boolean; fixDetail?: string }>
    expect(checks).toContainEqual(expect.objectContaining({ id: "permissions", subject: STATE, fixed: true, fixDetail: `created ${STATE} (0700)` }))

    const again = await runCli(["doctor", "--fix", "--yes", "--json"], { fs })
    expect(JSON.parse(again.stdout).checks.filter((c: { fixed?: boolean }) => c.fixed === true)).toEqual([])
  })
})
