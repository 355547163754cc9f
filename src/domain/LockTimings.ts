/**
 * How long a file lock may go unrefreshed before it is taken over, and how long a writer waits for one (§3.3).
 * The defaults suit people; OPENCLAW_LOCK_STALE_MS / OPENCLAW_LOCK_WAIT_MS change them (a slow network file
 * system wants longer, the end-to-end tests shorter so they do not sit through the default waits).
 */
export interface LockTimings {
  readonly staleMs: number
  readonly waitMs: number
}

export const DEFAULT_LOCK_STALE_MS = 5_000
export const DEFAULT_LOCK_WAIT_MS = 15_000
/** proper-lockfile's floor: it refreshes a held lock every second and never calls one younger than 2 s stale. */
const MIN_STALE_MS = 2_000

const positive = (raw: string | undefined): number | undefined => {
  const n = Number(raw)
  return raw !== undefined && raw !== "" && Number.isFinite(n) && n > 0 ? n : undefined
}

/**
 * The variables, else the defaults. The wait stays well past the stale period (at least three of them), so a lock
 * left by a killed writer is always taken over rather than reported as a timeout.
 */
export const lockTimings = (vars: Readonly<Record<string, string | undefined>>): LockTimings => {
  const staleMs = Math.max(MIN_STALE_MS, positive(vars.OPENCLAW_LOCK_STALE_MS) ?? DEFAULT_LOCK_STALE_MS)
  const waitMs = Math.max(3 * staleMs, positive(vars.OPENCLAW_LOCK_WAIT_MS) ?? DEFAULT_LOCK_WAIT_MS)
  return { staleMs, waitMs }
}
