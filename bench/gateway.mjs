// Gateway benchmark: requests per second and p50/p99 latency through the built gateway to a local fake provider
// versus straight to the same fake provider, both measured in the same run, at 1, 16 and 64 concurrent clients.
// See bench/README.md ("Gateway").
//
//   node bench/gateway.mjs                  # alone: prints the table, merges `gateway` into bench/results/latest.json
//   BENCH_GATEWAY_SECONDS=10 node bench/gateway.mjs
//   (bench/run.mjs runs it after the start-up cases and writes one combined latest.json)
//
// Three processes, so that nothing shares an event loop: the fake provider (bench/fake-provider.mjs), the gateway
// (`node dist/openclaw.cjs gateway --port 0` over a temporary state dir) and this process, the load generator
// (node:http, keep-alive agent with one socket per client). Every child is killed when this process exits, also
// on an error or a signal.
import { spawn } from "node:child_process"
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import http from "node:http"
import os from "node:os"
import { dirname, join, relative } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..")
const BIN = join(ROOT, "dist", "openclaw.cjs")
const FAKE = join(ROOT, "bench", "fake-provider.mjs")
const RESULTS_DIR = join(ROOT, "bench", "results")

export const GATEWAY_TARGETS = { addedP50Ms: 1, throughputRatio: 0.8 }

/** Fake credentials only. */
const GATEWAY_TOKEN = "gw-FAKE-bench-token-" + "b".repeat(32)
const PROVIDER_KEY = "sk-proj-FAKEbenchKey" + "0".repeat(32)

const intEnv = (name, fallback, min = 1) => {
  const raw = process.env[name]
  if (raw === undefined || raw === "") return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number ≥ ${min}, got ${JSON.stringify(raw)}`)
  return n
}

export const gatewayOptionsFromEnv = () => ({
  seconds: intEnv("BENCH_GATEWAY_SECONDS", 5, 0.5),
  repeats: Math.round(intEnv("BENCH_GATEWAY_REPEATS", 3)),
  warmupSeconds: intEnv("BENCH_GATEWAY_WARMUP", 3, 0),
  routes: process.env.BENCH_GATEWAY_ROUTES !== "0",
  clients: (process.env.BENCH_GATEWAY_CLIENTS ?? "1,16,64").split(",").map((s) => {
    const n = Number(s.trim())
    if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_GATEWAY_CLIENTS must be a comma-separated list of positive integers, got ${JSON.stringify(process.env.BENCH_GATEWAY_CLIENTS)}`)
    return n
  })
})

// ---------- child processes: always cleaned up ----------

const children = new Set()
const tempRoots = new Set()
const killAll = () => {
  for (const child of children) {
    try {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    } catch {
      // already gone
    }
  }
  children.clear()
}
process.on("exit", () => {
  killAll()
  for (const root of tempRoots) rmSync(root, { recursive: true, force: true })
})

const track = (child) => {
  children.add(child)
  child.on("exit", () => children.delete(child))
  return child
}

const exited = (child) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()))

/** SIGTERM, then SIGKILL if it has not gone within `graceMs`. */
const stop = async (child, graceMs = 10_000) => {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill("SIGTERM")
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
  await exited(child)
  clearTimeout(timer)
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// ---------- /proc: CPU and memory of a child (Linux; null elsewhere) ----------

const CLK_TCK = 100 // USER_HZ on Linux, whatever the kernel's HZ
const cpuMsOf = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK // utime + stime
  } catch {
    return null
  }
}
const memOf = (pid) => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN)
    return { rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024 }
  } catch {
    return null
  }
}

// ---------- statistics ----------

/** Linear interpolation between closest ranks, as bench/run.mjs. */
const quantile = (sorted, q) => {
  if (sorted.length === 0) return null
  if (sorted.length === 1) return sorted[0]
  const h = (sorted.length - 1) * q
  const lo = Math.floor(h)
  return sorted[lo] + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo])
}
const median = (xs) => quantile([...xs].sort((a, b) => a - b), 0.5)
const spread = (xs, digits = 3) => {
  const r = (x) => (x === null ? null : Number(x.toFixed(digits)))
  return { median: r(median(xs)), min: r(Math.min(...xs)), max: r(Math.max(...xs)), samples: xs.map(r) }
}

// ---------- the load generator ----------

/** One POST; resolves with the status (and the body only when it is not 200), rejects on a transport error. */
const post = (agent, target) =>
  new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: target.port, path: target.path, method: target.method ?? "POST", agent, headers: target.headers },
      (res) => {
        const keep = res.statusCode >= 300 || target.keepBody
        const chunks = []
        res.on("data", (c) => keep && chunks.push(c))
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: keep ? Buffer.concat(chunks).toString("utf8") : undefined }))
        res.on("error", reject)
      }
    )
    req.setTimeout(30_000, () => req.destroy(new Error("no answer within 30 s")))
    req.on("error", reject)
    req.end(target.body)
  })

/**
 * `concurrency` clients, each sending its next request as soon as the previous answer has been read, for `ms`.
 * Latency = from the request call to the end of the response body.
 */
const drive = async (agent, target, concurrency, ms, latencies, expected = 200) => {
  const until = performance.now() + ms
  const out = { ok: 0, bad: 0, errors: 0, firstProblem: undefined }
  const worker = async () => {
    while (performance.now() < until) {
      const t = performance.now()
      try {
        const r = await post(agent, target)
        if (r.status === expected) {
          out.ok++
          latencies?.push(performance.now() - t)
        } else {
          out.bad++
          out.firstProblem ??= `HTTP ${r.status}: ${String(r.body).slice(0, 300)}`
        }
      } catch (e) {
        out.errors++
        out.firstProblem ??= `transport error: ${e.message}`
      }
      if (out.bad + out.errors > 50) throw new Error(`${target.name}: too many failed requests (${out.bad} non-200, ${out.errors} transport errors); first: ${out.firstProblem}`)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return out
}

/** One measured trial: a fresh agent, a short untimed warm-up to open the connections, then `seconds` measured. */
const trial = async (target, concurrency, seconds, pids) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency })
  try {
    await drive(agent, target, concurrency, Math.min(1000, (seconds * 1000) / 5), null)
    const latencies = []
    const cpu0 = { gateway: cpuMsOf(pids.gateway), fake: cpuMsOf(pids.fake), client: process.cpuUsage() }
    const load = os.loadavg()[0]
    const t0 = performance.now()
    const counts = await drive(agent, target, concurrency, seconds * 1000, latencies)
    const elapsedMs = performance.now() - t0
    const clientCpu = process.cpuUsage(cpu0.client)
    const gatewayCpu = cpu0.gateway === null ? null : cpuMsOf(pids.gateway) - cpu0.gateway
    const fakeCpu = cpu0.fake === null ? null : cpuMsOf(pids.fake) - cpu0.fake
    latencies.sort((a, b) => a - b)
    const n = latencies.length
    const perRequestUs = (ms) => (ms === null || n === 0 ? null : Number(((ms * 1000) / n).toFixed(1)))
    return {
      target: target.name,
      clients: concurrency,
      requests: n,
      non200: counts.bad,
      transportErrors: counts.errors,
      firstProblem: counts.firstProblem ?? null,
      seconds: Number((elapsedMs / 1000).toFixed(3)),
      rps: Number((n / (elapsedMs / 1000)).toFixed(1)),
      latencyMs: {
        p50: Number(quantile(latencies, 0.5).toFixed(3)),
        p90: Number(quantile(latencies, 0.9).toFixed(3)),
        p99: Number(quantile(latencies, 0.99).toFixed(3)),
        max: Number(latencies[n - 1].toFixed(3)),
        mean: Number((latencies.reduce((a, b) => a + b, 0) / n).toFixed(3))
      },
      cpuUsPerRequest: {
        gateway: target.name === "gateway" ? perRequestUs(gatewayCpu) : null,
        fake: perRequestUs(fakeCpu),
        client: perRequestUs((clientCpu.user + clientCpu.system) / 1000)
      },
      loadAvg1: Number(load.toFixed(2))
    }
  } finally {
    agent.destroy()
  }
}

// ---------- setting up the fake provider and the gateway ----------

const startFake = async () => {
  const child = track(spawn(process.execPath, [FAKE, "0"], { stdio: ["pipe", "pipe", "pipe"] }))
  let out = ""
  let err = ""
  child.stderr.on("data", (b) => (err += b))
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the fake provider did not start within 10 s: ${err}`)), 10_000)
    child.stdout.on("data", (b) => {
      out += b
      const line = out.split("\n")[0]
      if (out.includes("\n")) {
        clearTimeout(timer)
        try {
          resolve(JSON.parse(line).port)
        } catch {
          reject(new Error(`the fake provider said ${JSON.stringify(line)}`))
        }
      }
    })
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`the fake provider exited (${signal ?? code}) before listening: ${err}`))
    })
  })
  return { child, port }
}

const writeState = (stateDir, fakePort) => {
  const agentDir = join(stateDir, "agents", "main", "agent")
  mkdirSync(agentDir, { recursive: true, mode: 0o700 })
  const config = {
    agents: { defaults: { model: { primary: "openai/gpt-4o-mini" } } },
    models: { providers: { openai: { baseUrl: `http://127.0.0.1:${fakePort}/v1` } } },
    gateway: { auth: { mode: "token", token: GATEWAY_TOKEN } }
  }
  const store = { version: 1, profiles: { "openai:bench": { type: "api_key", provider: "openai", key: PROVIDER_KEY } } }
  writeFileSync(join(stateDir, "openclaw.json"), JSON.stringify(config, null, 2) + "\n", { mode: 0o600 })
  writeFileSync(join(agentDir, "auth-profiles.json"), JSON.stringify(store, null, 2) + "\n", { mode: 0o600 })
}

const startGateway = async (home, stateDir, logPath) => {
  const logFd = openSync(logPath, "a")
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, OPENCLAW_STATE_DIR: stateDir }
  for (const k of ["LANG", "LC_ALL", "TZ", "TMPDIR"]) if (process.env[k] !== undefined) env[k] = process.env[k]
  // The access log goes to a file, not a pipe: the load generator must not spend its CPU reading it.
  const child = track(spawn(process.execPath, [BIN, "gateway", "--port", "0"], { cwd: home, env, stdio: ["ignore", logFd, logFd] }))
  closeSync(logFd)
  const until = Date.now() + 20_000
  for (;;) {
    const log = readFileSync(logPath, "utf8")
    const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log)
    if (m) return { child, port: Number(m[1]) }
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the gateway exited (${child.signalCode ?? child.exitCode}) before listening:\n${log}`)
    if (Date.now() > until) throw new Error(`the gateway did not listen within 20 s:\n${log}`)
    await sleep(50)
  }
}

const chatBody = (model) => Buffer.from(JSON.stringify({ model, messages: [{ role: "user", content: "ping" }], max_tokens: 16 }))

const targetOf = (name, port, model, bearer) => {
  const body = chatBody(model)
  return {
    name,
    port,
    path: "/v1/chat/completions",
    body,
    headers: { "content-type": "application/json", "content-length": String(body.length), authorization: `Bearer ${bearer}` }
  }
}

// ---------- the benchmark ----------

/**
 * Runs the whole gateway benchmark and returns a JSON-able result. Throws when the setup fails or the gateway
 * answers wrongly (a measurement of an error path is worthless); children are stopped either way.
 */
export const runGatewayBench = async (options = gatewayOptionsFromEnv(), progress = () => {}) => {
  if (!existsSync(BIN)) throw new Error(`${relative(process.cwd(), BIN)} is missing; run \`npm run build\` first`)
  const root = mkdtempSync(join(os.tmpdir(), "openclaw-bench-gateway-"))
  tempRoots.add(root)
  const home = join(root, "home")
  const stateDir = join(home, ".openclaw")
  const logPath = join(root, "gateway.log")
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })
  let fake
  let gateway
  const loadSamples = [os.loadavg()[0]]
  const started = Date.now()
  try {
    fake = await startFake()
    writeState(stateDir, fake.port)
    gateway = await startGateway(home, stateDir, logPath)
    const pids = { gateway: gateway.child.pid, fake: fake.child.pid }
    const direct = targetOf("direct", fake.port, "gpt-4o-mini", PROVIDER_KEY)
    const via = targetOf("gateway", gateway.port, "openclaw", GATEWAY_TOKEN)

    // Sanity (untimed): the gateway answers with what the fake said, through the configured profile.
    const agent = new http.Agent({ keepAlive: true })
    const check = async (t) => {
      const r = await post(agent, { ...t, keepBody: true })
      const content = r.status === 200 ? JSON.parse(r.body).choices?.[0]?.message?.content : undefined
      if (content !== "pong") throw new Error(`${t.name}: expected a 200 answer "pong", got HTTP ${r.status}: ${String(r.body).slice(0, 500)}`)
      return r
    }
    await check(direct)
    const viaAnswer = await check(via)
    agent.destroy()
    if (viaAnswer.headers["x-openclaw-profile"] !== "openai:bench") {
      throw new Error(`the gateway served from ${viaAnswer.headers["x-openclaw-profile"]}, expected the fixture's openai:bench`)
    }

    // Warm-up: JIT in all three processes, connection pools, the gateway's first snapshot.
    if (options.warmupSeconds > 0) {
      progress(`warm-up ${options.warmupSeconds} s`)
      const maxClients = Math.max(...options.clients)
      for (const t of [via, direct]) {
        const a = new http.Agent({ keepAlive: true, maxSockets: maxClients })
        await drive(a, t, maxClients, (options.warmupSeconds * 1000) / 2, null)
        a.destroy()
      }
    }

    // Interleaved: every repeat runs every client count on both paths, the path that goes first alternating.
    const trials = []
    let k = 0
    const total = options.repeats * options.clients.length * 2
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      for (const [ci, clients] of options.clients.entries()) {
        const order = (repeat + ci) % 2 === 0 ? [direct, via] : [via, direct]
        for (const t of order) {
          progress(`trial ${++k}/${total}: ${t.name}, ${clients} client${clients === 1 ? "" : "s"}`)
          const r = await trial(t, clients, options.seconds, pids)
          if (r.non200 + r.transportErrors > 0) throw new Error(`${t.name} with ${clients} clients: ${r.non200} non-200 answers, ${r.transportErrors} transport errors; first: ${r.firstProblem}`)
          if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) throw new Error(`the gateway exited during the run:\n${readFileSync(logPath, "utf8").slice(-4000)}`)
          trials.push({ repeat, ...r })
          loadSamples.push(r.loadAvg1)
        }
      }
    }
    // Where the gateway's CPU goes: the same process on cheaper routes (4 clients, 2 s each, after the trials).
    const routes = []
    if (options.routes !== false) {
      const invalid = Buffer.from(JSON.stringify({ model: "openclaw", messages: [] }))
      const get = (name, path) => ({ ...via, name, path, method: "GET", body: undefined, headers: { authorization: via.headers.authorization } })
      const cases = [
        [get("GET /health", "/health"), 200, "HTTP server, access log; no token check"],
        [get("GET /v1/models", "/v1/models"), 200, "+ token check, JSON answer"],
        [{ ...via, name: "POST invalid chat (400)", body: invalid, headers: { ...via.headers, "content-length": String(invalid.length) } }, 400, "+ body read, JSON parse, request decode"],
        [{ ...via, name: "POST chat (provider)" }, 200, "+ session, failover, provider call, answer"]
      ]
      for (const [target, expected, adds] of cases) {
        progress(`route: ${target.name}`)
        const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
        try {
          const first = await post(agent, { ...target, keepBody: true })
          if (first.status !== expected) throw new Error(`${target.name}: expected HTTP ${expected}, got ${first.status}: ${String(first.body).slice(0, 300)}`)
          await drive(agent, target, 4, 1000, null, expected)
          const cpu0 = cpuMsOf(pids.gateway)
          const latencies = []
          const t0 = performance.now()
          await drive(agent, target, 4, 2000, latencies, expected)
          const seconds = (performance.now() - t0) / 1000
          const cpu = cpu0 === null ? null : cpuMsOf(pids.gateway) - cpu0
          routes.push({
            route: target.name,
            adds,
            rps: Math.round(latencies.length / seconds),
            gatewayCpuUsPerRequest: cpu === null ? null : Math.round((cpu * 1000) / latencies.length)
          })
        } finally {
          agent.destroy()
        }
      }
    }
    const gatewayMemory = memOf(gateway.child.pid)
    const fakeStats = await new Promise((resolve) =>
      http.get({ host: "127.0.0.1", port: fake.port, path: "/stats" }, (res) => {
        let s = ""
        res.on("data", (b) => (s += b))
        res.on("end", () => resolve(JSON.parse(s)))
      }).on("error", () => resolve(null))
    )

    // Summaries per client count: median and min–max over the repeats; differences are taken within a repeat.
    const summary = options.clients.map((clients) => {
      const of = (name) => trials.filter((t) => t.clients === clients && t.target === name).sort((a, b) => a.repeat - b.repeat)
      const d = of("direct")
      const g = of("gateway")
      const side = (ts) => ({
        rps: spread(ts.map((t) => t.rps), 1),
        p50Ms: spread(ts.map((t) => t.latencyMs.p50)),
        p99Ms: spread(ts.map((t) => t.latencyMs.p99)),
        requests: ts.reduce((n, t) => n + t.requests, 0),
        gatewayCpuUsPerRequest: ts[0]?.cpuUsPerRequest.gateway === null ? null : spread(ts.map((t) => t.cpuUsPerRequest.gateway), 1),
        fakeCpuUsPerRequest: ts[0]?.cpuUsPerRequest.fake === null ? null : spread(ts.map((t) => t.cpuUsPerRequest.fake), 1),
        clientCpuUsPerRequest: spread(ts.map((t) => t.cpuUsPerRequest.client), 1)
      })
      const addedP50Ms = spread(g.map((t, i) => t.latencyMs.p50 - d[i].latencyMs.p50))
      const addedP99Ms = spread(g.map((t, i) => t.latencyMs.p99 - d[i].latencyMs.p99))
      const throughputRatio = spread(g.map((t, i) => t.rps / d[i].rps))
      const latencyVerdict = addedP50Ms.median < GATEWAY_TARGETS.addedP50Ms ? "PASS" : "MISS"
      const throughputVerdict = throughputRatio.median >= GATEWAY_TARGETS.throughputRatio ? "PASS" : "MISS"
      return { clients, direct: side(d), gateway: side(g), addedP50Ms, addedP99Ms, throughputRatio, verdict: { latency: latencyVerdict, throughput: throughputVerdict } }
    })

    return {
      meta: {
        date: new Date(started).toISOString(),
        secondsPerTrial: options.seconds,
        repeats: options.repeats,
        clients: options.clients,
        warmupSeconds: options.warmupSeconds,
        method:
          "interleaved: each repeat runs every client count on both paths, alternating which path goes first; " +
          "each trial has a fresh keep-alive agent (one socket per client) and an untimed warm-up of min(1 s, trial/5)",
        processes: "load generator (this process, node:http), gateway (node dist/openclaw.cjs gateway), fake provider (bench/fake-provider.mjs): three processes",
        request: "POST /v1/chat/completions, non-streaming, ~90-byte JSON body; the fake answers a ~300-byte chat.completion at once",
        latency: "ms from the request call to the end of the response body, in the load generator",
        cpu: "user+system CPU of each process during the measured seconds, divided by the requests served (µs per request; /proc, 10 ms resolution)",
        targets: GATEWAY_TARGETS,
        nproc: typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length,
        loadAvg1: { min: Math.min(...loadSamples), max: Math.max(...loadSamples), samples: loadSamples.map((x) => Number(x.toFixed(2))) },
        loadAvgAfter: os.loadavg().map((x) => Number(x.toFixed(2))),
        gatewayMemoryMb: gatewayMemory && { rss: Number(gatewayMemory.rssMb.toFixed(1)), peakRss: Number(gatewayMemory.peakRssMb.toFixed(1)) },
        // Requests the fake answered and TCP connections it accepted (keep-alive: far fewer connections than requests).
        fakeProvider: fakeStats,
        totalSeconds: Number(((Date.now() - started) / 1000).toFixed(1))
      },
      summary,
      routes,
      trials,
      verdict: summary.every((s) => s.verdict.latency === "PASS" && s.verdict.throughput === "PASS") ? "PASS" : "MISS"
    }
  } catch (e) {
    if (existsSync(logPath)) e.message += `\n--- gateway log (last 3000 chars) ---\n${readFileSync(logPath, "utf8").slice(-3000)}`
    throw e
  } finally {
    if (gateway) await stop(gateway.child)
    if (fake) {
      fake.child.stdin.end()
      await stop(fake.child, 2_000)
    }
    killAll()
    rmSync(root, { recursive: true, force: true })
    tempRoots.delete(root)
  }
}

// ---------- report ----------

const pad = (s, n, left = false) => (left ? String(s).padEnd(n) : String(s).padStart(n))
const range = (s, digits) => `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}–${s.max.toFixed(digits)}]`

export const formatGateway = (result) => {
  const m = result.meta
  const out = []
  out.push(
    `openclaw gateway vs direct — ${m.date.slice(0, 19).replace("T", " ")}Z, ${m.secondsPerTrial} s per trial, ${m.repeats} repeats ` +
      `(median [min–max]), keep-alive, 127.0.0.1, nproc ${m.nproc}`
  )
  out.push("")
  const header = [pad("clients", 7), pad("path", 8, true), pad("rps", 24), pad("p50 ms", 22), pad("p99 ms", 22), pad("gw CPU µs/req", 14)].join("  ")
  out.push(header)
  out.push("-".repeat(header.length))
  for (const s of result.summary) {
    for (const [name, side] of [["direct", s.direct], ["gateway", s.gateway]]) {
      out.push(
        [
          pad(s.clients, 7),
          pad(name, 8, true),
          pad(range(side.rps, 0), 24),
          pad(range(side.p50Ms, 3), 22),
          pad(range(side.p99Ms, 3), 22),
          pad(side.gatewayCpuUsPerRequest ? side.gatewayCpuUsPerRequest.median.toFixed(0) : "", 14)
        ].join("  ")
      )
    }
    out.push(
      `${pad("", 7)}  added p50 ${range(s.addedP50Ms, 3)} ms (target < ${GATEWAY_TARGETS.addedP50Ms} ms) ${s.verdict.latency}; ` +
        `throughput ${range({ median: s.throughputRatio.median * 100, min: s.throughputRatio.min * 100, max: s.throughputRatio.max * 100 }, 0)} % of direct ` +
        `(target ≥ ${GATEWAY_TARGETS.throughputRatio * 100} %) ${s.verdict.throughput}; added p99 ${range(s.addedP99Ms, 3)} ms`
    )
  }
  if (result.routes?.length > 0) {
    out.push("")
    out.push("gateway CPU per request by route (4 clients, 2 s each, after the trials):")
    for (const r of result.routes) {
      out.push(`  ${r.route.padEnd(26)} ${String(r.rps).padStart(6)} rps ${String(r.gatewayCpuUsPerRequest ?? "?").padStart(7)} µs CPU/req   ${r.adds}`)
    }
  }
  out.push("")
  out.push("added p50 = gateway p50 − direct p50 and throughput = gateway rps / direct rps, each within one repeat, then median [min–max] over repeats.")
  out.push("gw CPU µs/req = the gateway process's user+system CPU per request: it moves far less than wall figures when the VM is busy.")
  out.push(
    `gateway memory after the run: RSS ${m.gatewayMemoryMb?.rss ?? "?"} MB, peak ${m.gatewayMemoryMb?.peakRss ?? "?"} MB; ` +
      `fake provider: ${m.fakeProvider?.served ?? "?"} requests over ${m.fakeProvider?.connections ?? "?"} connections; ` +
      `1-min load during the run ${m.loadAvg1.min.toFixed(2)}–${m.loadAvg1.max.toFixed(2)} on ${m.nproc} CPUs; ${m.totalSeconds} s in all`
  )
  if (m.loadAvg1.max > m.nproc / 2) out.push(`WARNING: the machine was busy (1-min load up to ${m.loadAvg1.max.toFixed(2)} on ${m.nproc} CPUs); the three processes competed with others for the CPUs.`)
  out.push(`verdict: ${result.verdict} (MISS is reported, not fatal)`)
  return out.join("\n")
}

// ---------- alone: print and merge into latest.json ----------

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130))
  try {
    const progress = process.stderr.isTTY ? (s) => process.stderr.write(`\r  ${s}`.padEnd(60)) : () => {}
    const result = await runGatewayBench(gatewayOptionsFromEnv(), progress)
    if (process.stderr.isTTY) process.stderr.write("\r" + " ".repeat(60) + "\r")
    process.stdout.write(formatGateway(result) + "\n")
    mkdirSync(RESULTS_DIR, { recursive: true })
    const latest = join(RESULTS_DIR, "latest.json")
    let combined = {}
    try {
      combined = JSON.parse(readFileSync(latest, "utf8"))
    } catch {
      // no earlier results: the file holds the gateway section only
    }
    combined.gateway = result
    const json = JSON.stringify(combined, null, 2) + "\n"
    writeFileSync(latest, json)
    writeFileSync(join(RESULTS_DIR, `gateway-${result.meta.date.replace(/[:.]/g, "-")}.json`), JSON.stringify({ gateway: result }, null, 2) + "\n")
    process.stdout.write(`written: ${relative(process.cwd(), latest)} (gateway section)\n`)
  } catch (e) {
    process.stderr.write(`bench gateway: ${e.message}\n`)
    process.exitCode = 1
  }
}
