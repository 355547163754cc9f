// Builds the CLI bundle (dist/openclaw-main.cjs, one function expression: see src/bin/launcher.ts) and its launcher (dist/openclaw.cjs), then warms V8's code cache.
// Runs from `prepare`, so `npm ci` leaves a working `openclaw`. Each output file is replaced atomically, so an
// `openclaw` running while the tests rebuild never sees a missing or half-written bundle.
import { build } from "esbuild"
import { execFileSync } from "node:child_process"
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

// Object spread and rest are written out as esbuild's helpers. On Node 20's V8 (11.3) a literal that starts with a
// spread and goes on (`{ ...headers, "content-length": n }`, Effect's `{ ...CommitPrototype, state, ... }`) gets a map
// outside the transition tree, so each property after the spread makes a new map, on every call: ~5 per gateway
// request, all old-space garbage, and every IC that meets them goes megamorphic. Written out: 224 → 209 µs CPU per
// request at 16 clients; the CLI's commands measured the same (bench/README.md, sixteenth round).
const common = { bundle: true, platform: "node", target: "node20", supported: { "object-rest-spread": false }, format: "cjs", mainFields: ["module", "main"], logLevel: "warning", legalComments: "none", write: false }

// dotenv loads node:crypto when it is loaded (~5 ms of start-up: a dozen internal modules) for its decryption, which
// we never use; its parser is all we call (a .env in the state dir is common, so this is on the everyday path).
const DOTENV_CRYPTO = "const crypto = require('crypto')"
const lazyDotenvCrypto = {
  name: "lazy-dotenv-crypto",
  setup(b) {
    b.onLoad({ filter: /[\\/]dotenv[\\/]lib[\\/]main\.js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8")
      if (!text.includes(DOTENV_CRYPTO)) throw new Error(`${args.path}: no \`${DOTENV_CRYPTO}\` to make lazy (dotenv changed)`)
      return { contents: text.replace(DOTENV_CRYPTO, "const crypto = { createDecipheriv: (...a) => require('crypto').createDecipheriv(...a) }"), loader: "js" }
    })
  }
}

mkdirSync("dist", { recursive: true })
// Short identifiers too: a third less text to read and keep in memory on every start (1.66 → 1.06 MB), and a
// smaller code cache; nothing reads a function's or class's own name (bench/compare-builds.mjs: same output).
const [main, launcher] = await Promise.all([
  build({ ...common, entryPoints: ["src/bin/openclaw.ts"], outfile: "dist/openclaw-main.cjs", minifySyntax: true, minifyWhitespace: true, minifyIdentifiers: true, plugins: [lazyDotenvCrypto] }),
  build({ ...common, entryPoints: ["src/bin/launcher.ts"], outfile: "dist/openclaw.cjs", banner: { js: "#!/usr/bin/env node" } })
])

const replace = (file, contents, mode) => {
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, contents, { mode })
  renameSync(tmp, file)
}
// The launcher runs the bundle through vm.Script, which has no loader for dynamic import(); esbuild keeps
// `import("node:x")` of built-ins as written (they are external), so make those plain requires.
const mainText = main.outputFiles[0].text.replace(/\bimport\("(node:[a-z_/]+)"\)/g, 'Promise.resolve().then(()=>require("$1"))')
const leftover = /\bimport\(["'`]/.exec(mainText)
if (leftover) throw new Error(`dist bundle still has a dynamic import() the launcher cannot run: ${mainText.slice(leftover.index, leftover.index + 60)}`)
// The launcher reads the bundle as latin1, which is only the same text when it is ASCII (esbuild escapes the rest).
const nonAscii = /[^\x00-\x7f]/.exec(mainText)
if (nonAscii) throw new Error(`dist bundle is not ASCII: ${JSON.stringify(mainText.slice(nonAscii.index - 30, nonAscii.index + 30))}`)
// A literal that starts with a spread, left in (a changed option, a dependency's own code), would bring the map churn
// back (above). Spreads after a first property are written out too; this checks only the shape that matters.
const spread = /\{\.\.\./.exec(mainText)
if (spread) throw new Error(`dist bundle has an object spread: ${JSON.stringify(mainText.slice(spread.index - 40, spread.index + 40))}`)
// Written as CommonJS's module wrapper (what Module.wrap adds), so the launcher compiles the file's text as it is.
replace("dist/openclaw-main.cjs", `(function (exports, require, module, __filename, __dirname) { ${mainText}\n});`, 0o644)
replace("dist/openclaw.cjs", launcher.outputFiles[0].contents, 0o755)
chmodSync("dist/openclaw.cjs", 0o755)

for (const f of readdirSync("dist")) if (f.endsWith(".cache")) rmSync(join("dist", f), { force: true })

// Warm the code cache with a real command on a realistic state dir (every credential type, a JSON5 config, a
// .env), so the functions an everyday `models status` runs are compiled already. V8 rejects a cache made for
// other source, and the launcher then writes a new one.
const state = mkdtempSync(join(tmpdir(), "openclaw-build-"))
try {
  const agentDir = join(state, "agents", "main", "agent")
  mkdirSync(agentDir, { recursive: true, mode: 0o700 })
  const fake = (prefix) => `${prefix}FAKEwarmup${"x".repeat(40)}`
  const now = Date.now()
  writeFileSync(join(state, "openclaw.json"), `// warm-up\n{ agents: { defaults: { model: { primary: "anthropic/claude-opus-4-6", fallbacks: ["openrouter/x/y"] } } }, env: { vars: { GROQ_API_KEY: "${fake("gsk_")}" } } }\n`, { mode: 0o600 })
  writeFileSync(join(state, ".env"), `OPENROUTER_API_KEY=${fake("sk-or-v1-")}\n`, { mode: 0o600 })
  writeFileSync(join(agentDir, "auth-profiles.json"), JSON.stringify({
    version: 1,
    profiles: {
      "anthropic:default": { type: "api_key", provider: "anthropic", key: fake("sk-ant-api03-") },
      "anthropic:work": { type: "token", provider: "anthropic", token: fake("sk-ant-oat01-"), expires: now + 30 * 86_400_000 },
      "openai:me": { type: "oauth", provider: "openai", access: fake("acc-"), refresh: fake("ref-"), expires: now + 3_600_000 }
    },
    order: { anthropic: ["anthropic:work", "anthropic:default"] },
    usageStats: { "anthropic:default": { lastUsed: now - 1000, cooldownUntil: now + 60_000, errorCount: 1 } }
  }), { mode: 0o600 })
  execFileSync(process.execPath, [join(process.cwd(), "dist", "openclaw.cjs"), "models", "status", "--check"], {
    env: { PATH: process.env.PATH ?? "", HOME: state, OPENCLAW_STATE_DIR: state },
    cwd: state,
    stdio: "ignore"
  })
} catch {
  // A failing warm-up only costs start-up speed (--check exits non-zero by design for some states).
} finally {
  rmSync(state, { recursive: true, force: true })
}
