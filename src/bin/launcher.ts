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

if (servesGateway(process.argv.slice(2))) run(compile())
else runCached()
