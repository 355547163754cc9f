// Hostile-provider benchmark (issue 12, §8.6): how quickly the built gateway answers `GET /health` while a provider
// streams 40 MB without a newline, and how much memory it takes while a provider answers 1 GB. See bench/README.md
// ("Hostile provider"). A measurement, not a test: test/gateway/hostile-provider.e2e.test.ts asserts the behaviour
// with generous bounds; this prints the figures.
//
//   node bench/hostile.mjs                   # alone: prints the figures, merges `hostile` into bench/results/latest.json
//   BENCH_HOSTILE_SECONDS=20 node bench/hostile.mjs   # longer /health sampling during the streams (default 12 s)
//   BENCH_HOSTILE_CPU_PROF=/tmp/prof node bench/hostile.mjs   # also write the gateway's V8 CPU profile there
//   (bench/run.mjs runs it after the gateway section; BENCH_HOSTILE=0 skips it)
//
// Three processes: the hostile provider (bench/hostile-provider.mjs), the gateway (`node dist/openclaw.cjs gateway`,
// with bench/loop-delay.cjs preloaded so it reports its own event-loop delay) and this one, the client. /health
// latency as a client sees it includes the machine's load (every figure is printed with the load average); the
// gateway's event-loop delay is what the gateway itself adds.
import { spawn } from "node:child_process"
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import http from "node:http"
import os from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { mergeSection } from "./results.mjs"

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..")
const BIN = process.env.BENCH_HOSTILE_BIN || join(ROOT, "dist", "openclaw.cjs")
const HOSTILE = join(ROOT, "bench", "hostile-provider.mjs")
const LOOP_DELAY = join(ROOT, "bench", "loop-delay.cjs")

const MB = 1024 * 1024
const STREAM_BYTES = 40 * MB
const HUGE_BYTES = 1024 * MB
/** Fake credentials only. */
const GATEWAY_TOKEN = "gw-FAKE-bench-token-" + "h".repeat(32)
const KEY = "sk-FAKEhostileBenchKey" + "0".repeat(32)
const STREAMING_MODEL = "anthropic/claude-opus-4-6"
const HUGE_MODEL = "openai/gpt-4o-mini"

const children = new Set()
const tempRoots = new Set()
process.on("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  for (const root of tempRoots) rmSync(root, { recursive: true, force: true })
})
const track = (child) => {
  children.add(child)
  child.on("exit", () => children.delete(child))
  return child
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// ---------- processes ----------

const startHostile = async () => {
  const child = track(spawn(process.execPath, [HOSTILE, "0"], { stdio: ["pipe", "pipe", "inherit"] }))
  const port = await new Promise((resolve, reject) => {
    let out = ""
    child.stdout.on("data", (b) => {
      out += b
      if (out.includes("\n")) resolve(JSON.parse(out.split("\n")[0]).port)
    })
    child.once("exit", (code) => reject(new Error(`the hostile provider exited (${code}) before listening`)))
  })
  return { child, port }
}

const writeState = (stateDir, hostilePort) => {
  const agentDir = join(stateDir, "agents", "main", "agent")
  mkdirSync(agentDir, { recursive: true, mode: 0o700 })
  const base = `http://127.0.0.1:${hostilePort}`
  const config = {
    agents: { defaults: { model: { primary: STREAMING_MODEL }, models: { [STREAMING_MODEL]: {}, [HUGE_MODEL]: {} } } },
    models: {
      providers: {
        anthropic: { baseUrl: `${base}/nonewline-${STREAM_BYTES}` },
        openai: { baseUrl: `${base}/huge-${HUGE_BYTES}` }
      }
    },
    gateway: { auth: { mode: "token", token: GATEWAY_TOKEN } }
  }
  const store = {
    version: 1,
    profiles: {
      "anthropic:bench": { type: "api_key", provider: "anthropic", key: KEY },
      "openai:bench": { type: "api_key", provider: "openai", key: KEY }
    }
  }
  writeFileSync(join(stateDir, "openclaw.json"), JSON.stringify(config, null, 2) + "\n", { mode: 0o600 })
  writeFileSync(join(agentDir, "auth-profiles.json"), JSON.stringify(store, null, 2) + "\n", { mode: 0o600 })
}

const startGateway = async (root, loopDelayFile) => {
  const home = join(root, "home")
  const stateDir = join(home, ".openclaw")
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })
  const hostile = await startHostile()
  writeState(stateDir, hostile.port)
  const logPath = join(root, "gateway.log")
  const logFd = openSync(logPath, "a")
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, OPENCLAW_STATE_DIR: stateDir, BENCH_LOOP_DELAY_FILE: loopDelayFile }
  const profDir = process.env.BENCH_HOSTILE_CPU_PROF
  const nodeArgs = ["--require", LOOP_DELAY, ...(profDir ? ["--cpu-prof", "--cpu-prof-dir", profDir] : [])]
  const child = track(spawn(process.execPath, [...nodeArgs, BIN, "gateway", "--port", "0"], { cwd: home, env, stdio: ["ignore", logFd, logFd] }))
  closeSync(logFd)
  const until = Date.now() + 20_000
  for (;;) {
    const log = readFileSync(logPath, "utf8")
    const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log)
    if (m) return { child, hostile, port: Number(m[1]), logPath }
    if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}) before listening:\n${log}`)
    if (Date.now() > until) throw new Error(`the gateway did not listen within 20 s:\n${log}`)
    await sleep(50)
  }
}

// ---------- measuring ----------

const send = (port, method, path, { body, headers = {}, timeoutMs = 120_000 } = {}) =>
  new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path, agent: false, headers: { authorization: `Bearer ${GATEWAY_TOKEN}`, "content-type": "application/json", ...headers } },
      (res) => {
        const chunks = []
        res.on("data", (c) => chunks.push(c))
        res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }))
        res.on("error", reject)
      }
    )
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on("error", reject)
    req.end(body)
  })

const chat = (port, stream, model) =>
  send(port, "POST", "/v1/chat/completions", {
    body: JSON.stringify({ model: "openclaw", stream, messages: [{ role: "user", content: "hi" }] }),
    headers: model === undefined ? {} : { "x-openclaw-model": model }
  })

const healthMs = async (port) => {
  const t = performance.now()
  const r = await send(port, "GET", "/health", { timeoutMs: 30_000 })
  if (r.status !== 200) throw new Error(`/health answered ${r.status}`)
  return performance.now() - t
}

/** Linear interpolation between closest ranks, as bench/run.mjs. */
const quantile = (sorted, q) => {
  const h = (sorted.length - 1) * q
  const lo = Math.floor(h)
  return sorted[lo] + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo])
}
const latency = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const r = (x) => Number(x.toFixed(1))
  return { samples: s.length, medianMs: r(quantile(s, 0.5)), p99Ms: r(quantile(s, 0.99)), maxMs: r(s.at(-1)) }
}

const status = (pid) => readFileSync(`/proc/${pid}/status`, "utf8")
const rssMb = (pid, field) => Number((Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status(pid))?.[1]) / 1024).toFixed(0))
const cpuMs = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(f[11]) + Number(f[12])) * 10
}

/** The gateway's event-loop delay since the last call (bench/loop-delay.cjs). */
const loopDelay = async (gateway, file) => {
  rmSync(file, { force: true })
  gateway.child.kill("SIGUSR2")
  for (let i = 0; i < 200; i++) {
    try {
      return JSON.parse(readFileSync(file, "utf8"))
    } catch {
      await sleep(10)
    }
  }
  throw new Error("the gateway did not report its event-loop delay")
}

const load = () => os.loadavg().map((x) => Number(x.toFixed(2)))

export const runHostileBench = async ({ seconds = Number(process.env.BENCH_HOSTILE_SECONDS || 12) } = {}) => {
  const root = mkdtempSync(join(os.tmpdir(), "openclaw-bench-hostile-"))
  tempRoots.add(root)
  const loopFile = join(root, "loop-delay.json")
  const gateway = await startGateway(root, loopFile)
  const pid = gateway.child.pid
  try {
    // Idle: warm the routes, then the floor.
    for (let i = 0; i < 20; i++) await healthMs(gateway.port)
    await loopDelay(gateway, loopFile)
    const idleSamples = []
    for (let i = 0; i < 100; i++) {
      idleSamples.push(await healthMs(gateway.port))
      await sleep(20)
    }
    const idle = { health: latency(idleSamples), eventLoop: await loopDelay(gateway, loopFile), loadAvg: load() }

    // 1 GB answers, before the streams raise the peak: one completion body, then one stream; peak RSS (VmHWM) before and after.
    const before = { rssMb: rssMb(pid, "VmRSS"), peakRssMb: rssMb(pid, "VmHWM") }
    const huge = await chat(gateway.port, false, HUGE_MODEL)
    const hugeStream = await chat(gateway.port, true, HUGE_MODEL)
    const after = { rssMb: rssMb(pid, "VmRSS"), peakRssMb: rssMb(pid, "VmHWM") }
    const gigabyte = {
      before,
      after,
      peakGrowthMb: after.peakRssMb - before.peakRssMb,
      answers: [huge.status, hugeStream.status],
      alive: gateway.child.exitCode === null && (await healthMs(gateway.port)) > 0,
      loadAvg: load()
    }

    // Two 40 MB streams without a newline at a time, one after another, for `seconds`, /health every 20 ms.
    const streamAnswers = []
    let streaming = true
    let bytesStreamed = 0
    const until = performance.now() + seconds * 1000
    const streams = Promise.all(
      [0, 1].map(async () => {
        while (performance.now() < until) {
          const a = await chat(gateway.port, true)
          streamAnswers.push(a.status === 200 && /"type":"format"/.test(a.body) ? "format" : `HTTP ${a.status}: ${a.body.slice(0, 200)}`)
          bytesStreamed += 32 * MB // the gateway reads up to the body cap, then fails the stream as format
        }
      })
    ).finally(() => (streaming = false))
    await loopDelay(gateway, loopFile) // from here on
    const cpu0 = cpuMs(pid)
    const t0 = performance.now()
    const streamSamples = []
    while (streaming) {
      streamSamples.push(await healthMs(gateway.port))
      await sleep(20)
    }
    await streams
    const elapsedS = (performance.now() - t0) / 1000
    const during = {
      health: latency(streamSamples),
      eventLoop: await loopDelay(gateway, loopFile),
      streams: streamAnswers.length,
      outcomes: [...new Set(streamAnswers)],
      gatewayCpuMsPerMB: Number(((cpuMs(pid) - cpu0) / (bytesStreamed / MB)).toFixed(2)),
      mbPerSecond: Number((bytesStreamed / MB / elapsedS).toFixed(1)),
      peakRssMb: rssMb(pid, "VmHWM"),
      loadAvg: load()
    }
    if (during.outcomes.some((o) => o !== "format")) throw new Error(`a 40 MB stream without a newline was answered with ${during.outcomes.join(", ")}`)

    const log = readFileSync(gateway.logPath, "utf8")
    if (/RangeError|Invalid string length|internal error/.test(log)) throw new Error(`the gateway logged a crash:\n${log.slice(-2000)}`)
    return {
      meta: { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, seconds },
      idle,
      during40MbNoNewline: during,
      oneGigabyte: gigabyte
    }
  } finally {
    gateway.child.kill("SIGTERM")
    gateway.hostile.child.kill("SIGTERM")
    await new Promise((resolve) => (gateway.child.exitCode !== null ? resolve() : gateway.child.once("exit", resolve)))
  }
}

export const formatHostile = (r) => {
  const h = (x) => `median ${x.medianMs} ms, p99 ${x.p99Ms} ms, max ${x.maxMs} ms (${x.samples} samples)`
  const loop = (e) => `event-loop delay in the gateway: max ${e.maxMs} ms, p99 ${e.p99Ms} ms`
  const d = r.during40MbNoNewline
  const g = r.oneGigabyte
  return [
    `hostile provider (${r.meta.cpus} × ${r.meta.cpuModel}, ${r.meta.node})`,
    `  /health idle                           : ${h(r.idle.health)}; ${loop(r.idle.eventLoop)}; load ${r.idle.loadAvg.join(" ")}`,
    `  /health during 40 MB no-newline streams: ${h(d.health)}; ${loop(d.eventLoop)}; load ${d.loadAvg.join(" ")}`,
    `    ${d.streams} streams (2 at a time, each failed as format at the 32 MiB cap), ${d.mbPerSecond} MB/s read, ${d.gatewayCpuMsPerMB} ms of gateway CPU per MB, peak RSS ${d.peakRssMb} MB`,
    `  1 GB answer (completion, then stream)  : peak RSS ${g.before.peakRssMb} → ${g.after.peakRssMb} MB (+${g.peakGrowthMb} MB), answers ${g.answers.join(", ")}, gateway ${g.alive ? "alive" : "DEAD"}; load ${g.loadAvg.join(" ")}`
  ].join("\n")
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130))
  try {
    const result = await runHostileBench()
    process.stdout.write(formatHostile(result) + "\n")
    const latest = mergeSection("hostile", result)
    process.stdout.write(`written: ${latest} (hostile section)\n`)
  } catch (e) {
    process.stderr.write(`bench hostile: ${e.message}\n`)
    process.exitCode = 1
  }
}
