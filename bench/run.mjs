// Start-up benchmark for the built CLI: cold processes of `node dist/openclaw.cjs models status …` against
// generated stores, interleaved with `node -e 0` as the floor, and `models auth list --json` / `models status` on a
// 20,000-profile store (BENCH_SCALE_RUNS, default 10; 0 skips them); then in-process resolution throughput
// (bench/resolution.ts), the gateway against a fake provider (bench/gateway.mjs) and against a hostile one
// (bench/hostile.mjs). See bench/README.md.
//
//   BENCH_GATEWAY=0 / BENCH_RESOLUTION=0 / BENCH_HOSTILE=0 skip those sections; BENCH_GATEWAY_SECONDS=10 lengthens each gateway trial.
//   npm run bench                 # builds, then runs this
//   BENCH_RUNS=60 node bench/run.mjs
//
// Exits 0 whatever the figures are (it is a measurement); exits 1 only when the command itself misbehaves
// (exit code other than 0/1/2, output on stderr, a store the CLI did not read) or the setup is broken.
import { spawnSync, execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, accessSync, constants } from "node:fs"
import os from "node:os"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { makeFixtureHome, writeLargeStore, writeScaleStore, writeSmallStore } from "./fixtures.mjs"
import { LATEST, RESULTS_DIR } from "./results.mjs"

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..")
const BIN = join(ROOT, "dist", "openclaw.cjs")
const BARE_LIST = join(ROOT, "bench", "bare-list.cjs")
const CODE_CACHE = join(ROOT, "dist", `.openclaw-main.${process.versions.v8}.cache`)
const GNU_TIME = process.env.BENCH_GNU_TIME || "/usr/bin/time"
// Peak RSS (KiB), user and system CPU seconds (GNU time prints them to 10 ms).
const TIME_FORMAT = "%M %U %S"
const TIME_LINE = /^(\d+) (\d+\.\d+) (\d+\.\d+)$/

const WARMUP = 2
const RUNS = (() => {
  const raw = process.env.BENCH_RUNS
  if (raw === undefined || raw === "") return 30
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) fail(`BENCH_RUNS must be a positive integer, got ${JSON.stringify(raw)}`)
  return n
})()
const KEEP_FIXTURES = process.env.BENCH_KEEP_FIXTURES === "1"
// The 20,000-profile cases take ~1 s each (35 s before issue 12): measured in the first rounds only.
const SCALE_RUNS = (() => {
  const raw = process.env.BENCH_SCALE_RUNS
  if (raw === undefined || raw === "") return Math.min(RUNS, 10)
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0) fail(`BENCH_SCALE_RUNS must be a non-negative integer, got ${JSON.stringify(raw)}`)
  return Math.min(RUNS, n)
})()

const TARGETS = {
  small: { medianMs: 150, peakRssMb: 80 },
  large: { medianMs: 300 },
  scale: { medianMs: 600 }
}
/** Issue 16: a cold `models status --check` (the small store) within 3× `node -e 0`, medians of the same rounds. */
const COLD_START_RATIO_TARGET = 3

function fail(message) {
  process.stderr.write(`bench: ${message}\n`)
  process.exit(1)
}

// ---------- setup ----------

if (!existsSync(BIN)) fail(`${relative(process.cwd(), BIN)} is missing; run \`npm run bench\` (it builds first)`)

/** dist/ as it was when we started; another build (or `npm test`, which rebuilds) mid-run spoils the figures. */
const distStamp = () => {
  try {
    const s = statSync(join(ROOT, "dist", "openclaw-main.cjs"))
    return `${s.size}:${s.mtimeMs}`
  } catch {
    return "missing"
  }
}
const DIST_AT_START = distStamp()
const distChanged = () => distStamp() !== DIST_AT_START

/** The launcher's V8 code cache: written only when missing or rejected. */
const cacheStat = () => {
  try {
    const s = statSync(CODE_CACHE)
    return { bytes: s.size, mtimeMs: s.mtimeMs }
  } catch {
    return null
  }
}
const cacheBefore = cacheStat()

const rssSource = (() => {
  try {
    accessSync(GNU_TIME, constants.X_OK)
    const probeOut = join(os.tmpdir(), `openclaw-bench-time-probe-${process.pid}`)
    const r = spawnSync(GNU_TIME, ["-f", TIME_FORMAT, "-o", probeOut, process.execPath, "-e", "0"], { stdio: "ignore" })
    const ok = r.status === 0 && TIME_LINE.test(readFileSync(probeOut, "utf8").trim().split("\n").pop())
    rmSync(probeOut, { force: true })
    return ok ? "gnu-time" : null
  } catch {
    return null
  }
})()

const now = Date.now()
const small = makeFixtureHome("small")
const smallInfo = writeSmallStore(small.stateDir, now)
const large = makeFixtureHome("large")
const largeInfo = writeLargeStore(large.stateDir, now)
const scale = makeFixtureHome("scale")
const scaleInfo = writeScaleStore(scale.stateDir, now)
const storeName = (fx) => (fx === small ? "small" : fx === large ? "large" : "scale")

const timeOut = join(os.tmpdir(), `openclaw-bench-rss-${process.pid}`)

const cleanup = () => {
  rmSync(timeOut, { force: true })
  if (KEEP_FIXTURES) return
  rmSync(small.root, { recursive: true, force: true })
  rmSync(large.root, { recursive: true, force: true })
  rmSync(scale.root, { recursive: true, force: true })
}
process.on("exit", cleanup)
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130))

/**
 * A clean environment, as `env -i PATH=… HOME=…` (issue 16): nothing of the parent's ANTHROPIC_*, OPENAI_*,
 * OPENCLAW_*, other provider keys, NODE_OPTIONS, npm_*, locale or TZ reaches the child. The fixture's state dir is
 * HOME/.openclaw, the default, so no OPENCLAW_STATE_DIR is needed (the sanity runs check the CLI read it).
 */
const cleanEnv = (fx) => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: fx.home })

const CASES = [
  { id: "floor", label: "node -e 0 (floor)", args: ["-e", "0"], fx: small, target: null },
  { id: "small-check", label: "small: status --check", args: [BIN, "models", "status", "--check"], fx: small, target: "small" },
  { id: "large-check", label: "large: status --check", args: [BIN, "models", "status", "--check"], fx: large, target: "large" },
  {
    id: "large-check-a9",
    label: "large: status --check --agent a9",
    args: [BIN, "models", "status", "--check", "--agent", "a9"],
    fx: large,
    target: "large"
  },
  { id: "large-json", label: "large: status --json", args: [BIN, "models", "status", "--json"], fx: large, target: "large" },
  ...(SCALE_RUNS === 0
    ? []
    : [
        { id: "scale-list-json", label: "20k: auth list --json", args: [BIN, "models", "auth", "list", "--json"], fx: scale, target: "scale", runs: SCALE_RUNS },
        // Not a target: the same answer from a bare Node script without the CLI's checks (bench/bare-list.cjs).
        { id: "scale-list-bare", label: "20k: bare node list (reference)", args: [BARE_LIST], fx: scale, target: null, runs: SCALE_RUNS },
        { id: "scale-json", label: "20k: status --json", args: [BIN, "models", "status", "--json"], fx: scale, target: "scale", runs: SCALE_RUNS },
        { id: "scale-text", label: "20k: status", args: [BIN, "models", "status"], fx: scale, target: "scale", runs: SCALE_RUNS }
      ])
]

/** One cold process. Wall time is taken around the spawn, so it includes the fork/exec of `time` — as does the floor. */
const runOnce = (c) => {
  const argv = rssSource ? [GNU_TIME, ["-f", TIME_FORMAT, "-o", timeOut, process.execPath, ...c.args]] : [process.execPath, c.args]
  const start = process.hrtime.bigint()
  const r = spawnSync(argv[0], argv[1], {
    cwd: c.fx.home,
    env: cleanEnv(c.fx),
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024
  })
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6
  if (r.error) fail(`${c.label}: could not spawn: ${r.error.message}`)
  let rssKb = null
  let cpuMs = null
  if (rssSource) {
    const lines = readFileSync(timeOut, "utf8").trim().split("\n")
    const m = TIME_LINE.exec(lines[lines.length - 1])
    if (m) {
      rssKb = Number(m[1])
      cpuMs = (Number(m[2]) + Number(m[3])) * 1000
    }
    if (lines.some((l) => l.startsWith("Command terminated by signal"))) r.signal = r.signal ?? lines[0]
  }
  return { wallMs, rssKb, cpuMs, status: r.status, signal: r.signal, stdout: r.stdout.toString("utf8"), stderr: r.stderr.toString("utf8") }
}

const assertHealthy = (c, r) => {
  const expected = c.id === "floor" ? [0] : [0, 1, 2]
  if (r.signal || !expected.includes(r.status) || r.stderr !== "") {
    const why = r.signal ? `was killed (${r.signal})` : !expected.includes(r.status) ? `exited ${r.status}` : "wrote to stderr"
    process.stderr.write(
      `bench: ${c.label} ${why}\n  command: node ${c.args.map((a) => (a === BIN ? relative(ROOT, BIN) : a)).join(" ")}\n` +
        `  HOME=${c.fx.home}\n--- stderr ---\n${r.stderr}--- stdout (first 2000 chars) ---\n${r.stdout.slice(0, 2000)}\n`
    )
    if (distChanged()) process.stderr.write("  note: dist/ was rebuilt while the benchmark ran (another build or `npm test`?); rerun when it is quiet\n")
    KEEP_FIXTURES || process.stderr.write("  (set BENCH_KEEP_FIXTURES=1 to keep the fixture dirs)\n")
    process.exit(1)
  }
}

// ---------- sanity: the CLI really reads the fixtures (not timed) ----------

const sanity = (fx, extra, expect) => {
  const c = { id: "sanity", label: `sanity: status --json ${extra.join(" ")}`.trim(), args: [BIN, "models", "status", "--json", ...extra], fx }
  const r = runOnce(c)
  assertHealthy(c, r)
  let report
  try {
    report = JSON.parse(r.stdout)
  } catch (e) {
    fail(`${c.label}: stdout is not JSON (${e.message})`)
  }
  const count = (report.auth?.providers ?? []).reduce((n, p) => n + (p.profiles?.count ?? 0), 0)
  const problems = []
  if (report.agentId !== expect.agentId) problems.push(`agentId ${report.agentId}, expected ${expect.agentId}`)
  if (count !== expect.profiles) problems.push(`${count} profiles counted over providers, expected ${expect.profiles}`)
  if (!String(report.auth?.storePath ?? "").startsWith(fx.stateDir)) problems.push(`store ${report.auth?.storePath} is outside the fixture`)
  if (/FAKE[0-9a-f]{8}/.test(r.stdout)) problems.push("a fake secret appears unmasked in --json")
  if (problems.length > 0) fail(`${c.label}: the CLI did not read the fixture as generated: ${problems.join("; ")}`)
  return { agentId: report.agentId, profiles: count, providers: report.auth.providers.length }
}

/** `auth list --json` on the scale store lists every profile, masked. */
const sanityList = (fx, expect) => {
  const c = { id: "sanity", label: "sanity: auth list --json", args: [BIN, "models", "auth", "list", "--json"], fx }
  const r = runOnce(c)
  assertHealthy(c, r)
  let list
  try {
    list = JSON.parse(r.stdout)
  } catch (e) {
    fail(`${c.label}: stdout is not JSON (${e.message})`)
  }
  if (list.profiles?.length !== expect.profiles) fail(`${c.label}: ${list.profiles?.length} profiles listed, expected ${expect.profiles}`)
  if (/FAKE[0-9a-f]{8}/.test(r.stdout)) fail(`${c.label}: a fake secret appears unmasked`)
  return { profiles: list.profiles.length }
}

const sanityChecks = {
  small: sanity(small, [], { agentId: "main", profiles: smallInfo.profiles }),
  largeMain: sanity(large, [], { agentId: "main", profiles: largeInfo.profiles / largeInfo.agents.length }),
  largeA9: sanity(large, ["--agent", "a9"], { agentId: "a9", profiles: largeInfo.profiles / largeInfo.agents.length }),
  ...(SCALE_RUNS === 0
    ? {}
    : { scale: sanity(scale, [], { agentId: "main", profiles: scaleInfo.profiles }), scaleList: sanityList(scale, { profiles: scaleInfo.profiles }) })
}

// ---------- measure: warm-up rounds, then interleaved rounds with a rotating start ----------

const loadBefore = os.loadavg()
const t0 = process.hrtime.bigint()

const samples = new Map(CASES.map((c) => [c.id, { wallMs: [], rssKb: [], cpuMs: [], exitCodes: new Set() }]))
const totalRounds = WARMUP + RUNS
let cacheAfterWarmup = null
for (let round = 0; round < totalRounds; round++) {
  if (round === WARMUP) cacheAfterWarmup = cacheStat()
  for (let k = 0; k < CASES.length; k++) {
    const c = CASES[(round + k) % CASES.length]
    if (round >= WARMUP && c.runs !== undefined && samples.get(c.id).wallMs.length >= c.runs) continue
    const r = runOnce(c)
    assertHealthy(c, r)
    if (round < WARMUP) continue
    const s = samples.get(c.id)
    s.wallMs.push(r.wallMs)
    if (r.rssKb !== null) s.rssKb.push(r.rssKb)
    if (r.cpuMs !== null) s.cpuMs.push(r.cpuMs)
    s.exitCodes.add(r.status)
  }
  if (process.stderr.isTTY) process.stderr.write(`\r  round ${round + 1}/${totalRounds}${round < WARMUP ? " (warm-up)" : ""}   `)
}
if (process.stderr.isTTY) process.stderr.write("\r" + " ".repeat(40) + "\r")
const totalSeconds = Number(process.hrtime.bigint() - t0) / 1e9
const cacheAfter = cacheStat()

// ---------- statistics ----------

/** Linear interpolation between closest ranks (R-7, as spreadsheets do). */
const quantile = (sorted, q) => {
  if (sorted.length === 1) return sorted[0]
  const h = (sorted.length - 1) * q
  const lo = Math.floor(h)
  return sorted[lo] + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo])
}
const summarize = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return { median: quantile(s, 0.5), p10: quantile(s, 0.1), p90: quantile(s, 0.9), min: s[0], max: s[s.length - 1] }
}
const round1 = (x) => (x === null || x === undefined ? null : Math.round(x * 10) / 10)
const mb = (kb) => kb / 1024

const floorMedian = summarize(samples.get("floor").wallMs).median
const results = CASES.map((c) => {
  const s = samples.get(c.id)
  const wall = summarize(s.wallMs)
  const rss = s.rssKb.length > 0 ? summarize(s.rssKb.map(mb)) : null
  const cpuMean = s.cpuMs.length > 0 ? s.cpuMs.reduce((a, b) => a + b, 0) / s.cpuMs.length : null
  const target = c.target ? TARGETS[c.target] : null
  const checks = []
  if (target?.medianMs !== undefined) checks.push(wall.median <= target.medianMs)
  if (target?.peakRssMb !== undefined && rss) checks.push(rss.max <= target.peakRssMb)
  const verdict = target === null ? null : checks.every(Boolean) ? "PASS" : "MISS"
  return {
    id: c.id,
    label: c.label,
    command: c.id === "floor" ? "node -e 0" : c.args[0] === BIN ? `node dist/openclaw.cjs ${c.args.slice(1).join(" ")}` : `node ${relative(ROOT, c.args[0])}`,
    store: c.id === "floor" ? null : storeName(c.fx),
    exitCodes: [...s.exitCodes].sort(),
    wallMs: Object.fromEntries(Object.entries(wall).map(([k, v]) => [k, round1(v)])),
    overFloorMs: c.id === "floor" ? null : round1(wall.median - floorMedian),
    peakRssMb: rss ? { median: round1(rss.median), max: round1(rss.max) } : null,
    cpuMsMean: round1(cpuMean),
    target: target
      ? { medianMs: target.medianMs, ...(target.peakRssMb !== undefined ? { peakRssMb: target.peakRssMb } : {}), peakRssChecked: rssSource !== null }
      : null,
    verdict,
    samples: { wallMs: s.wallMs.map(round1), rssKb: s.rssKb, cpuMs: s.cpuMs.map(round1) }
  }
})

// Issue 16: the CLI's cold start against Node's own, both measured in the same interleaved rounds.
const coldStart = (() => {
  const floor = results.find((r) => r.id === "floor")
  const cli = results.find((r) => r.id === "small-check")
  const ratio = cli.wallMs.median / floor.wallMs.median
  return {
    command: cli.command,
    store: "small",
    env: "PATH and HOME only (env -i PATH=… HOME=…)",
    floor: floor.command,
    medianMs: cli.wallMs.median,
    floorMedianMs: floor.wallMs.median,
    ratio: Math.round(ratio * 100) / 100,
    cpuRatio: cli.cpuMsMean !== null && floor.cpuMsMean ? Math.round((cli.cpuMsMean / floor.cpuMsMean) * 100) / 100 : null,
    target: { maxRatio: COLD_START_RATIO_TARGET },
    verdict: ratio <= COLD_START_RATIO_TARGET ? "PASS" : "MISS"
  }
})()

// The 20,000-profile list against the bare script that gives the same answer without the CLI's work (issue 12).
const scaleListVsBare = (() => {
  const cli = results.find((r) => r.id === "scale-list-json")
  const bare = results.find((r) => r.id === "scale-list-bare")
  if (cli === undefined || bare === undefined) return null
  return {
    cliMedianMs: cli.wallMs.median,
    bareMedianMs: bare.wallMs.median,
    overBareMs: round1(cli.wallMs.median - bare.wallMs.median),
    ratio: Math.round((cli.wallMs.median / bare.wallMs.median) * 100) / 100,
    targetMs: TARGETS.scale.medianMs,
    targetOverBareMs: round1(TARGETS.scale.medianMs - bare.wallMs.median)
  }
})()

// ---------- report ----------

const git = (...args) => {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
  } catch {
    return null
  }
}
const fileBytes = (p) => {
  try {
    return statSync(p).size
  } catch {
    return null
  }
}
// The launcher writes the cache only when it is missing or V8 rejected it: any change after the warm-up means
// measured runs paid for a full compile.
const cacheRewritten = cacheAfter === null || cacheAfterWarmup === null || cacheAfter.mtimeMs !== cacheAfterWarmup.mtimeMs
const cpus = os.cpus()
const meta = {
  date: new Date().toISOString(),
  node: process.version,
  v8: process.versions.v8,
  platform: `${process.platform} ${os.release()} ${process.arch}`,
  nproc: typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus.length,
  cpuModel: cpus[0]?.model ?? null,
  loadAvgBefore: loadBefore.map(round1),
  loadAvgAfter: os.loadavg().map(round1),
  git: { commit: git("rev-parse", "--short", "HEAD"), dirty: (git("status", "--porcelain", "--", "src", "scripts") ?? "") !== "" },
  runs: RUNS,
  warmup: WARMUP,
  order: "interleaved: every round runs every case once, starting one case later each round",
  rss: rssSource ? "GNU time %M (peak resident set, KiB), reported in MiB" : `unavailable (no working ${GNU_TIME}): wall time only`,
  cpu: rssSource ? "GNU time %U + %S (user + system CPU of the child, all threads, 10 ms resolution), mean over runs" : "unavailable",
  wall: "ms around spawnSync of the child (includes the fork/exec of GNU time, as does the floor)",
  bundleBytes: fileBytes(join(ROOT, "dist", "openclaw-main.cjs")),
  distRebuiltDuringRun: distChanged(),
  codeCache: {
    file: relative(ROOT, CODE_CACHE),
    bytesBefore: cacheBefore?.bytes ?? null,
    presentBefore: cacheBefore !== null,
    rewrittenDuringMeasuredRuns: cacheRewritten
  },
  fixtures: {
    small: { agents: smallInfo.agents.length, profiles: smallInfo.profiles, storeBytes: fileBytes(join(small.stateDir, "agents/main/agent/auth-profiles.json")) },
    large: {
      agents: largeInfo.agents.length,
      profiles: largeInfo.profiles,
      storeBytesPerAgent: fileBytes(join(large.stateDir, "agents/main/agent/auth-profiles.json"))
    },
    scale: { agents: 1, profiles: scaleInfo.profiles, storeBytes: fileBytes(join(scale.stateDir, "agents/main/agent/auth-profiles.json")), runs: SCALE_RUNS },
    sanity: sanityChecks,
    kept: KEEP_FIXTURES ? { small: small.root, large: large.root, scale: scale.root } : null
  },
  targets: TARGETS,
  totalSeconds: round1(totalSeconds)
}

const pad = (s, n, left = false) => (left ? String(s).padEnd(n) : String(s).padStart(n))
const f1 = (x) => (x === null || x === undefined ? "-" : x.toFixed(1))
const targetText = (r) =>
  r.target === null
    ? ""
    : `≤${r.target.medianMs} ms` + (r.target.peakRssMb !== undefined ? `, ≤${r.target.peakRssMb} MB` + (r.target.peakRssChecked ? "" : " (unchecked)") : "")
const header = [
  pad("case", 34, true),
  pad("exit", 5),
  pad("median", 7),
  pad("p10", 7),
  pad("p90", 7),
  pad("min", 7),
  pad("max", 7),
  pad("+floor", 7),
  pad("RSS med", 8),
  pad("RSS max", 8),
  pad("CPU avg", 8),
  "  " + pad("target", 28, true),
  "verdict"
].join(" ")
const lines = results.map((r) =>
  [
    pad(r.label, 34, true),
    pad(r.exitCodes.join("/"), 5),
    pad(f1(r.wallMs.median), 7),
    pad(f1(r.wallMs.p10), 7),
    pad(f1(r.wallMs.p90), 7),
    pad(f1(r.wallMs.min), 7),
    pad(f1(r.wallMs.max), 7),
    pad(r.overFloorMs === null ? "" : f1(r.overFloorMs), 7),
    pad(f1(r.peakRssMb?.median), 8),
    pad(f1(r.peakRssMb?.max), 8),
    pad(f1(r.cpuMsMean), 8),
    "  " + pad(targetText(r), 28, true),
    r.verdict ?? ""
  ].join(" ")
)

const out = []
out.push(
  `openclaw-auth start-up — ${meta.date.slice(0, 19).replace("T", " ")}Z, node ${meta.node}, nproc ${meta.nproc}, ` +
    `git ${meta.git.commit ?? "?"}${meta.git.dirty ? " (dirty)" : ""}`
)
out.push(
  `${RUNS} runs per case after ${WARMUP} warm-up rounds, cases interleaved; wall ms; peak RSS in MB (MiB) ` +
    (rssSource ? `from GNU time (${GNU_TIME})` : `NOT MEASURED: ${GNU_TIME} is missing or unusable, wall time only`)
)
out.push(
  `stores: small ${meta.fixtures.small.profiles} profiles / 1 agent; large ${meta.fixtures.large.profiles} profiles / ` +
    `${meta.fixtures.large.agents} agents (${Math.round(meta.fixtures.large.storeBytesPerAgent / 1024)} KB per store); ` +
    `scale ${meta.fixtures.scale.profiles} profiles / 1 agent (${(meta.fixtures.scale.storeBytes / 1048576).toFixed(1)} MB), ` +
    `${SCALE_RUNS} run${SCALE_RUNS === 1 ? "" : "s"} per 20k case`
)
out.push("")
out.push(header)
out.push("-".repeat(header.length))
out.push(...lines)
out.push("")
out.push("+floor = median minus the median of `node -e 0` measured in the same rounds (the cost above Node's own start-up).")
out.push("CPU avg = mean user+system CPU ms of the child (all threads); it moves much less than wall time when the VM is busy.")
out.push("RSS verdicts use the max over all runs; time verdicts use the median. MISS is reported, not fatal.")
out.push(
  `issue 16 cold start: \`${coldStart.command}\` ÷ \`node -e 0\` = ${coldStart.ratio.toFixed(2)}× wall (medians ${f1(coldStart.medianMs)} / ${f1(coldStart.floorMedianMs)} ms, ` +
    `same rounds; CPU ${coldStart.cpuRatio === null ? "-" : `${coldStart.cpuRatio.toFixed(2)}×`}); target ≤ ${COLD_START_RATIO_TARGET}× ${coldStart.verdict}`
)
if (scaleListVsBare !== null)
  out.push(
    `20k auth list --json against the bare script (bench/bare-list.cjs: read, parse, one row each, pretty-print; no checks, ` +
      `no decoding, no scrubbing): ${f1(scaleListVsBare.cliMedianMs)} / ${f1(scaleListVsBare.bareMedianMs)} ms = ${scaleListVsBare.ratio.toFixed(2)}×, ` +
      `+${f1(scaleListVsBare.overBareMs)} ms; the ${scaleListVsBare.targetMs} ms target leaves ${f1(scaleListVsBare.targetOverBareMs)} ms above the bare script`
  )
if (!meta.codeCache.presentBefore) out.push("note: there was no V8 code cache before the run; the warm-up runs created it.")
if (meta.distRebuiltDuringRun) out.push("WARNING: dist/ was rebuilt while the benchmark ran (another build or `npm test`?); these figures mix two builds — rerun.")
if (cacheRewritten) out.push("WARNING: the launcher rewrote the V8 code cache during measured runs (cache rejected?); figures include compiling the bundle.")
if (Math.max(meta.loadAvgBefore[0], meta.loadAvgAfter[0]) > meta.nproc / 2)
  out.push(`WARNING: the machine was busy (1-min load ${meta.loadAvgBefore[0]} → ${meta.loadAvgAfter[0]} on ${meta.nproc} CPUs); expect inflated, noisier figures.`)
out.push(`load average before/after: ${meta.loadAvgBefore.join(" ")} / ${meta.loadAvgAfter.join(" ")}; measured in ${meta.totalSeconds} s`)

if (KEEP_FIXTURES) out.push(`fixtures kept: ${small.root} ${large.root} ${scale.root}`)
process.stdout.write(out.join("\n") + "\n")

// ---------- resolution throughput (in-process) and the gateway, after the start-up cases ----------

/** bench/resolution.ts bundled at bench time and run in a child over one 1,000-profile store of the large fixture. */
const runResolution = async () => {
  const { build } = await import("esbuild")
  const fx = makeFixtureHome("resolution")
  try {
    const info = writeLargeStore(fx.stateDir, Date.now(), 1000)
    const bundle = join(fx.root, "resolution.cjs")
    await build({
      entryPoints: [join(ROOT, "bench", "resolution.ts")],
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      mainFields: ["module", "main"],
      outfile: bundle,
      logLevel: "warning"
    })
    const store = join(fx.stateDir, "agents", "main", "agent", "auth-profiles.json")
    const r = spawnSync(process.execPath, [bundle, store, join(fx.stateDir, "openclaw.json"), "1", "3"], { cwd: fx.home, env: cleanEnv(fx), encoding: "utf8" })
    if (r.status !== 0 || r.stderr !== "") throw new Error(`resolution bench exited ${r.status ?? r.signal}: ${r.stderr}`)
    const result = JSON.parse(r.stdout)
    if (result.store.profiles !== info.profiles / info.agents.length) throw new Error(`resolution bench read ${result.store.profiles} profiles, expected ${info.profiles / info.agents.length}`)
    return result
  } finally {
    rmSync(fx.root, { recursive: true, force: true })
  }
}

const formatResolution = (r) => {
  const lines = [
    "",
    `resolution, in-process (one agent store of ${r.store.profiles} profiles over ${r.store.providers} providers, ${Math.round(r.store.bytes / 1024)} KB; ` +
      `every call cycles through the providers; median [min–max] of ${r.rounds} × ${r.secondsPerRound} s)`
  ]
  const what = {
    resolveCredential: "resolveCredential (§5 choice for one provider)",
    profileOrder: "profileOrder (ordered candidates + cooldowns)",
    decodeStore: "decode the store (JSON.parse + decodeAuthStore)"
  }
  for (const [k, s] of Object.entries(r.callsPerSecond)) {
    lines.push(`  ${(what[k] ?? k).padEnd(50)} ${String(s.median).padStart(9)} calls/s [${s.min}–${s.max}]  ${(1e6 / s.median).toFixed(1).padStart(8)} µs/call`)
  }
  return lines.join("\n")
}

const extra = {}
let sectionFailed = false
if (process.env.BENCH_RESOLUTION !== "0") {
  try {
    extra.resolution = await runResolution()
    process.stdout.write(formatResolution(extra.resolution) + "\n")
  } catch (e) {
    sectionFailed = true
    extra.resolution = { error: e.message }
    process.stderr.write(`bench: resolution: ${e.message}\n`)
  }
}
if (process.env.BENCH_GATEWAY !== "0") {
  const { formatGateway, gatewayOptionsFromEnv, runGatewayBench } = await import("./gateway.mjs")
  try {
    const progress = process.stderr.isTTY ? (s) => process.stderr.write(`\r  gateway: ${s}`.padEnd(70)) : () => {}
    extra.gateway = await runGatewayBench(gatewayOptionsFromEnv(), progress)
    if (process.stderr.isTTY) process.stderr.write("\r" + " ".repeat(70) + "\r")
    process.stdout.write("\n" + formatGateway(extra.gateway) + "\n")
  } catch (e) {
    sectionFailed = true
    extra.gateway = { error: e.message }
    process.stderr.write(`bench: gateway: ${e.message}\n`)
  }
}

if (process.env.BENCH_HOSTILE !== "0") {
  const { formatHostile, runHostileBench } = await import("./hostile.mjs")
  try {
    extra.hostile = await runHostileBench()
    process.stdout.write("\n" + formatHostile(extra.hostile) + "\n")
  } catch (e) {
    sectionFailed = true
    extra.hostile = { error: e.message }
    process.stderr.write(`bench: hostile: ${e.message}\n`)
  }
}

mkdirSync(RESULTS_DIR, { recursive: true })
const json = JSON.stringify({ meta, results, targets16: { cliColdStart: coldStart }, scaleListVsBare, ...extra }, null, 2) + "\n"
writeFileSync(LATEST, json)
writeFileSync(join(RESULTS_DIR, `${meta.date.replace(/[:.]/g, "-")}.json`), json)
process.stdout.write(`written: ${relative(process.cwd(), LATEST)}\n`)
// A section that could not measure (the gateway did not start, answered errors) is a failure, as for the CLI.
if (sectionFailed) process.exitCode = 1
