/**
 * What the tests of scripts/secret-resolvers/ share: where the resolvers are, a PATH that finds `node` and nothing
 * else, stand-in programs (`op`, `security`, `secret-tool`, `pass`) that record how they were called and answer from
 * a fixture, and one way to run a resolver with a request.
 */
import { spawnSync } from "node:child_process"
import { accessSync, constants } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { REPO, runChild, type Outcome } from "../support/Child.js"
import { scaled } from "../support/Timing.js"

export const RESOLVERS_DIR = path.join(REPO, "scripts", "secret-resolvers")
export const resolverPath = (script: string): string => path.join(RESOLVERS_DIR, script)

/** A stand-in's answer to one argument vector. */
export interface Answer {
  readonly stdout?: string
  readonly stderr?: string
  readonly code?: number
  /** Answer only after this long (the timeout tests). */
  readonly sleepMs?: number
  /** Start a long-lived child of its own first (its pid is recorded): it must die with the stand-in. */
  readonly grandchild?: boolean
  /** Die by this signal instead of exiting. */
  readonly signal?: NodeJS.Signals
}

/** One call the stand-in received. */
export interface Call {
  readonly argv: ReadonlyArray<string>
  /** The names of the variables it was given. */
  readonly env: ReadonlyArray<string>
  readonly grandchild?: number
}

const write = async (file: string, content: string, mode = 0o755): Promise<void> => {
  await fs.mkdir(path.dirname(file), { recursive: true })
  await fs.writeFile(file, content, { mode })
  await fs.chmod(file, mode)
}

/**
 * A stand-in program `dir/name`: each call appends `{argv, env}` to `dir/name.calls` and answers from
 * `dir/name.answers.json`, keyed by `JSON.stringify(argv)` — an argument vector the test did not expect gets exit 3.
 * The paths are written into the program itself: the resolver passes it no variable the test could use.
 */
export const standIn = async (dir: string, name: string, answers: Readonly<Record<string, Answer>>): Promise<StandIn> => {
  const file = path.join(dir, name)
  const log = `${file}.calls`
  const fixture = `${file}.answers.json`
  await write(fixture, JSON.stringify(answers), 0o644)
  await write(
    file,
    `#!${process.execPath}
const fs = require("node:fs")
const { spawn } = require("node:child_process")
const argv = process.argv.slice(2)
const answer = JSON.parse(fs.readFileSync(${JSON.stringify(fixture)}, "utf8"))[JSON.stringify(argv)]
let grandchild
if (answer && answer.grandchild) grandchild = spawn("/bin/sleep", ["60"], { stdio: "ignore" }).pid
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ argv, env: Object.keys(process.env).sort(), grandchild }) + "\\n")
if (!answer) {
  process.stderr.write("stand-in: no answer for " + JSON.stringify(argv) + "\\n")
  process.exit(3)
}
const finish = () => {
  if (answer.signal) process.kill(process.pid, answer.signal)
  if (answer.stderr) process.stderr.write(answer.stderr)
  if (answer.stdout) process.stdout.write(answer.stdout, () => process.exit(answer.code ?? 0))
  else process.exit(answer.code ?? 0)
}
if (answer.sleepMs) setTimeout(finish, answer.sleepMs)
else finish()
`
  )
  return new StandIn(file, log)
}

export class StandIn {
  constructor(readonly file: string, private readonly log: string) {}

  async calls(): Promise<Array<Call>> {
    const text = await fs.readFile(this.log, "utf8").catch(() => "")
    return text.split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l) as Call)
  }

  async reset(): Promise<void> {
    await fs.rm(this.log, { force: true })
  }
}

/** A directory holding only `node` (a link to this one), so `#!/usr/bin/env node` works with no other program found. */
export const nodeOnlyBin = async (root: string): Promise<string> => {
  const dir = path.join(root, "node-bin")
  await fs.mkdir(dir, { recursive: true })
  await fs.symlink(process.execPath, path.join(dir, "node")).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== "EEXIST") throw e
  })
  return dir
}

/** The exec provider's request for `ids`. */
export const request = (ids: ReadonlyArray<string>, provider = "test"): string => JSON.stringify({ protocolVersion: 1, provider, ids })

export interface Response {
  readonly protocolVersion: number
  readonly values: Record<string, string>
  readonly errors: Record<string, { readonly message: string }>
}

/** The response of a run that succeeded as a whole (exit 0, JSON on stdout). */
export const responseOf = (outcome: Outcome): Response => {
  if (outcome.code !== 0) throw new Error(`resolver exited ${outcome.code} (${outcome.signal}): ${outcome.stderr}`)
  return JSON.parse(outcome.stdout) as Response
}

/**
 * Runs `script` with `input` on stdin, in `cwd`, with exactly `env` — plus, unless `env` sets it, a per-id timeout
 * stretched to the machine's load (a loaded machine can take seconds to start the stand-in's node).
 */
export const runResolver = (script: string, input: string, cwd: string, env: Record<string, string>): Promise<Outcome> =>
  runChild(resolverPath(script), [], [script], {
    cwd,
    env: { OPENCLAW_RESOLVER_TIMEOUT_MS: String(scaled(4_000)), ...env },
    input
  })

/** Whether a process is gone (a zombie waiting for a parent that never reaps counts as gone). */
export const processGone = async (pid: number): Promise<boolean> => {
  const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined)
  return stat === undefined || / Z /.test(stat.slice(stat.lastIndexOf(")")))
}

/** The test process's PATH, where the real programs are looked for. */
export const PARENT_PATH = process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"

const onPath = (program: string): boolean =>
  PARENT_PATH.split(":").some((dir) => {
    try {
      accessSync(path.join(dir, program), constants.X_OK)
      return true
    } catch {
      return false
    }
  })

/** Why real-program tests cannot run here (`not installed: pass, gpg`), or undefined when they can. */
export const missingPrograms = (programs: ReadonlyArray<string>): string | undefined => {
  const absent = programs.filter((p) => !onPath(p))
  return absent.length === 0 ? undefined : `not installed: ${absent.join(", ")}`
}

const must = (what: string, r: { status: number | null; stderr: string | Buffer }): void => {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr.toString()}`)
}

/** A real password store under `home`, encrypted for a throw-away GPG key (no passphrase) in its own GNUPGHOME. */
export interface PassStore {
  /** GNUPGHOME and PASSWORD_STORE_DIR, for the resolver's environment (and the provider's passEnv). */
  readonly env: { readonly GNUPGHOME: string; readonly PASSWORD_STORE_DIR: string }
  /** Stops the gpg-agent this key started. */
  readonly stop: () => void
}

/** Needs `pass`, `gpg` and `gpgconf` (see missingPrograms); `entries` maps entry names to their whole content. */
export const makePassStore = async (home: string, entries: Readonly<Record<string, string>>): Promise<PassStore> => {
  const gnupg = path.join(home, "gnupg")
  await fs.mkdir(gnupg, { recursive: true, mode: 0o700 })
  const env = { GNUPGHOME: gnupg, PASSWORD_STORE_DIR: path.join(home, "password-store") }
  const processEnv = { PATH: PARENT_PATH, HOME: home, ...env }
  const sh = (what: string, argv: ReadonlyArray<string>, input?: string) =>
    must(what, spawnSync(argv[0]!, argv.slice(1), { env: processEnv, input, encoding: "utf8" }))
  const stop = () => void spawnSync("gpgconf", ["--kill", "gpg-agent"], { env: processEnv })
  try {
    sh("gpg key generation", ["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", "openclaw test <resolver@example.invalid>", "default", "default", "never"])
    const listed = spawnSync("gpg", ["--batch", "--list-keys", "--with-colons"], { env: processEnv, encoding: "utf8" })
    sh("pass init", ["pass", "init", /^fpr:+([0-9A-F]+):/m.exec(listed.stdout)![1]!])
    for (const [name, content] of Object.entries(entries)) sh(`pass insert ${name}`, ["pass", "insert", "--multiline", name], content)
  } catch (e) {
    stop()
    throw e
  }
  return { env, stop }
}
