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
 * A CLI command is short, and on a VM each first touch of a memory page costs ~14 µs (issue 16: a cold `models
 * status --check` faulted in ~7,900 pages against ~1,900 for `node -e 0`). Two V8 settings cut that:
 * - the young generation stays at its first size instead of doubling after each scavenge that keeps much alive (all of
 *   start-up): the same pages are reused (−1,300 faults);
 * - a function is optimised after 4× more work than the default: a short command no longer pays TurboFan's memory
 *   for functions it runs only a little longer (−500 faults). The 20,000-profile commands, which run long enough
 *   to optimise, keep their speed.
 * Together −25 to −30 ms of a ~230 ms command, and −5 to −8 % on the 20,000-profile ones (bench/README.md). Only
 * settable this way before the bundle runs (the semi-space sizes themselves can only be given on node's command line),
 * and only for the V8 they were measured on: an engine without one of these flags would print an error on every
 * command. The gateway keeps V8's defaults: it trades memory for throughput the other way.
 */
const tuneForShortRun = (): void => {
  if (!process.versions.v8.startsWith("11.")) return
  v8.setFlagsFromString("--semi-space-growth-factor=1")
  v8.setFlagsFromString("--interrupt-budget=540000")
}

if (servesGateway(process.argv.slice(2))) run(compile())
else {
  tuneForShortRun()
  runCached()
}
