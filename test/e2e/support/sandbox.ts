/**
 * Helpers for the write and pseudo-terminal end-to-end suites: a throw-away HOME with a clean environment, the
 * built `openclaw` run as a child process (optionally killed), a real pty through util-linux `script`, and a
 * seeded PRNG so crash tests are reproducible.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
export const BIN = path.join(REPO, "dist", "openclaw.cjs")
export const FAKE_CLAUDE = path.join(REPO, "test", "fixtures", "fake-claude")
export const DAY = 86_400_000

/** PATH for children: the parent's, so `node`, `bash` and coreutils resolve; tests prepend their own bins. */
const BASE_PATH = process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"

export interface Outcome {
  readonly args: ReadonlyArray<string>
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

export interface SpawnOptions {
  /** Written to stdin, which is then closed; without it stdin is empty (closed at once). */
  readonly input?: string
  readonly env?: Readonly<Record<string, string>>
  /** Replaces PATH entirely. */
  readonly path?: string
  /** SIGKILL after this many ms (the crash tests); the outcome then usually has signal SIGKILL. */
  readonly killAfterMs?: number
  readonly timeoutMs?: number
}

/**
 * Starts any command with piped stdio; `done` settles when it has exited, with `label` as its `args`. Killed with
 * SIGKILL after `killAfterMs` (the crash tests) or, as a guard, after `timeoutMs` (default 30 s).
 */
export const startChild = (
  command: string,
  argv: ReadonlyArray<string>,
  label: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env: Record<string, string>; readonly input?: string; readonly timeoutMs?: number; readonly killAfterMs?: number }
): { child: ChildProcess; done: Promise<Outcome> } => {
  const started = performance.now()
  const child = spawn(command, [...argv], { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] })
  const out: Array<Buffer> = []
  const err: Array<Buffer> = []
  child.stdout!.on("data", (b: Buffer) => out.push(b))
  child.stderr!.on("data", (b: Buffer) => err.push(b))
  // A child killed before it reads stdin makes our write fail with EPIPE; that is expected here.
  child.stdin!.on("error", () => undefined)
  child.stdin!.end(options.input ?? "")
  const killer = options.killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.killAfterMs)
  const guard = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000)
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

/** A fresh HOME under the OS temp dir; the state dir is `<home>/.openclaw` (OPENCLAW_STATE_DIR). */
export class Sandbox {
  private constructor(readonly home: string) {}

  static async create(label = "w"): Promise<Sandbox> {
    return new Sandbox(await fs.mkdtemp(path.join(os.tmpdir(), `openclaw-e2e-${label}-`)))
  }

  get state(): string {
    return path.join(this.home, ".openclaw")
  }
  get agentDir(): string {
    return path.join(this.state, "agents", "main", "agent")
  }
  get store(): string {
    return path.join(this.agentDir, "auth-profiles.json")
  }
  get config(): string {
    return path.join(this.state, "openclaw.json")
  }

  /** Nothing from the parent but PATH: no ANTHROPIC_*, OPENAI_*, OPENCLAW_* variables leak in. */
  env(options: Pick<SpawnOptions, "env" | "path"> = {}): Record<string, string> {
    return {
      PATH: options.path ?? BASE_PATH,
      HOME: this.home,
      OPENCLAW_STATE_DIR: this.state,
      ...options.env
    }
  }

  /** Starts `openclaw <args>`; the promise settles when it has exited. */
  start(args: ReadonlyArray<string>, options: SpawnOptions = {}): { child: ChildProcess; done: Promise<Outcome> } {
    return startChild(process.execPath, [BIN, ...args], args, { ...options, cwd: this.home, env: this.env(options) })
  }

  run(args: ReadonlyArray<string>, options: SpawnOptions = {}): Promise<Outcome> {
    return this.start(args, options).done
  }

  async readJson(file: string): Promise<any> {
    return JSON.parse(await fs.readFile(file, "utf8"))
  }

  /** `undefined` when the file does not exist. */
  async readText(file: string): Promise<string | undefined> {
    try {
      return await fs.readFile(file, "utf8")
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined
      throw e
    }
  }

  async write(file: string, content: string, mode = 0o600): Promise<void> {
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
    await fs.writeFile(file, content, { mode })
  }

  /** Every path under the state dir, relative to it, with its mode bits. */
  async tree(): Promise<Array<{ rel: string; dir: boolean; mode: number }>> {
    const out: Array<{ rel: string; dir: boolean; mode: number }> = []
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const abs = path.join(dir, entry.name)
        const st = await fs.lstat(abs)
        out.push({ rel: path.relative(this.state, abs), dir: st.isDirectory(), mode: st.mode & 0o777 })
        if (st.isDirectory()) await walk(abs)
      }
    }
    await walk(this.state).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e
    })
    return out
  }

  async cleanup(): Promise<void> {
    await fs.rm(this.home, { recursive: true, force: true })
  }
}

/** mulberry32: a tiny seeded PRNG, so a failing crash run can be replayed with the same delays. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A FAKE secret body of `length` characters from [A-Za-z0-9], deterministic for a given PRNG. */
export const fakeBody = (rand: () => number, length: number): string => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
  let s = ""
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rand() * alphabet.length)]
  return s
}

/** Every `n`-character window of `secret`. */
export const windows = (secret: string, n: number): Array<string> => {
  const out: Array<string> = []
  for (let i = 0; i + n <= secret.length; i++) out.push(secret.slice(i, i + n))
  return out
}

/** The first window of `secret` (length `n`) found in `text`, if any. */
export const leakedWindow = (text: string, secret: string, n: number): string | undefined =>
  windows(secret, n).find((w) => text.includes(w))

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

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

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
      env: sandbox.env({ ...(options.path === undefined ? {} : { path: options.path }), env: { SHELL: "/bin/sh", TERM: "xterm", ...options.env } }),
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
    const guard = setTimeout(() => this.child.kill("SIGKILL"), 20_000)
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
  waitFor(pattern: string | RegExp, timeoutMs = 5000, from = 0): Promise<number> {
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
    this.child.stdin!.write(text)
  }

  async exit(timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
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
