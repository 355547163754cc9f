/**
 * Helpers shared by the proof suites (crash, concurrency, secrets): chat requests to a gateway, kills triggered by
 * a temp file appearing (so a SIGKILL lands inside a write), leftovers of killed writers,
 * runs under a file-size limit, and small JSON/dotenv helpers.
 */
import { watch } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { parse as dotenvParse } from "dotenv"
import { BIN, type Outcome, runChild, shellQuote } from "../../support/Child.js"
import { scaled } from "../../support/Timing.js"

/** A `.env` file as dotenv reads it. */
export const parseDotenv = (text: string): Record<string, string> => dotenvParse(text)

/** A deep copy through JSON. */
export const clone = <A>(a: A): A => JSON.parse(JSON.stringify(a)) as A

/** Top-level sections that are empty objects count as absent (a rewrite may add or drop them). */
export const normalizeStore = (doc: any): any => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(doc ?? {})) {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      const inner: Record<string, unknown> = {}
      for (const [ik, iv] of Object.entries(v)) {
        if (Array.isArray(iv) && iv.length === 0) continue
        inner[ik] = iv
      }
      if (Object.keys(inner).length === 0) continue
      out[k] = inner
    } else out[k] = v
  }
  return out
}

/** Temp files of the atomic writer for `file`: `.<name>.<pid>.<hex>.tmp` in its directory. */
export const tempsOf = async (file: string): Promise<Array<string>> => {
  const dir = path.dirname(file)
  const prefix = `.${path.basename(file)}.`
  const names = await fs.readdir(dir).catch(() => [] as Array<string>)
  return names.filter((n) => n.startsWith(prefix) && n.endsWith(".tmp")).map((n) => path.join(dir, n))
}

/** Every `*.tmp` and `*.lock` under `root`. */
export const leftoversUnder = async (root: string): Promise<{ temps: Array<string>; locks: Array<string> }> => {
  const temps: Array<string> = []
  const locks: Array<string> = []
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => [])
    for (const e of entries) {
      const abs = path.join(dir, e.name)
      if (e.name.endsWith(".lock")) locks.push(abs)
      else if (e.name.endsWith(".tmp")) temps.push(abs)
      if (e.isDirectory() && !e.name.endsWith(".lock")) await walk(abs)
    }
  }
  await walk(root)
  return { temps, locks }
}

export const readText = async (file: string): Promise<string | undefined> => {
  try {
    return await fs.readFile(file, "utf8")
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw e
  }
}

/** Replaces a file the way openclaw does (temp + rename), so a watcher never sees it half-written. */
export const writeAtomicTest = async (file: string, content: string): Promise<void> => {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  const tmp = `${file}.proof-${process.pid}-${Math.random().toString(16).slice(2)}`
  await fs.writeFile(tmp, content, { mode: 0o600 })
  await fs.rename(tmp, file)
}

/**
 * Calls `onTemp` as soon as a writer's temp file (`.<name>.<pid>.<hex>.tmp`) shows up in one of `dirs`: a kill
 * issued then lands between the temp file's creation and its rename. Returns a function that stops watching.
 */
export const onTempFile = (dirs: ReadonlyArray<string>, onTemp: (name: string) => void): (() => void) => {
  // Once per temp file: one file brings several events (created, written, renamed away), and how many of them
  // arrive, and when, depends on the machine's speed; callers count files ("kill at temp file #2").
  const seen = new Set<string>()
  const watchers = dirs.map((dir) =>
    watch(dir, (_event, name) => {
      if (typeof name !== "string" || !/^\..+\.\d+\.[0-9a-f]+\.tmp$/.test(name) || seen.has(`${dir}/${name}`)) return
      seen.add(`${dir}/${name}`)
      onTemp(name)
    })
  )
  for (const w of watchers) w.on("error", () => undefined)
  return () => {
    for (const w of watchers) w.close()
  }
}

/** A `bash -c 'ulimit -f <blocks>; exec node dist/openclaw.cjs …'` run (1 block = 1024 bytes in bash). */
export const runUnderFileLimit = (
  blocks: number,
  args: ReadonlyArray<string>,
  options: { cwd: string; env: Record<string, string>; input?: string; timeoutMs?: number }
): Promise<Outcome> => {
  const quoted = [process.execPath, BIN, ...args].map(shellQuote).join(" ")
  return runChild("bash", ["-c", `ulimit -f ${blocks}; exec ${quoted}`], args, options)
}

/** A chat request to a running gateway; the answer's text, or the error body. */
export const chat = async (
  url: string,
  token: string | undefined,
  content: string,
  options: { session?: string; stream?: boolean; model?: string; headers?: Record<string, string> } = {}
): Promise<{ status: number; text: string; body: string }> => {
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers }
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  if (options.session !== undefined) headers["x-openclaw-session-key"] = options.session
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers,
    body: JSON.stringify({ model: options.model ?? "openclaw", messages: [{ role: "user", content }], ...(options.stream ? { stream: true } : {}) })
  })
  const body = await res.text()
  let text = ""
  if (res.ok && !options.stream) {
    try {
      text = JSON.parse(body).choices?.[0]?.message?.content ?? ""
    } catch {
      text = body
    }
  } else if (res.ok) {
    for (const line of body.split("\n")) {
      if (!line.startsWith("data: ") || line === "data: [DONE]") continue
      try {
        text += JSON.parse(line.slice(6)).choices?.[0]?.delta?.content ?? ""
      } catch {
        // not JSON: ignore
      }
    }
  }
  return { status: res.status, text, body }
}

/**
 * Starts many `openclaw` processes from one small shell, in batches `staggerMs` apart, and collects each one's
 * outcome. Spawning from the test process itself would block its event loop for ~0.1 s per child (fork of a large
 * heap), starving whatever else it serves meanwhile (a fake provider).
 */
export const runMany = async (
  specs: ReadonlyArray<{ args: ReadonlyArray<string>; input?: string }>,
  options: { cwd: string; env: Record<string, string>; batch?: number; staggerMs?: number; timeoutMs?: number }
): Promise<Array<Outcome>> => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "openclaw-proof-many-"))
  try {
    const q = shellQuote
    const lines = ["#!/bin/bash", "set +e"]
    const batch = options.batch ?? 4
    for (const [i, spec] of specs.entries()) {
      await fs.writeFile(path.join(dir, `in.${i}`), spec.input ?? "")
      const cmd = [process.execPath, BIN, ...spec.args].map(q).join(" ")
      lines.push(
        `( s=$(date +%s%N); ${cmd} <${q(path.join(dir, `in.${i}`))} >${q(path.join(dir, `out.${i}`))} 2>${q(path.join(dir, `err.${i}`))}; ` +
          `echo $? >${q(path.join(dir, `code.${i}`))}; echo $(( ($(date +%s%N) - s) / 1000000 )) >${q(path.join(dir, `ms.${i}`))} ) &`
      )
      if ((i + 1) % batch === 0 && i + 1 < specs.length) lines.push(`sleep ${(options.staggerMs ?? 0) / 1000}`)
    }
    lines.push("wait")
    await fs.writeFile(path.join(dir, "run.sh"), lines.join("\n") + "\n", { mode: 0o700 })
    const r = await runChild("bash", [path.join(dir, "run.sh")], ["run.sh"], { cwd: options.cwd, env: options.env, timeoutMs: options.timeoutMs ?? scaled(60_000) })
    if (r.code !== 0) throw new Error(`runMany: the shell failed: ${r.stderr}`)
    return await Promise.all(
      specs.map(async (spec, i) => {
        const status = Number((await fs.readFile(path.join(dir, `code.${i}`), "utf8")).trim())
        const signals: Record<number, NodeJS.Signals> = { 9: "SIGKILL", 15: "SIGTERM", 25: "SIGXFSZ", 6: "SIGABRT", 11: "SIGSEGV" }
        return {
          args: spec.args,
          code: status > 128 ? null : status,
          signal: status > 128 ? (signals[status - 128] ?? "SIGTERM") : null,
          stdout: await fs.readFile(path.join(dir, `out.${i}`), "utf8"),
          stderr: await fs.readFile(path.join(dir, `err.${i}`), "utf8"),
          ms: Number((await fs.readFile(path.join(dir, `ms.${i}`), "utf8")).trim())
        }
      })
    )
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
}
