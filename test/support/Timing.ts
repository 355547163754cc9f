/**
 * Wall-clock allowances for tests that run real processes and servers. On a busy or slow machine everything takes
 * longer, so every such timeout is `scaled(ms)`: `ms` as measured on a quiet 2-core machine, times one factor.
 * The factor is OPENCLAW_TEST_TIME_SCALE when set, else 1 + the 1-minute load average per core when the test
 * process started (other runnable work takes that share of the CPU from us), at most 8. A timeout only bounds a
 * hang: no test may decide its outcome by how fast it ran.
 */
import * as os from "node:os"

const fromLoad = (): number => {
  const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length)
  return Math.min(8, 1 + os.loadavg()[0]! / cores)
}

const fromEnv = Number(process.env.OPENCLAW_TEST_TIME_SCALE)

export const TIME_SCALE: number = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : fromLoad()

/** `ms` (a quiet machine's allowance) stretched by this machine's factor. */
export const scaled = (ms: number): number => Math.round(ms * TIME_SCALE)
