/**
 * End-to-end harness: runs the built `dist/openclaw.cjs` in a fresh temporary HOME with a clean environment
 * (PATH and HOME only, plus what a test passes), and helpers to snapshot the fixture tree and to check that no
 * secret ever reaches stdout or stderr.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, expect } from "vitest"
import { BIN, startChild } from "./support/sandbox.js"

export { BIN, REPO } from "./support/sandbox.js"
export const HOUR = 3_600_000

/** Fake secrets only: each carries FAKE/TEST and a distinct body. Public prefix first, as real keys have. */
export const SECRETS = {
  apiKey: "sk-ant-api03-FAKEapikeyAaBbCcDdEeFfGgHhIiJjKkLlMmNn0123456789-TESTak01",
  token: "sk-ant-oat01-FAKEtokenQqRrSsTtUuVvWwXxYyZz9876543210abcdefghijklmnopqrstuvwxyz-TESTtk02",
  token2: "sk-ant-oat01-FAKEsecondtokenPpOoNnMmLlKkJjIiHhGgFfEeDdCcBbAa0011223344556677-TESTtk03",
  envFileKey: "sk-ant-api03-FAKEdotenvkeyZzYyXxWwVvUuTtSsRrQqPp5544332211-TESTef04",
  processKey: "sk-ant-api03-FAKEprocesskeyMmNnBbVvCcXxZzLlKkJjHhGg6677889900-TESTpk05",
  openaiKey: "sk-proj-FAKEopenaikeyQwErTyUiOpAsDfGhJkLzXcVbNm13579-TESTok06",
  routerToken: "sk-or-v1-FAKErouterTokenPlOkIjUhYgTfRdEsWaQz24680135-TESTrt07",
  workToken: "sk-ant-oat01-FAKEworkagentTokenAzSxDcFvGbHnJmKlQwErTyUiOp1122334455667788-TESTwt08"
} as const

const PUBLIC_PREFIXES = ["sk-ant-api03-", "sk-ant-oat01-", "sk-or-v1-", "sk-proj-", "sk-"]

/** The secret part: what follows the public prefix a mask may show. */
export const secretPart = (secret: string): string => {
  const prefix = PUBLIC_PREFIXES.find((p) => secret.startsWith(p)) ?? ""
  return secret.slice(prefix.length)
}

/** Every 12-character window of the secret part: none may appear in any output. */
export const secretSlices = (secret: string): ReadonlyArray<string> => {
  const part = secretPart(secret)
  const out: Array<string> = []
  for (let i = 0; i + 12 <= part.length; i++) out.push(part.slice(i, i + 12))
  return out
}

export interface RunResult {
  readonly args: ReadonlyArray<string>
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** Extra variables on top of PATH and HOME. */
  readonly env?: Readonly<Record<string, string>>
  /** Run as an unprivileged user (through setpriv when we are root). */
  readonly unprivileged?: boolean
  readonly timeoutMs?: number
}

const UNPRIVILEGED_ID = 65534

let setprivAvailable: boolean | undefined
export const hasSetpriv = (): boolean =>
  (setprivAvailable ??= spawnSync("setpriv", ["--version"], { stdio: "ignore" }).status === 0)

/** Whether a test can run the binary as someone who is subject to file modes. */
export const canRunUnprivileged = (): boolean => process.getuid?.() !== 0 || hasSetpriv()

/** Every run of every test, so a suite can check afterwards that no secret ever got out. */
export const allRuns: Array<RunResult> = []

export class TempHome {
  private constructor(readonly dir: string) {}

  static async create(): Promise<TempHome> {
    return new TempHome(await fs.mkdtemp(path.join(os.tmpdir(), "openclaw-e2e-")))
  }

  get state(): string {
    return path.join(this.dir, ".openclaw")
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

  /** Writes a file (absolute or relative to HOME), creating its parents. */
  async write(file: string, content: string | Buffer, mode = 0o600): Promise<string> {
    const abs = path.isAbsolute(file) ? file : path.join(this.dir, file)
    await fs.mkdir(path.dirname(abs), { recursive: true, mode: 0o700 })
    await fs.writeFile(abs, content, { mode })
    await fs.chmod(abs, mode)
    return abs
  }

  async mkdir(dir: string): Promise<string> {
    const abs = path.isAbsolute(dir) ? dir : path.join(this.dir, dir)
    await fs.mkdir(abs, { recursive: true, mode: 0o700 })
    return abs
  }

  /** The clean environment of a run: nothing from the parent but PATH. */
  env(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    return { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: this.dir, ...extra }
  }

  run(args: ReadonlyArray<string>, options: RunOptions = {}): Promise<RunResult> {
    const asOther = options.unprivileged === true && process.getuid?.() === 0
    const command = asOther ? "setpriv" : process.execPath
    const argv = asOther
      ? [`--reuid=${UNPRIVILEGED_ID}`, `--regid=${UNPRIVILEGED_ID}`, "--clear-groups", process.execPath, BIN, ...args]
      : [BIN, ...args]
    const { done } = startChild(command, argv, args, { cwd: this.dir, env: this.env(options.env), timeoutMs: options.timeoutMs ?? 15_000 })
    return done.then(({ ms: _ms, ...result }) => {
      allRuns.push(result)
      return result
    })
  }

  /** Makes HOME and everything under it traversable by another user (the tree is ours, under mkdtemp). */
  async openUp(): Promise<void> {
    const walk = async (dir: string): Promise<void> => {
      await fs.chmod(dir, 0o755)
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) await walk(path.join(dir, entry.name))
      }
    }
    await walk(this.dir)
  }

  /** Every path under HOME with its kind, mode bits and bytes (files only). */
  async snapshot(): Promise<Map<string, TreeEntry>> {
    const entries = new Map<string, TreeEntry>()
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const abs = path.join(dir, entry.name)
        const st = await fs.lstat(abs)
        const rel = path.relative(this.dir, abs)
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
    await walk(this.dir)
    return entries
  }

  async cleanup(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true })
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

const ANSI = /\u001b\[/

export const expectNoAnsi = (text: string): void => {
  expect(ANSI.test(text), `no ANSI escapes in: ${JSON.stringify(text.slice(0, 200))}`).toBe(false)
}

/** No stack frames, no error class names, no `Error:` dumps. */
export const expectNoInternals = (text: string): void => {
  expect(text).not.toMatch(/^\s+at\s/m)
  expect(text).not.toContain("    at ")
  expect(text).not.toMatch(/[A-Za-z]*Error:/)
  expect(text).not.toMatch(/\b[A-Z][A-Za-z]*Error\b/)
  expect(text).not.toMatch(/\b_tag\b|\[cause\]|node:internal|internal error/)
}

/** Neither the whole secret nor any 12-character slice of its secret part, in any output of any run. */
export const expectNoSecrets = (runs: ReadonlyArray<RunResult>, secrets: ReadonlyArray<string>): void => {
  expect(runs.length).toBeGreaterThan(0)
  for (const r of runs) {
    for (const [stream, text] of [
      ["stdout", r.stdout],
      ["stderr", r.stderr]
    ] as const) {
      for (const s of secrets) {
        if (text.includes(s)) throw new Error(`secret leaked on ${stream} of openclaw ${r.args.join(" ")}`)
        for (const slice of secretSlices(s)) {
          if (text.includes(slice)) {
            throw new Error(`a 12-character slice of a secret leaked on ${stream} of openclaw ${r.args.join(" ")}`)
          }
        }
      }
    }
  }
}

/** `{ version: 1, profiles }` as §3.1 writes it. */
export const storeJson = (profiles: Record<string, unknown>, extra: Record<string, unknown> = {}): string =>
  `${JSON.stringify({ version: 1, profiles, ...extra }, null, 2)}\n`

/** A factory of temp homes for one test file; every home it made is removed after the file's tests. */
export const useTempHomes = (): (() => Promise<TempHome>) => {
  const homes: Array<TempHome> = []
  afterAll(async () => {
    await Promise.all(homes.map((h) => h.cleanup()))
  })
  return async () => {
    const home = await TempHome.create()
    homes.push(home)
    return home
  }
}
