/**
 * The one child-process runner of the end-to-end suites: any command with piped stdio, its output collected, a
 * SIGKILL after a chosen delay (the crash tests) and a guard against hangs. Also where the built binary is.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { scaled } from "./Timing.js"

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
export const BIN = path.join(REPO, "dist", "openclaw.cjs")
export const FAKE_CLAUDE = path.join(REPO, "test", "fixtures", "fake-claude")

export interface Outcome {
  readonly args: ReadonlyArray<string>
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

export interface ChildOptions {
  readonly cwd: string
  readonly env: Record<string, string>
  /** Written to stdin, which is then closed; without it stdin is empty (closed at once). */
  readonly input?: string
  /** Leave stdin open for the test to write to (an interactive run); `input` is then ignored. */
  readonly openStdin?: boolean
  /** The hang guard: SIGKILL after this many ms (default: 30 s, scaled to the machine). */
  readonly timeoutMs?: number
  /** SIGKILL after this many ms (the crash tests); the outcome then usually has signal SIGKILL. */
  readonly killAfterMs?: number
}

/** Starts `command argv…`; `done` settles when it has exited, with `label` as its `args`. */
export const startChild = (
  command: string,
  argv: ReadonlyArray<string>,
  label: ReadonlyArray<string>,
  options: ChildOptions
): { child: ChildProcess; done: Promise<Outcome> } => {
  const started = performance.now()
  const child = spawn(command, [...argv], { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] })
  const out: Array<Buffer> = []
  const err: Array<Buffer> = []
  child.stdout!.on("data", (b: Buffer) => out.push(b))
  child.stderr!.on("data", (b: Buffer) => err.push(b))
  // A child killed before it reads stdin makes our write fail with EPIPE; that is expected here.
  child.stdin!.on("error", () => undefined)
  if (options.openStdin !== true) child.stdin!.end(options.input ?? "")
  const killer = options.killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.killAfterMs)
  const guard = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? scaled(30_000))
  const stopTimers = () => {
    clearTimeout(guard)
    if (killer) clearTimeout(killer)
  }
  const done = new Promise<Outcome>((resolve, reject) => {
    child.on("error", (e) => {
      stopTimers()
      reject(e)
    })
    child.on("close", (code, signal) => {
      stopTimers()
      resolve({
        args: label,
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        ms: performance.now() - started
      })
    })
  })
  return { child, done }
}

export const runChild = (command: string, argv: ReadonlyArray<string>, label: ReadonlyArray<string>, options: ChildOptions): Promise<Outcome> =>
  startChild(command, argv, label, options).done

/** Single-quoted for sh. */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls until `check` holds (file watches, background writes and child output are asynchronous). */
export const eventually = async (check: () => Promise<boolean> | boolean, timeoutMs = scaled(5_000), what = "condition"): Promise<void> => {
  const until = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(25)
  }
}
