/**
 * The `openclaw` executable: runs the bundled CLI through V8's code cache. Node 20 has no module compile cache,
 * and compiling the bundle is most of the start-up time, so we keep V8's cached data next to the bundle and
 * refresh it whenever V8 rejects it (another Node version) or it is missing.
 *
 * The long-running `openclaw gateway` loads the bundle plainly instead: start-up time does not matter there, and
 * code run from the cache reached a ~30 % lower steady-state throughput and took longer to get there
 * (bench/README.md, Gateway).
 */
import * as fs from "node:fs"
import Module from "node:module"
import * as path from "node:path"
import * as vm from "node:vm"

const bundle = path.join(__dirname, "openclaw-main.cjs")
const cacheFile = path.join(__dirname, `.openclaw-main.${process.versions.v8}.cache`)

const load = (): void => {
  // The bundle is ASCII (scripts/build.mjs checks); read as latin1 it skips UTF-8 decoding, a few ms of start-up.
  const source = fs.readFileSync(bundle, "latin1")
  let cached: Buffer | undefined
  try {
    cached = fs.readFileSync(cacheFile)
  } catch {
    cached = undefined
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    ...(cached ? { cachedData: cached } : {})
  })
  const moduleObject = { exports: {} }
  const requireFromBundle = Module.createRequire(bundle)
  script.runInThisContext()(moduleObject.exports, requireFromBundle, moduleObject, bundle, __dirname)
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

if (servesGateway(process.argv.slice(2))) require(bundle)
else load()
