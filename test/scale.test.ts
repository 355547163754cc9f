import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { type AuthStore, decodeAuthStore, overlayStore } from "../src/domain/AuthStore.js"
import { bigStore } from "./support/bigStore.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, runCli, STATE, STORE } from "./support/TestApp.js"

/**
 * Issue 12, scale of inputs: ten times the profiles must cost about ten times the work, not a hundred times (as
 * `auth list --json` did: 35 s on 20,000 profiles). Measured as a ratio of this process's CPU time between a
 * small and a large input, so a slow or busy machine moves both sides alike: the small side the fastest of three
 * runs after a warm-up (at ~0.2 s its noise weighs most), the large side one run (~2 s; a second run measured within
 * 15 % of the first and cost a third of the file). Linear code stays near 10× (measured 8–13×: less, as fixed costs
 * weigh more on the small side); quadratic code is near 100×.
 */
const MAX_GROWTH = 30

const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** The fastest of `runs` runs, in CPU ms. */
const fastest = async (runs: number, run: () => unknown): Promise<number> => {
  let best = Infinity
  for (let i = 0; i < runs; i++) {
    const start = cpuMs()
    await run()
    best = Math.min(best, cpuMs() - start)
  }
  return best
}

const WORK_STORE = `${STATE}/agents/work/agent/auth-profiles.json`

/**
 * `n` profiles seen by the sub-agent `work`: half its own, half the main agent's underneath (§3.1), half of them
 * each on a provider of its own, with usage stats, orders, config entries and malformed entries in both stores.
 */
const world = (n: number) => {
  const main = bigStore(n / 2, { providers: "many", prefix: "m", skipped: n / 20 })
  const work = bigStore(n / 2, { providers: "many", prefix: "w", skipped: n / 20 })
  const config = {
    agents: { list: [{ id: "main", default: true }, { id: "work" }] },
    auth: { profiles: { ...main.configProfiles, ...work.configProfiles } }
  }
  return new MemoryFs({ [STORE]: main.store, [WORK_STORE]: work.store, [CONFIG]: JSON.stringify(config) })
}

describe("scale: 10× the profiles costs about 10× (issue 12)", () => {
  const SMALL = 2_000
  const LARGE = 20_000
  const small = world(SMALL)
  const large = world(LARGE)

  it.each(["models auth list --json", "models status --json", "models status"])(
    "%s",
    async (command) => {
      const args = [...command.split(" "), "--agent", "work"]
      const outputs: Array<string> = []
      const run = (fs: MemoryFs) => async () => {
        const r = await runCli(args, { fs })
        expect(r.code).toBe(0)
        outputs.push(r.stdout)
      }
      await run(small)() // warm-up: the first run compiles
      const smallMs = await fastest(3, run(small))
      const largeMs = await fastest(1, run(large))
      const out = outputs.at(-1)!
      expect(out).not.toContain("FAKE-") // masked: public prefix and last four only
      if (args.includes("--json")) {
        const report = JSON.parse(out)
        const count = report.profiles?.length ?? report.auth.providers.reduce((n: number, p: { profiles: { count: number } }) => n + p.profiles.count, 0)
        expect(count).toBe(LARGE)
      }
      expect(largeMs / smallMs, `${SMALL} profiles: ${smallMs.toFixed(0)} ms CPU; ${LARGE}: ${largeMs.toFixed(0)} ms`).toBeLessThan(MAX_GROWTH)
    },
    300_000
  )

  it("overlays two stores full of malformed entries reading each entry a bounded number of times", () => {
    // Counted, not timed: at these sizes a linear pass is a few milliseconds, where timer and cache noise rule.
    const n = 2_000
    let reads = 0
    const counted = (prefix: string): AuthStore => {
      const profiles = Object.fromEntries(Array.from({ length: n }, (_, i) => [`broken:${prefix}${i}`, { type: "api_key", key: 42 }]))
      const store = Either.getOrThrow(decodeAuthStore({ profiles }))
      const skipped = new Proxy(store.skipped, {
        get: (target, key, receiver) => {
          if (typeof key === "string" && /^\d+$/.test(key)) reads++
          return Reflect.get(target, key, receiver)
        }
      })
      return { ...store, skipped }
    }
    const merged = overlayStore(counted("main-"), counted("work-"))
    expect(merged.skipped.length).toBe(2 * n)
    expect(reads).toBeLessThanOrEqual(4 * n)
  })
})
