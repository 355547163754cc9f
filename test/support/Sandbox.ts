/**
 * The one throw-away HOME of the end-to-end suites: a fresh temp directory with the state dir `<home>/.openclaw`
 * (found from HOME, as a user's would be), a clean environment (PATH and HOME only, plus what a test passes), the
 * built `openclaw` run in it, and snapshots of the tree to prove that nothing changed.
 */
import { type ChildProcess, spawnSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, expect } from "vitest"
import { BIN, type Outcome, startChild } from "./Child.js"

/** PATH for children: the parent's, so `node`, `bash` and coreutils resolve; tests prepend their own bins. */
const BASE_PATH = process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"

export interface RunOptions {
  /** Written to stdin, which is then closed; without it stdin is empty (closed at once). */
  readonly input?: string
  /** Leave stdin open for the test to write to (an interactive run). */
  readonly openStdin?: boolean
  /** Extra variables on top of PATH and HOME. */
  readonly env?: Readonly<Record<string, string>>
  /** Replaces PATH entirely. */
  readonly path?: string
  /** Run as an unprivileged user (through setpriv when we are root). */
  readonly unprivileged?: boolean
  /** SIGKILL after this many ms (the crash tests); the outcome then usually has signal SIGKILL. */
  readonly killAfterMs?: number
  /** The hang guard (default: 30 s, scaled to the machine). */
  readonly timeoutMs?: number
}

const UNPRIVILEGED_ID = 65534

let setprivAvailable: boolean | undefined
export const hasSetpriv = (): boolean =>
  (setprivAvailable ??= spawnSync("setpriv", ["--version"], { stdio: "ignore" }).status === 0)

/** Whether a test can run the binary as someone who is subject to file modes. */
export const canRunUnprivileged = (): boolean => process.getuid?.() !== 0 || hasSetpriv()

/**
 * Every run, by the test file that started it, so a suite can check afterwards that no secret ever got out. Keyed by
 * file because a test process runs many files one after another (vitest.config.ts: no per-file isolation), and
 * this module is loaded once per process.
 */
const runsByFile = new Map<string, Array<Outcome>>()
const currentFile = (): string => expect.getState().testPath ?? ""

/** Every run started so far by the current test file. */
export const runsOfThisFile = (): ReadonlyArray<Outcome> => runsByFile.get(currentFile()) ?? []

export class Sandbox {
  protected constructor(readonly home: string) {}

  static async create(label = "h"): Promise<Sandbox> {
    return new Sandbox(await Sandbox.makeHome(label))
  }

  protected static makeHome(label: string): Promise<string> {
    return fs.mkdtemp(path.join(os.tmpdir(), `openclaw-e2e-${label}-`))
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

  /** The clean environment of a run: nothing from the parent but PATH (no ANTHROPIC_*, OPENAI_*, OPENCLAW_*). */
  env(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    return { PATH: BASE_PATH, HOME: this.home, ...extra }
  }

  /** Starts `openclaw <args>`; `done` settles when it has exited. */
  start(args: ReadonlyArray<string>, options: RunOptions = {}): { child: ChildProcess; done: Promise<Outcome> } {
    const asOther = options.unprivileged === true && process.getuid?.() === 0
    const command = asOther ? "setpriv" : process.execPath
    const argv = asOther
      ? [`--reuid=${UNPRIVILEGED_ID}`, `--regid=${UNPRIVILEGED_ID}`, "--clear-groups", process.execPath, BIN, ...args]
      : [BIN, ...args]
    const env = this.env({ ...(options.path === undefined ? {} : { PATH: options.path }), ...options.env })
    const started = startChild(command, argv, args, { ...options, cwd: this.home, env })
    const file = currentFile()
    const runs = runsByFile.get(file) ?? []
    runsByFile.set(file, runs)
    return { child: started.child, done: started.done.then((o) => (runs.push(o), o)) }
  }

  run(args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Outcome> {
    return this.start(args, options).done
  }

  /** Writes a file (absolute or relative to HOME), creating its parents. */
  async write(file: string, content: string | Buffer, mode = 0o600): Promise<string> {
    const abs = path.isAbsolute(file) ? file : path.join(this.home, file)
    await fs.mkdir(path.dirname(abs), { recursive: true, mode: 0o700 })
    await fs.writeFile(abs, content, { mode })
    await fs.chmod(abs, mode)
    return abs
  }

  async mkdir(dir: string): Promise<string> {
    const abs = path.isAbsolute(dir) ? dir : path.join(this.home, dir)
    await fs.mkdir(abs, { recursive: true, mode: 0o700 })
    return abs
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

  /** Makes HOME and everything under it traversable by another user (the tree is ours, under mkdtemp). */
  async openUp(): Promise<void> {
    const walk = async (dir: string): Promise<void> => {
      await fs.chmod(dir, 0o755)
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) await walk(path.join(dir, entry.name))
      }
    }
    await walk(this.home)
  }

  /** Every path under HOME with its kind, mode bits and bytes (files only). */
  async snapshot(): Promise<Map<string, TreeEntry>> {
    const entries = new Map<string, TreeEntry>()
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const abs = path.join(dir, entry.name)
        const st = await fs.lstat(abs)
        const rel = path.relative(this.home, abs)
        if (st.isDirectory()) {
          entries.set(rel, { kind: "dir", mode: st.mode & 0o7777 })
          await walk(abs)
        } else if (st.isSymbolicLink()) {
          entries.set(rel, { kind: "symlink", mode: st.mode & 0o7777, target: await fs.readlink(abs) })
        } else {
          entries.set(rel, { kind: "file", mode: st.mode & 0o7777, bytes: await readOwnFile(abs, st.mode & 0o7777) })
        }
      }
    }
    await walk(this.home)
    return entries
  }

  async cleanup(): Promise<void> {
    // Retried: a program the test started (a shell's background job) may still be writing there for a moment.
    await fs.rm(this.home, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
  }
}

/** A factory of sandboxes for one test file; every one it made is removed after the file's tests. */
export const useSandboxes = (): ((label?: string) => Promise<Sandbox>) => {
  const made: Array<Sandbox> = []
  afterAll(async () => {
    await Promise.all(made.map((s) => s.cleanup()))
  })
  return async (label) => {
    const s = await Sandbox.create(label)
    made.push(s)
    return s
  }
}

/** Reads a fixture even when a test made it unreadable (root reads it anyway; anyone else lifts the mode briefly). */
const readOwnFile = async (file: string, mode: number): Promise<Buffer> => {
  try {
    return await fs.readFile(file)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EACCES") throw e
    await fs.chmod(file, mode | 0o400)
    try {
      return await fs.readFile(file)
    } finally {
      await fs.chmod(file, mode)
    }
  }
}

export interface TreeEntry {
  readonly kind: "dir" | "file" | "symlink"
  readonly mode: number
  readonly bytes?: Buffer
  readonly target?: string
}

/** Same paths, same kinds, same modes, same bytes. */
export const expectTreeUnchanged = (before: Map<string, TreeEntry>, after: Map<string, TreeEntry>): void => {
  expect([...after.keys()].sort(), "no file may be created or removed").toEqual([...before.keys()].sort())
  for (const [rel, b] of before) {
    const a = after.get(rel)!
    expect(a.kind, `${rel}: kind`).toBe(b.kind)
    expect(a.mode.toString(8), `${rel}: mode`).toBe(b.mode.toString(8))
    if (b.bytes !== undefined) {
      expect(a.bytes !== undefined && Buffer.compare(a.bytes, b.bytes) === 0, `${rel}: bytes unchanged`).toBe(true)
    }
    if (b.target !== undefined) expect(a.target, `${rel}: link target`).toBe(b.target)
  }
}
