/**
 * In-process resolution throughput (bench/run.mjs bundles this with esbuild at bench time and runs it in a child):
 * calls per second of the domain's `resolveCredential` and `profileOrder` (§5) — the work the gateway does per
 * request to pick a credential — and of decoding the store, over one agent store of the large fixture.
 *
 *   node <bundle> <auth-profiles.json> <openclaw.json> [seconds per round = 1] [rounds = 3]
 *
 * Prints one JSON object on stdout. Each round cycles over every provider of the fixture for the given time;
 * the report gives the median and min–max of the rounds.
 */
import * as Either from "effect/Either"
import JSON5 from "json5"
import { readFileSync } from "node:fs"
import { type AuthStore, decodeAuthStore } from "../src/domain/AuthStore.js"
import { configEnvVars, decodeConfig, type OpenClawConfig } from "../src/domain/Config.js"
import { assembleEnv } from "../src/domain/Env.js"
import { profileOrder } from "../src/domain/Order.js"
import type { ProviderId } from "../src/domain/Provider.js"
import { resolveCredential } from "../src/domain/Resolve.js"

const [storePath, configPath, secondsArg, roundsArg] = process.argv.slice(2)
if (storePath === undefined || configPath === undefined) {
  process.stderr.write("usage: resolution <auth-profiles.json> <openclaw.json> [seconds] [rounds]\n")
  process.exit(2)
}
const seconds = Number(secondsArg ?? 1)
const rounds = Number(roundsArg ?? 3)

const orFail = <A>(e: Either.Either<A, string>, what: string): A =>
  Either.getOrElse(e, (problem) => {
    process.stderr.write(`resolution bench: ${what}: ${problem}\n`)
    process.exit(1)
  })

const storeText = readFileSync(storePath, "utf8")
const configRaw: unknown = JSON5.parse(readFileSync(configPath, "utf8"))
const config: OpenClawConfig = orFail(decodeConfig(configRaw), configPath)
const store: AuthStore = orFail(decodeAuthStore(JSON.parse(storeText)), storePath)
const env = assembleEnv([
  { source: { kind: "env" }, vars: {} },
  { source: { kind: "config" }, vars: configEnvVars(configRaw) }
])
const providers = [...new Set([...store.profiles.values()].map((c) => c.provider))].sort() as Array<ProviderId>
const now = Date.now()

/** Something every call feeds, so the optimiser cannot drop the work. */
let sink = 0

/** Calls per second of `call(i)` over `seconds`, checking the clock every 64 calls. */
const rate = (call: (i: number) => number): number => {
  const until = performance.now() + seconds * 1000
  let n = 0
  const start = performance.now()
  let t = start
  while (t < until) {
    for (let k = 0; k < 64; k++) sink += call(n++)
    t = performance.now()
  }
  return n / ((t - start) / 1000)
}

const cases: Record<string, (i: number) => number> = {
  resolveCredential: (i) => {
    const r = resolveCredential({ store, config, env, now }, providers[i % providers.length]!)
    return Either.isRight(r) ? 1 : 0
  },
  profileOrder: (i) => profileOrder(store, config, providers[i % providers.length]!, now).candidates.length,
  decodeStore: () => (Either.isRight(decodeAuthStore(JSON.parse(storeText))) ? 1 : 0)
}

// Warm up (JIT) before measuring, then interleave the cases round by round.
for (const call of Object.values(cases)) {
  const until = performance.now() + 300
  let i = 0
  while (performance.now() < until) sink += call(i++)
}
const samples: Record<string, Array<number>> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (let r = 0; r < rounds; r++) for (const [name, call] of Object.entries(cases)) samples[name]!.push(rate(call))

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const summary = (xs: ReadonlyArray<number>) => ({
  median: Math.round(median(xs)),
  min: Math.round(Math.min(...xs)),
  max: Math.round(Math.max(...xs)),
  samples: xs.map(Math.round)
})

process.stdout.write(
  JSON.stringify({
    store: { profiles: store.profiles.size, skipped: store.skipped.length, providers: providers.length, bytes: Buffer.byteLength(storeText) },
    secondsPerRound: seconds,
    rounds,
    callsPerSecond: Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, summary(xs)])),
    sink: sink > 0
  }) + "\n"
)
