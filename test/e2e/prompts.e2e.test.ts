/**
 * SPEC §6 "Command-line manners" for prompts, on real terminals: the hidden prompt leaves what was on the screen
 * alone however long the paste, and Ctrl-C while `claude` has the terminal (cursor hidden, echo off) still ends
 * with the terminal given back and the cancellation on a line of its own. One terminal run each (suite budget).
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { BIN, FAKE_CLAUDE, shellQuote } from "../support/Child.js"
import { findScript, PtySession } from "../support/Pty.js"
import { fakeBody, prng } from "../support/Random.js"
import { Sandbox } from "../support/Sandbox.js"
import { findWindow } from "../support/SecretScan.js"
import { haveTmux, TmuxScreen } from "../support/Tmux.js"

const rand = prng(0x9a57e)
const sandboxes: Array<Sandbox> = []
const newSandbox = async (): Promise<Sandbox> => {
  const s = await Sandbox.create("prompts")
  sandboxes.push(s)
  return s
}
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.cleanup()))
})

describe.skipIf(!haveTmux())("the hidden prompt on a tmux screen", () => {
  it("12 lines printed before, a 150-character token pasted: all 12 still on the screen, none of the token", async () => {
    const s = await newSandbox()
    const head = "sk-ant-oat01-FAKE"
    const token = head + fakeBody(rand, 150 - head.length)
    const before = Array.from({ length: 12 }, (_, i) => `line-before-${i + 1}`)
    const command = [
      ...before.map((l) => `echo ${l}`),
      [process.execPath, BIN, "models", "auth", "paste-token", "--provider", "anthropic"].map(shellQuote).join(" ")
    ].join("; ")
    const screen = new TmuxScreen(s, command, { cols: 80, rows: 40 })
    try {
      await screen.waitFor(/input is hidden/)
      screen.typeLiteral(token)
      screen.press("Enter")
      // Without --expires-in a terminal is asked how long the token lives (issue 15 item 8): Enter takes a year.
      await screen.waitFor(/token valid\?/)
      screen.press("Enter")
      const shown = await screen.waitFor(/EXIT=\d+/)
      expect(shown, shown).toContain("EXIT=0")
      expect(shown).toContain("Auth profile: anthropic:manual (anthropic/token)")
      const rows = shown.split("\n").map((r) => r.trimEnd())
      for (const line of before) expect(rows, shown).toContain(line)
      expect(rows.indexOf("line-before-12"), "the lines stay where they were").toBe(11)
      expect(findWindow(shown, token, 8)).toBeUndefined()
      expect((await s.readJson(s.store)).profiles["anthropic:manual"].token).toBe(token)
    } finally {
      screen.close()
    }
  })
})

describe.skipIf(findScript() === undefined)("Ctrl-C under a real terminal", () => {
  it("while claude has hidden the cursor: exit, 'nothing was stored' on its own line, the cursor shown last", async () => {
    const s = await newSandbox()
    const bin = path.join(s.home, "bin")
    await fs.mkdir(bin)
    await fs.copyFile(FAKE_CLAUDE, path.join(bin, "claude"))
    await fs.chmod(path.join(bin, "claude"), 0o755)
    const pty = new PtySession(s, ["models", "auth", "setup-token", "--provider", "anthropic", "--yes"], {
      path: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      env: { FAKE_CLAUDE_UI: "1" }
    })
    await pty.waitFor("continue in the browser? [y/N]")
    pty.type("\x03")
    const exit = await pty.exit()
    expect([1, 130], pty.screen).toContain(exit.code)
    expect(pty.screen).toMatch(/(^|\n)[^\n]*nothing was stored\.?\r?\n/)
    expect(pty.screen).toMatch(/(^|\r?\n)openclaw: [^\n]*nothing was stored/)
    const raw = pty.screenRaw
    expect(raw.lastIndexOf("\x1b[?25h"), "the cursor is shown after claude hid it").toBeGreaterThan(raw.lastIndexOf("\x1b[?25l"))
    expect(await fs.stat(s.store).then(() => true, () => false)).toBe(false)
  })
})
