/**
 * Holding the gateway's young generation near a size (src/bin/launcher.ts `tuneForLongRun`). V8 takes the
 * semi-spaces' maximum only from node's command line, but reads its growth factor at each growth: V8's own 2 while
 * doubling stays within the cap (and a quarter over it, below), 1 from there on. Decided again after every
 * collection, never once for all: V8 shrinks the young generation while the process idles, and a factor left at 1
 * would keep it small under all later load.
 *
 * The cap is approximate: the factor is an integer, and V8 sizes in 256 KB pages (after an idle shrink, 2.25 or 4.25
 * MB semi-spaces are usual). The quarter's slack lets such sizes double once more instead of stopping half-way;
 * it bounds the overshoot to 1.25× the cap.
 */
export const youngGrowthFactor = (spaceBytes: number, capBytes: number): 1 | 2 => (spaceBytes * 2 <= capBytes * 1.25 ? 2 : 1)

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
