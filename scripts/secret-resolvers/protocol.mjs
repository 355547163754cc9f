/**
 * The exec-provider protocol of SPEC §9, shared by the resolvers in this directory (each one names a backend
 * program and how an id becomes its arguments). One request on stdin, `{"protocolVersion":1,"provider":…,"ids":[…]}`;
 * one response on stdout, `{"protocolVersion":1,"values":{id:secret},"errors":{id:{message}}}`.
 *
 * What every resolver gets from here, so that no backend can forget it:
 * - the program is spawned with an argument vector, never through a shell (an id is one argument, whatever it holds);
 * - all ids of the request in one run, a few at a time, each bounded in time (OPENCLAW_RESOLVER_TIMEOUT_MS) and in
 *   output, the program's whole process group killed when it overruns;
 * - per-id errors (a missing program names itself, how to install it and which *_BIN variable points at it);
 * - ids that could be read as options (a leading `-`) refused before anything runs;
 * - the program sees only the variables it needs, not the resolver's whole environment;
 * - a secret goes nowhere but `values` on stdout: never stderr, never an error message.
 * Dependency-free on purpose (Node ≥ 20 only): these files are copied to hosts that have no node_modules.
 */
import { spawn } from "node:child_process"
import process from "node:process"

export const PROTOCOL_VERSION = 1
/** Below the exec provider's default timeoutMs (5000): a stuck program is reported per id before openclaw gives up. */
const DEFAULT_TIMEOUT_MS = 4000
const MAX_OUTPUT_BYTES = 1024 * 1024
const MAX_REQUEST_BYTES = 1024 * 1024
const MAX_STDERR_BYTES = 64 * 1024
const MAX_ID_LENGTH = 1024
/** How many programs run at once: a batch of n ids costs about n/4 lookups of wall time, not n. */
const CONCURRENCY = 4
/** What any program needs to find itself, its configuration and a locale. */
const BASE_ENV = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR"]
const EXIT_BAD_REQUEST = 2

/** Why a value from an id would be misread by the program: it starts like an option. */
export const optionLike = (part) => part.startsWith("-")

const controlChar = /[\u0000-\u001f\u007f]/

/** The id rules every backend shares; undefined when the id may be looked up. */
const idProblem = (id) => {
  if (id.length === 0) return "an empty id"
  if (id.length > MAX_ID_LENGTH) return `an id longer than ${MAX_ID_LENGTH} characters`
  if (optionLike(id)) return "an id starting with '-' could be read as an option; refused"
  if (controlChar.test(id)) return "an id with control characters (newline, NUL…); refused"
  return undefined
}

/** The variables handed to the program: the base ones, the backend's own, and those with its prefixes. */
const programEnv = (backend) => {
  const env = {}
  const wanted = new Set([...BASE_ENV, ...(backend.env ?? [])])
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key === backend.binEnv) continue
    if (wanted.has(key) || (backend.envPrefixes ?? []).some((p) => key.startsWith(p))) env[key] = value
  }
  return env
}

const timeoutMs = () => {
  const raw = process.env.OPENCLAW_RESOLVER_TIMEOUT_MS
  const n = raw === undefined ? NaN : Number(raw)
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_TIMEOUT_MS
}

/** The last non-empty line of the program's stderr (where tools put the reason), kept short. */
const reasonOf = (stderr) => {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0)
  const last = lines[lines.length - 1]
  return last === undefined ? undefined : last.length > 300 ? `${last.slice(0, 300)}…` : last
}

/** Programs still running, so an interrupted resolver takes them down with it. */
const running = new Set()
const killGroup = (child) => {
  try {
    // detached: the program leads its own group, so its helpers (pass runs gpg) go with it.
    process.kill(-child.pid, "SIGKILL")
  } catch {
    child.kill("SIGKILL")
  }
}

/**
 * Runs `file args` and settles with what happened: `{kind:"exit",code,signal,stdout,stderr}`,
 * `{kind:"timeout"}`, `{kind:"too-large"}` or `{kind:"spawn-error",code}`. Never rejects.
 */
const runProgram = (file, args, env, limitMs) =>
  new Promise((resolve) => {
    let child
    try {
      child = spawn(file, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true, shell: false })
    } catch (e) {
      resolve({ kind: "spawn-error", code: e?.code ?? String(e) })
      return
    }
    running.add(child)
    const out = []
    let outBytes = 0
    const err = []
    let errBytes = 0
    let settled = false
    const settle = (result, kill) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      running.delete(child)
      if (kill) {
        killGroup(child)
        child.stdout.destroy()
        child.stderr.destroy()
      }
      resolve(result)
    }
    const timer = setTimeout(() => settle({ kind: "timeout" }, true), limitMs)
    child.stdout.on("data", (b) => {
      outBytes += b.length
      if (outBytes > MAX_OUTPUT_BYTES) settle({ kind: "too-large" }, true)
      else out.push(b)
    })
    child.stderr.on("data", (b) => {
      if (errBytes < MAX_STDERR_BYTES) err.push(b)
      errBytes += b.length
    })
    child.on("error", (e) => settle({ kind: "spawn-error", code: e.code ?? e.message }, false))
    child.on("close", (code, signal) =>
      settle({
        kind: "exit",
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8")
      }, false)
    )
  })

/** Drops one trailing newline: tools end their output with one, a secret does not. */
export const withoutTrailingNewline = (s) => s.replace(/\r?\n$/, "")

/** One id: `{value}` or `{error}`. The error text is built from the id's parts and stderr, never from stdout. */
const lookUp = async (backend, id, limitMs, env) => {
  const problem = idProblem(id)
  if (problem !== undefined) return { error: problem }
  const planned = backend.argv(id)
  if (planned.error !== undefined) return { error: planned.error }
  const configured = process.env[backend.binEnv]
  const file = configured !== undefined && configured !== "" ? configured : backend.program
  const result = await runProgram(file, planned.argv, env, limitMs)
  switch (result.kind) {
    case "spawn-error":
      if (result.code === "ENOENT") {
        const where = file === backend.program ? "on PATH" : `at ${backend.binEnv}=${file}`
        return {
          error: `${backend.program} not found ${where}: ${backend.install}, or set ${backend.binEnv} to its ` +
            `absolute path (name PATH or ${backend.binEnv} in the provider's passEnv)`
        }
      }
      if (result.code === "EACCES") return { error: `${file} is not executable (set ${backend.binEnv} to the right program)` }
      return { error: `${file} could not be started: ${result.code}` }
    case "timeout":
      return { error: `${backend.program} gave no answer within ${limitMs} ms (locked vault or a prompt waiting?); ` +
        "raise OPENCLAW_RESOLVER_TIMEOUT_MS (and the provider's timeoutMs) if it is just slow" }
    case "too-large":
      return { error: `${backend.program} printed more than ${MAX_OUTPUT_BYTES} bytes; not a secret` }
    case "exit": {
      if (result.code !== 0) {
        const own = backend.failure?.(id, result.code, result.stderr)
        if (own !== undefined) return { error: own }
        const how = result.code === null ? `was killed by ${result.signal}` : `exited with code ${result.code}`
        const reason = reasonOf(result.stderr)
        return { error: `${backend.program} ${how}${reason === undefined ? "" : `: ${reason}`}` }
      }
      const value = backend.value(result.stdout)
      if (value.length === 0) return { error: `${backend.program} printed an empty value for this id` }
      return { value }
    }
  }
}

const readStdin = () =>
  new Promise((resolve, reject) => {
    const chunks = []
    let bytes = 0
    process.stdin.on("data", (b) => {
      bytes += b.length
      if (bytes > MAX_REQUEST_BYTES) reject(new Error(`the request is larger than ${MAX_REQUEST_BYTES} bytes`))
      else chunks.push(b)
    })
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    process.stdin.on("error", reject)
  })

/** The request's ids, or a reason the whole request is refused (which names no id content: ids are not secret). */
const decodeRequest = (text) => {
  let request
  try {
    request = JSON.parse(text)
  } catch {
    return { error: "the request on stdin is not JSON (expected {\"protocolVersion\":1,\"provider\":…,\"ids\":[…]})" }
  }
  if (request === null || typeof request !== "object" || Array.isArray(request)) return { error: "the request is not a JSON object" }
  if (request.protocolVersion !== PROTOCOL_VERSION) {
    return { error: `unsupported protocolVersion ${JSON.stringify(request.protocolVersion)} (this resolver speaks ${PROTOCOL_VERSION})` }
  }
  if (!Array.isArray(request.ids) || !request.ids.every((id) => typeof id === "string")) {
    return { error: "the request's ids must be an array of strings" }
  }
  return { ids: [...new Set(request.ids)] }
}

const fail = (message) => {
  process.stderr.write(`secret resolver: ${message}\n`)
  process.exit(EXIT_BAD_REQUEST)
}

/**
 * The whole resolver. `backend`: `program` (found on PATH), `binEnv` (the variable naming it instead), `install`
 * (how to get it), `env`/`envPrefixes` (variables it needs beyond the base ones), `argv(id)` → `{argv}` | `{error}`,
 * `value(stdout)` → the secret, optional `failure(id, code, stderr)` → a message of its own for a non-zero exit.
 */
export const runResolver = async (backend) => {
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => {
      for (const child of running) killGroup(child)
      process.exit(1)
    })
  }
  let text
  try {
    text = await readStdin()
  } catch (e) {
    fail(`could not read the request: ${e.message}`)
  }
  const request = decodeRequest(text)
  if (request.error !== undefined) fail(request.error)
  const limitMs = timeoutMs()
  const env = programEnv(backend)
  // Maps, not objects: an id such as "__proto__" must come back as that key, not disappear into a prototype.
  const values = new Map()
  const errors = new Map()
  const queue = [...request.ids]
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const found = await lookUp(backend, id, limitMs, env)
      if (found.error !== undefined) errors.set(id, { message: found.error })
      else values.set(id, found.value)
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker))
  const response = JSON.stringify({
    protocolVersion: PROTOCOL_VERSION,
    values: Object.fromEntries(values),
    errors: Object.fromEntries(errors)
  }) + "\n"
  // Exit once stdout is flushed (on macOS a pipe write is asynchronous), even if a killed program left a handle.
  process.stdout.write(response, () => process.exit(0))
}
