import { describe, expect, it } from "@effect/vitest"
import { holdYoungGeneration, youngGrowthFactor } from "../src/bin/youngGeneration.js"

const MB = 1024 * 1024

describe("the gateway's young generation (launcher tuneForLongRun)", () => {
  it("grows at V8's factor up to the cap, within a quarter over it, and no further", () => {
    expect([1, 2, 4, 5, 6, 8, 16].map((mb) => youngGrowthFactor(mb * MB, 8 * MB))).toEqual([2, 2, 2, 2, 1, 1, 1])
    // V8's odd sizes after an idle shrink (semi-spaces of 2.25 and 4.25 MB, both counted: 4.5 and 8.5 of a 16 MB
    // cap) double once more rather than stop half-way; doubling past 1.25× the cap (20 MB) does not happen.
    expect([4.5, 8.5, 10].map((mb) => youngGrowthFactor(mb * MB, 16 * MB))).toEqual([2, 2, 2])
    expect([10.5, 17].map((mb) => youngGrowthFactor(mb * MB, 16 * MB))).toEqual([1, 1])
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
