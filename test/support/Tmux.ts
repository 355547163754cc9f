/**
 * A command on a tmux pane, for what only a terminal emulator can tell: what is left on the screen after the
 * program moved the cursor and erased (`capture-pane` renders the pane as a person would see it). Each session
 * gets its own tmux server (socket), killed by `close`.
 */
import { spawnSync } from "node:child_process"
import type { Sandbox } from "./Sandbox.js"
import { scaled } from "./Timing.js"

export const haveTmux = (): boolean => spawnSync("tmux", ["-V"], { stdio: "ignore" }).status === 0

let sessions = 0

export class TmuxScreen {
  private readonly socket = `openclaw-test-${process.pid}-${++sessions}`

  /** Runs `shellCommand` (sh) on a `cols`×`rows` pane; the pane stays open after it ends, for `capture`. */
  constructor(
    private readonly sandbox: Sandbox,
    shellCommand: string,
    size: { cols: number; rows: number } = { cols: 80, rows: 40 }
  ) {
    // `exec sleep` keeps the pane (and its screen) after the command; EXIT= says how it ended.
    const wrapped = `${shellCommand}; echo "EXIT=$?"; exec sleep 600`
    this.tmux(["new-session", "-d", "-s", "t", "-x", String(size.cols), "-y", String(size.rows), "sh", "-c", wrapped])
  }

  private tmux(args: ReadonlyArray<string>): string {
    const r = spawnSync("tmux", ["-L", this.socket, "-f", "/dev/null", ...args], {
      cwd: this.sandbox.home,
      env: this.sandbox.env({ TERM: "xterm", SHELL: "/bin/sh" }),
      encoding: "utf8"
    })
    if (r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.stderr}`)
    return r.stdout
  }

  /** The pane as shown now, one string per screen row (wrapped lines are separate rows). */
  capture(): string {
    return this.tmux(["capture-pane", "-p", "-t", "t"])
  }

  /** Literal keystrokes (a paste arrives the same way: all characters at once). */
  typeLiteral(text: string): void {
    this.tmux(["send-keys", "-t", "t", "-l", text])
  }

  /** Named keys, e.g. `Enter`, `C-c`. */
  press(...keys: ReadonlyArray<string>): void {
    this.tmux(["send-keys", "-t", "t", ...keys])
  }

  /** Polls the screen until it matches; rejects with the screen after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = scaled(10_000)): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const screen = this.capture()
      if (pattern.test(screen)) return screen
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; screen:\n${screen}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  close(): void {
    spawnSync("tmux", ["-L", this.socket, "kill-server"], { stdio: "ignore" })
  }
}
