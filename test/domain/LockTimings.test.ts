import { describe, expect, it } from "@effect/vitest"
import { DEFAULT_LOCK_STALE_MS, DEFAULT_LOCK_WAIT_MS, lockTimings } from "../../src/domain/LockTimings.js"

// The end-to-end lock tests run with shortened periods; these pin what a user gets without the variables.
describe("lock timings", () => {
  it("defaults: a lock is stale after 5 s, a writer waits 15 s", () => {
    expect([DEFAULT_LOCK_STALE_MS, DEFAULT_LOCK_WAIT_MS]).toEqual([5_000, 15_000])
    expect(lockTimings({})).toEqual({ staleMs: 5_000, waitMs: 15_000 })
    for (const bad of ["", "0", "-1", "soon", "NaN"]) {
      expect(lockTimings({ OPENCLAW_LOCK_STALE_MS: bad, OPENCLAW_LOCK_WAIT_MS: bad }), bad).toEqual({ staleMs: 5_000, waitMs: 15_000 })
    }
  })

  it("the variables set them, within proper-lockfile's floor and with the wait well past the stale period", () => {
    expect(lockTimings({ OPENCLAW_LOCK_STALE_MS: "2000", OPENCLAW_LOCK_WAIT_MS: "6000" })).toEqual({ staleMs: 2_000, waitMs: 6_000 })
    expect(lockTimings({ OPENCLAW_LOCK_STALE_MS: "30000" })).toEqual({ staleMs: 30_000, waitMs: 90_000 })
    expect(lockTimings({ OPENCLAW_LOCK_STALE_MS: "500" })).toEqual({ staleMs: 2_000, waitMs: 15_000 })
    expect(lockTimings({ OPENCLAW_LOCK_STALE_MS: "4000", OPENCLAW_LOCK_WAIT_MS: "1000" })).toEqual({ staleMs: 4_000, waitMs: 12_000 })
  })
})
