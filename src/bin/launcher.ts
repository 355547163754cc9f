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
import * as vm from "node:vm"

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

/** `openclaw gateway [options]`, but not `openclaw gateway install …`. */
const servesGateway = (argv: ReadonlyArray<string>): boolean => {
  const words = argv.filter((a) => !a.startsWith("-"))
  return words[0] === "gateway" && words[1] !== "install"
}

/**
 * The V8 the settings below were measured on (Node 20's). V8 prints an error for a flag it does not know, on every
 * run: another engine runs with its defaults until they are measured there.
 */
const measuredV8 = process.versions.v8.startsWith("11.")

/*
 * A CLI command runs with V8's defaults. Two settings were measured on an earlier VM whose first touch of a memory
 * page cost ~14 µs (a young generation that never grows, optimisation after 4× the work): −25 to −30 ms there. On
 * this machine's faster pages they cost instead (30 alternated rounds; bench/README.md, fifteenth round):
 * `models status --check` 98 → 95 ms, and on 20,000 profiles `auth list --json` 470 → 447 ms and `status --json`
 * 634 → 605 ms, where a 1 MB young generation scavenged ~300 times. Without them `node:v8` is not loaded either.
 */

/**
 * The gateway's memory (issue 16: peak RSS within 1.3× a bare node:http proxy's). Left to V8's defaults, under load
 * its young generation doubles up to 16 MB semi-spaces and the old generation's limit grows by up to 4× between full
 * collections: a peak RSS of 150–176 MB against the proxy's ~89 MB. Two settings:
 * - the young generation stops growing at 8 MB semi-spaces. V8 takes its maximum only from node's command line, so
 *   after each collection we look, and once there the growth factor becomes 1;
 * - the old generation's limit grows by 30 % over what survived the last full collection.
 * Measured: peak RSS ~90 MB, for ~4 % more CPU per request at 16 clients and ~13 % at one, where concurrent marking
 * on the other core is counted (bench/README.md). A growth factor of 1 from the start kept memory as low but cost
 * ~35 % of the throughput: a 1 MB young generation copies a request's objects over and over. Only for the V8
 * measured (measuredV8).
 */
const tuneForLongRun = (): void => {
  if (!measuredV8) return
  // Required here, not imported: a CLI command has no use for them.
  const require = Module.createRequire(__filename)
  const v8 = require("node:v8") as typeof import("node:v8")
  v8.setFlagsFromString("--heap-growing-percent=30")
  const capBytes = 8 * 1024 * 1024
  const { PerformanceObserver } = require("node:perf_hooks") as typeof import("node:perf_hooks")
  const watch = new PerformanceObserver(() => {
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")
    if (young === undefined || young.space_size < capBytes) return
    v8.setFlagsFromString("--semi-space-growth-factor=1")
    watch.disconnect()
  })
  watch.observe({ entryTypes: ["gc"] })
}

if (servesGateway(process.argv.slice(2))) {
  tuneForLongRun()
  run(compile())
} else {
  runCached()
}
