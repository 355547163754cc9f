/**
 * The `openclaw` executable: runs the bundled CLI through V8's code cache. Node 20 has no module compile cache,
 * and compiling the bundle is most of the start-up time, so we keep V8's cached data next to the bundle and
 * refresh it whenever V8 rejects it (another Node version) or it is missing.
 *
 * The long-running `openclaw gateway` compiles the bundle plainly instead: start-up time does not matter there,
 * and code run from the cache reached a ~30 % lower steady-state throughput and took longer to get there
 * (bench/README.md, Gateway).
 */
import * as fs from "node:fs"
import Module from "node:module"
import * as path from "node:path"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { servesGateway } from "./servesGateway.js"
import { holdYoungGeneration } from "./youngGeneration.js"

const bundle = path.join(__dirname, "openclaw-main.cjs")
const cacheFile = path.join(__dirname, `.openclaw-main.${process.versions.v8}.cache`)

/**
 * The bundle is one function expression, CommonJS's module wrapper written by the build (scripts/build.mjs), so V8
 * compiles the text as read; wrapped here it would copy the whole text once more. It is ASCII (the build checks):
 * read as latin1 it skips UTF-8 decoding. Both are start-up time and memory on every command (issue 16).
 */
const compile = (cachedData?: Buffer): vm.Script =>
  new vm.Script(fs.readFileSync(bundle, "latin1"), { filename: bundle, ...(cachedData ? { cachedData } : {}) })

const run = (script: vm.Script): void => {
  const moduleObject = { exports: {} }
  script.runInThisContext()(moduleObject.exports, Module.createRequire(bundle), moduleObject, bundle, __dirname)
}

const runCached = (): void => {
  let cached: Buffer | undefined
  try {
    cached = fs.readFileSync(cacheFile)
  } catch {
    cached = undefined
  }
  const script = compile(cached)
  run(script)
  if (cached === undefined || script.cachedDataRejected === true) {
    // After the run, so the cache also holds the functions this command compiled lazily. On `exit`, which also
    // runs when the CLI ends with process.exit (bin/openclaw.ts); only synchronous work is possible there.
    process.once("exit", () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`
        fs.writeFileSync(tmp, script.createCachedData())
        fs.renameSync(tmp, cacheFile)
      } catch {
        // A read-only install simply runs without the cache.
      }
    })
  }
}

/**
 * The V8 the settings below were measured on (Node 20's). V8 prints an error for a flag it does not know, on every
 * run: another engine runs with its defaults until they are measured there.
 */
const measuredV8 = process.versions.v8.startsWith("11.")

/**
 * A CLI command is short, and on a VM each first touch of a memory page costs ~14 µs (issue 16: a cold `models
 * status --check` faulted in ~7,900 pages against ~1,900 for `node -e 0`). Two V8 settings cut that:
 * - the young generation stays at its first size instead of doubling after each scavenge that keeps much alive (all of
 *   start-up): the same pages are reused (−1,300 faults);
 * - a function is optimised after 4× more work than the default: a short command no longer pays TurboFan's memory
 *   for functions it runs only a little longer (−500 faults). The 20,000-profile commands, which run long enough
 *   to optimise, keep their speed.
 * Together −25 to −30 ms of a ~230 ms command, and −5 to −11 % on the 20,000-profile ones (bench/README.md). Only
 * settable this way before the bundle runs (the semi-space sizes themselves can only be given on node's command line).
 * The gateway has settings of its own (tuneForLongRun).
 */
const tuneForShortRun = (): void => {
  if (!measuredV8) return
  v8.setFlagsFromString("--semi-space-growth-factor=1")
  v8.setFlagsFromString("--interrupt-budget=540000")
}

/**
 * The gateway's memory (issue 16: peak RSS within 1.3× a bare node:http proxy's). Left to V8's defaults, under load
 * its young generation doubles up to 16 MB semi-spaces and the old generation's limit grows by up to 4× between full
 * collections: a peak RSS of 150–176 MB against the proxy's ~89 MB. Two settings:
 * - the young generation grows to about 8 MB semi-spaces (16 MB in V8's statistics, which count both) and no further
 *   (./youngGeneration.ts: approximate, within a quarter). Until the sixteenth round of the bench the factor was set
 *   to 1 once, at 8 MB counted so: 4 MB semi-spaces, and after the first idle spell 1–2 MB under all later load, a
 *   scavenge every few milliseconds. Both mended: 179 → 171 µs CPU per request at 16 clients, peak RSS 87 → 94 MB
 *   (bench/README.md);
 * - the old generation's limit grows by 30 % over what survived the last full collection.
 * Measured (eighth round, the old generation's setting): peak RSS ~90 MB, for ~4 % more CPU per request at 16
 * clients and ~13 % at one, where concurrent marking on the other core is counted (bench/README.md). A growth factor
 * of 1 from the start kept memory as low but cost ~35 % of the throughput: a 1 MB young generation copies a
 * request's objects over and over. Only for the V8 measured (measuredV8).
 */
const tuneForLongRun = (): void => {
  if (!measuredV8) return
  v8.setFlagsFromString("--heap-growing-percent=30")
  // Required here, not imported: a CLI command has no use for it.
  const { PerformanceObserver } = Module.createRequire(__filename)("node:perf_hooks") as typeof import("node:perf_hooks")
  const afterCollection = holdYoungGeneration(
    16 * 1024 * 1024,
    () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size,
    (factor) => v8.setFlagsFromString(`--semi-space-growth-factor=${factor}`)
  )
  new PerformanceObserver(afterCollection).observe({ entryTypes: ["gc"] })
}

if (servesGateway(process.argv.slice(2))) {
  tuneForLongRun()
  run(compile())
} else {
  tuneForShortRun()
  runCached()
}
