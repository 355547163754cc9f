/**
 * The one spawner of the built gateway (`openclaw gateway --port 0 …`) as a child process: it resolves once the
 * gateway listens, keeps its output, and stops it with SIGTERM (graceful) or SIGKILL (a crash).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { BIN, sleep } from "./Child.js"
import { scaled } from "./Timing.js"

export interface GatewayProcess {
  readonly child: ChildProcess
  readonly url: string
  readonly port: number
  readonly pid: number
  /** stdout and stderr as they came, interleaved. */
  readonly output: () => string
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** SIGKILL now; resolves once it is gone. */
  readonly kill: () => Promise<void>
  /** SIGTERM and wait (graceful stop: in-flight requests finish, sessions are flushed). */
  readonly stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export interface GatewayProcessOptions {
  readonly cwd: string
  readonly env: Record<string, string>
  readonly args?: ReadonlyArray<string>
  /** `--port` (default 0: a free one); "config": no flag, so gateway.port of the config decides. */
  readonly port?: number | "config"
  /** A command prefix, e.g. ["bash", "-c", "ulimit -f 8; exec \"$0\" \"$@\""]. */
  readonly prefix?: ReadonlyArray<string>
  /** Sees every complete line of output (stdout and stderr). */
  readonly onLine?: (line: string) => void
  /** `false`: keep output only until it listens (a long run under load logs more than a test should hold). */
  readonly retainOutput?: boolean
  /** How long it may take to listen (default 15 s, scaled to the machine). */
  readonly timeoutMs?: number
}

/** A prefix that runs the gateway under `ulimit -f <blocks>` (1 block = 1024 bytes in bash). */
export const fileSizeLimit = (blocks: number): ReadonlyArray<string> => ["bash", "-c", `ulimit -f ${blocks}; exec "$0" "$@"`]

/** Starts the gateway; resolves once it listens, or rejects with its output. */
export const startGatewayProcess = async (options: GatewayProcessOptions): Promise<GatewayProcess> => {
  const port = options.port ?? 0
  const argv = [BIN, "gateway", ...(port === "config" ? [] : ["--port", String(port)]), ...(options.args ?? [])]
  const [command, ...rest] = options.prefix ? [...options.prefix, process.execPath, ...argv] : [process.execPath, ...argv]
  const child = spawn(command!, rest, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] })
  let all = ""
  let out = ""
  let err = ""
  let partial = ""
  let listening = false
  const onData = (b: Buffer, stream: "out" | "err") => {
    const text = b.toString("utf8")
    if (!listening || options.retainOutput !== false) {
      all += text
      if (stream === "out") out += text
      else err += text
    }
    if (options.onLine === undefined) return
    const lines = (partial + text).split("\n")
    partial = lines.pop() ?? ""
    for (const line of lines) options.onLine(line)
  }
  child.stdout!.on("data", (b: Buffer) => onData(b, "out"))
  child.stderr!.on("data", (b: Buffer) => onData(b, "err"))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal }))
  )
  let gone = false
  void exited.then(() => (gone = true))
  const until = Date.now() + (options.timeoutMs ?? scaled(15_000))
  let url: string | undefined
  while (url === undefined) {
    const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(all)
    if (m) {
      url = m[1]
      listening = true
    }    else if (gone || Date.now() > until) {
      child.kill("SIGKILL")
      throw new Error(`the gateway did not start:\n${all}`)
    } else await sleep(10)
  }
  return {
    child,
    url,
    port: Number(new URL(url).port),
    pid: child.pid!,
    output: () => all,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: async () => {
      child.kill("SIGKILL")
      await exited
    },
    stop: async () => {
      child.kill("SIGTERM")
      const guard = setTimeout(() => child.kill("SIGKILL"), scaled(15_000))
      try {
        return await exited
      } finally {
        clearTimeout(guard)
      }
    }
  }
}
