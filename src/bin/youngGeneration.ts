/**
 * Holding the gateway's young generation at a size (src/bin/launcher.ts `tuneForLongRun`). V8 takes the semi-spaces'
 * maximum only from node's command line, but reads its growth factor at each growth: below the cap the factor is
 * V8's own 2, from the cap on 1. Decided again after every collection, never once for all: V8 shrinks the young
 * generation while the process idles, and a factor left at 1 would keep it small under all later load.
 */
export const youngGrowthFactor = (spaceBytes: number, capBytes: number): 1 | 2 => (spaceBytes * 2 <= capBytes ? 2 : 1)

/**
 * What to run after each collection: reads the young generation's size (`undefined` when unknown) and sets V8's
 * growth factor when it must change.
 */
export const holdYoungGeneration = (
  capBytes: number,
  youngBytes: () => number | undefined,
  setFactor: (factor: 1 | 2) => void
): (() => void) => {
  let factor: 1 | 2 = 2 // V8's default
  return () => {
    const size = youngBytes()
    if (size === undefined || size === 0) return
    const wanted = youngGrowthFactor(size, capBytes)
    if (wanted === factor) return
    factor = wanted
    setFactor(wanted)
  }
}
