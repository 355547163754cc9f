// Runs the same commands with two builds of the CLI over the same state dirs and reports every difference in
// stdout, stderr or exit code: a performance change must leave the output byte for byte as it was.
//
//   node bench/compare-builds.mjs <old dist dir> <new dist dir> [--skip-scale]
//
// Build the old one first, e.g. `git worktree add /tmp/old <commit> && ln -s $PWD/node_modules /tmp/old/ &&
// (cd /tmp/old && node scripts/build.mjs)`, then pass /tmp/old/dist and ./dist. Fixtures: the benchmark's small,
// large and 20,000-profile stores (bench/fixtures.mjs) and a few hostile ones (duplicate and prototype keys, deep
// nesting, a huge number, control characters, a malformed entry, secrets whose encodings appear in the output, a
// broken config). Every run gets a fresh copy of its state dir at the same path, and the clock is pinned
// (bench/fixed-clock.cjs, preloaded), so two runs of one build give the same bytes. Exits 1 on any difference.
import { spawnSync } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { writeLargeStore, writeScaleStore, writeSmallStore } from "./fixtures.mjs"

const [oldDist, newDist, ...flags] = process.argv.slice(2)
if (!oldDist || !newDist) {
  process.stderr.write("usage: node bench/compare-builds.mjs <old dist dir> <new dist dir> [--skip-scale]\n")
  process.exit(2)
}
const CLOCK = join(dirname(fileURLToPath(import.meta.url)), "fixed-clock.cjs")
const NOW = 1_790_000_000_000
const root = mkdtempSync(join(tmpdir(), "openclaw-compare-"))
const write = (file, text) => {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  writeFileSync(file, text, { mode: 0o600 })
}

/** Hostile stores: each a state dir with one agent `main` whose store is `store` (text), and an optional config. */
const hostile = {
  "duplicate-key": `{"version":1,"profiles":{"openai:a":{"type":"api_key","provider":"openai","key":"sk-FAKE-0123456789abcdef"},\n"openai:a":{"type":"api_key","provider":"openai","key":"sk-FAKE-fedcba9876543210"}}}`,
  "proto-id": `{"version":1,"profiles":{"__proto__":{"type":"api_key","provider":"openai","key":"sk-FAKE-0123456789abcdef"}}}`,
  "escaped-proto": `{"version":1,"profiles":{"\\u005f_proto__":{"type":"api_key","provider":"openai","key":"sk-FAKE-0123456789abcdef"}}}`,
  deep: `{"version":1,"profiles":{},"x":${"[".repeat(300)}${"]".repeat(300)}}`,
  "huge-number": `{"version":1,"profiles":{"openai:a":{"type":"token","provider":"openai","token":"sk-FAKE-0123456789abcdef","expires":1e309}}}`,
  control: JSON.stringify({
    version: 1,
    profiles: {
      "openai:bad\u001b[31m": { type: "api_key", provider: "openai", key: "sk-FAKE-0123456789abcdef" },
      "openai:mail": { type: "oauth", provider: "openai", access: "FAKE-access-0123456789abcdef01", email: "a\u0007b@example.invalid" },
      "constructor:x": { type: "api_key", provider: "constructor", key: "sk-FAKE-aaaaaaaaaaaaaaaa" }
    }
  }),
  malformed: JSON.stringify({
    version: 1,
    profiles: {
      "openai:ok": { type: "api_key", provider: "openai", key: "sk-FAKE-0123456789abcdef" },
      "openai:nokey": { type: "api_key", provider: "openai" },
      "openai:wrong": { type: "token", provider: "openai", token: 42 },
      "openai:mode": { mode: "api_key", provider: "OpenAI", apiKey: "sk-FAKE-9876543210fedcba" },
      "x:y": "not an object"
    },
    usageStats: { "openai:ok": { errorCount: 2, cooldownUntil: NOW + 60_000, extra: true } },
    order: { OpenAI: ["openai:ok", "openai:gone"] }
  }),
  "bad-usage": JSON.stringify({ version: 1, profiles: {}, usageStats: { "a:b": { errorCount: "x" } } }),
  // A secret whose percent and base64 encodings, and a run of it, sit in an email the reports print.
  encodings: JSON.stringify({
    version: 1,
    profiles: {
      "openai:k": {
        type: "oauth",
        provider: "openai",
        access: "FAKE/acc+ess=0123456789ab",
        email: `${encodeURIComponent("FAKE/acc+ess=0123456789ab")} ${btoa("xFAKE/acc+ess=0123456789ab")} 3456789ab@x`
      }
    }
  })
}
const homes = {}
for (const [name, writeStore] of [["small", writeSmallStore], ["large", writeLargeStore], ...(flags.includes("--skip-scale") ? [] : [["scale", writeScaleStore]])]) {
  const home = join(root, "fixtures", name)
  writeStore(join(home, ".openclaw"), NOW)
  homes[name] = home
}
for (const [name, text] of Object.entries(hostile)) {
  const home = join(root, "fixtures", name)
  write(join(home, ".openclaw", "agents", "main", "agent", "auth-profiles.json"), text)
  homes[name] = home
}
homes["broken-config"] = join(root, "fixtures", "broken-config")
write(join(homes["broken-config"], ".openclaw", "openclaw.json"), `{ agents: { list: [ }`)

const commands = [
  ["models", "auth", "list", "--json"],
  ["models", "auth", "list"],
  ["models", "status", "--json"],
  ["models", "status"],
  ["models", "status", "--check"],
  ["models", "status", "--plain"],
  ["models", "status", "--agent", "a9"],
  ["models", "auth", "order", "get", "--provider", "anthropic"],
  ["doctor", "--json"]
]
const BIG = new Set(["scale"])
const run = (dist, home, args) => {
  const copy = join(root, "run", "home")
  rmSync(join(root, "run"), { recursive: true, force: true })
  cpSync(home, copy, { recursive: true })
  const r = spawnSync(process.execPath, ["--require", CLOCK, join(resolve(dist), "openclaw.cjs"), ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: copy, OPENCLAW_STATE_DIR: join(copy, ".openclaw"), OPENCLAW_FIXED_NOW: String(NOW) },
    cwd: copy,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000
  })
  return { code: r.status, signal: r.signal, out: r.stdout ?? "", err: r.stderr ?? "" }
}

let differences = 0
let runs = 0
for (const [name, home] of Object.entries(homes)) {
  for (const args of commands) {
    if (BIG.has(name) && args[0] === "doctor") continue
    const a = run(oldDist, home, args)
    const b = run(newDist, home, args)
    runs++
    const label = `[${name}] openclaw ${args.join(" ")}`
    if (a.code === b.code && a.signal === b.signal && a.out === b.out && a.err === b.err) {
      console.log(`same  ${label} (exit ${a.code}, ${a.out.length} + ${a.err.length} chars)`)
      continue
    }
    differences++
    console.log(`DIFF  ${label}: exit ${a.code} vs ${b.code}`)
    for (const [stream, x, y] of [["stdout", a.out, b.out], ["stderr", a.err, b.err]]) {
      if (x === y) continue
      let at = 0
      while (at < x.length && x[at] === y[at]) at++
      console.log(`  ${stream} differs at ${at}:\n  - ${JSON.stringify(x.slice(Math.max(0, at - 80), at + 120))}\n  + ${JSON.stringify(y.slice(Math.max(0, at - 80), at + 120))}`)
    }
  }
}
rmSync(root, { recursive: true, force: true })
console.log(`${runs} commands, ${differences} difference${differences === 1 ? "" : "s"}`)
process.exit(differences === 0 ? 0 : 1)
