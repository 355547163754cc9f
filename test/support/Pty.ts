/**
 * `openclaw` on a real pseudo-terminal through util-linux `script`, for the interactive paths: keystrokes in, the
 * screen out, waits on what it shows.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { BIN, shellQuote } from "./Child.js"
import type { Sandbox } from "./Sandbox.js"
import { scaled } from "./Timing.js"

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[()][0-9A-Za-z]|\u001b[=>]/g
export const stripAnsi = (s: string): string => s.replace(ANSI, "")

let scriptPath: string | undefined | null
/** util-linux `script`, when it is there (it gives a child a real pseudo-terminal). */
export const findScript = (): string | undefined => {
  if (scriptPath === undefined) {
    const which = spawnSync("sh", ["-c", "command -v script"], { encoding: "utf8" })
    const found = which.status === 0 ? which.stdout.trim() : ""
    const usable = found !== "" && spawnSync(found, ["-qfec", "true", "/dev/null"], { stdio: "ignore" }).status === 0
    scriptPath = usable ? found : null
  }
  return scriptPath ?? undefined
}

/**
 * `openclaw <args>` on a real pseudo-terminal: `script -qfec <cmd> /dev/null` makes a pty, runs the command as
 * the session leader on it, copies our writes to the terminal as keystrokes and the terminal's output to us.
 */
export class PtySession {
  private raw = ""
  private readonly listeners = new Set<() => void>()
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  private readonly child: ChildProcess

  constructor(
    sandbox: Sandbox,
    args: ReadonlyArray<string>,
    /** `redirect` is appended to the shell command as is, e.g. `</dev/null` or `| cat`. */
    options: { path?: string; env?: Record<string, string>; redirect?: string } = {}
  ) {
    const script = findScript()
    if (script === undefined) throw new Error("util-linux `script` is not available")
    const command = [process.execPath, BIN, ...args].map(shellQuote).join(" ") + (options.redirect ? ` ${options.redirect}` : "")
    this.child = spawn(script, ["-qfec", command, "/dev/null"], {
      cwd: sandbox.home,
      // script runs the command through $SHELL; TERM as a real terminal would have it.
      env: sandbox.env({ ...(options.path === undefined ? {} : { PATH: options.path }), SHELL: "/bin/sh", TERM: "xterm", ...options.env }),
      stdio: ["pipe", "pipe", "pipe"]
    })
    const onData = (b: Buffer) => {
      this.raw += b.toString("utf8")
      for (const l of this.listeners) l()
    }
    this.child.stdout!.on("data", onData)
    this.child.stderr!.on("data", onData)
    this.child.stdin!.on("error", () => undefined)
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        this.child.stdin!.destroy()
        resolve({ code, signal })
        for (const l of this.listeners) l()
      })
    })
    // Never let a broken test hang the suite.
    const guard = setTimeout(() => this.child.kill("SIGKILL"), scaled(20_000))
    void this.exited.then(() => clearTimeout(guard))
  }

  /** Everything the terminal showed, escape sequences included. */
  get screenRaw(): string {
    return this.raw
  }
  /** The same without escape sequences. */
  get screen(): string {
    return stripAnsi(this.raw)
  }

  /** Resolves when the screen (without escapes) matches, from `from` on; rejects after `timeoutMs`. */
  waitFor(pattern: string | RegExp, timeoutMs = scaled(5_000), from = 0): Promise<number> {
    const test = (): number => {
      const text = stripAnsi(this.raw.slice(from))
      if (typeof pattern === "string") return text.indexOf(pattern)
      const m = pattern.exec(text)
      return m === null ? -1 : m.index
    }
    return new Promise((resolve, reject) => {
      const check = () => {
        if (test() >= 0) {
          cleanup()
          resolve(this.raw.length)
        }
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${String(pattern)}; screen so far:\n${this.screen}`))
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        this.listeners.delete(check)
      }
      this.listeners.add(check)
      check()
    })
  }

  /** Keystrokes, as if typed (or pasted) on the terminal. */
  type(text: string): void {
    this.mark = this.raw.length
    this.child.stdin!.write(text)
  }

  /** Where the screen stood when keys were last typed: a prompt counts as new only after that. */
  get typedAt(): number {
    return this.mark
  }
  private mark = 0

  /** Answers a prompt: waits for its text to appear after the last keys typed, then types `keys`. */
  async answer(prompt: string | RegExp, ...keys: ReadonlyArray<string>): Promise<void> {
    await this.waitFor(prompt, undefined, this.typedAt)
    this.type(keys.join(""))
  }

  async exit(timeoutMs = scaled(10_000)): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no exit after ${timeoutMs} ms; screen so far:\n${this.screen}`)), timeoutMs)
    })
    try {
      return await Promise.race([this.exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  kill(): void {
    this.child.kill("SIGKILL")
  }
}
