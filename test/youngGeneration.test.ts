import { describe, expect, it } from "@effect/vitest"
import { holdYoungGeneration, youngGrowthFactor } from "../src/bin/youngGeneration.js"

const MB = 1024 * 1024

describe("the gateway's young generation (launcher tuneForLongRun)", () => {
  it("grows at V8's factor up to the cap and no further", () => {
    expect([1, 2, 4, 6, 8, 16].map((mb) => youngGrowthFactor(mb * MB, 8 * MB))).toEqual([2, 2, 2, 1, 1, 1])
  })

  it("lets it grow again after V8 shrank it while idle, however often", () => {
    const set: Array<number> = []
    let size: number | undefined = 1 * MB
    const afterCollection = holdYoungGeneration(8 * MB, () => size, (factor) => set.push(factor))
    // 1 → 8 MB under load, shrunk to 1 MB in an idle spell, then load again, twice over.
    for (const mb of [1, 2, 4, 8, 8, 1, 1, 2, 4, 8, 2, 8]) {
      size = mb * MB
      afterCollection()
    }
    expect(set).toEqual([1, 2, 1, 2, 1])
    // An unknown size (another engine's space names) changes nothing.
    size = undefined
    afterCollection()
    expect(set).toEqual([1, 2, 1, 2, 1])
  })
})
