import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { LockTimeoutError, FileError } from "../domain/Errors.js"
import * as fs from "node:fs/promises"
import * as path from "node:path"

export interface FileLockShape {
  /** Runs `use` while holding the inter-process lock for `file` (§3.3). */
  readonly withLock: <A, E, R>(
    file: string,
    use: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | LockTimeoutError | FileError, R>
}

/** A lock whose holder stopped refreshing it for this long (crashed, killed) is taken over. */
const STALE_MS = 5_000
/**
 * How long a writer waits before giving up with a clear error: well past STALE_MS, so a lock left by a killed
 * writer is always taken over rather than reported.
 */
const LOCK_WAIT_MS = 15_000

export class FileLock extends Context.Tag("openclaw/FileLock")<FileLock, FileLockShape>() {
  static readonly layer = Layer.sync(FileLock, () => ({
    withLock: (file, use) =>
      Effect.acquireUseRelease(acquire(file), () => use, (release) => Effect.promise(() => release().catch(() => undefined)))
  }))
}

const codeOf = (e: unknown): string =>
  typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? e.code : "EUNKNOWN"

// proper-lockfile's mkdir lock works across processes and on network file systems; it is imported lazily so
// read-only commands never load it.
const acquire = (file: string) =>
  Effect.tryPromise({
    try: async () => {
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
      const lockfile = await import("proper-lockfile")
      return lockfile.lock(file, {
        realpath: false,
        stale: STALE_MS,
        update: 1_000,
        // 35–70 ms between attempts (randomized so waiters do not move in lock-step): about LOCK_WAIT_MS in all.
        retries: { retries: Math.ceil(LOCK_WAIT_MS / 52), factor: 1, minTimeout: 35, maxTimeout: 70, randomize: true },
        // A compromised lock means another process took it over after we stalled for STALE_MS; the write still
        // goes through temp+rename, so the file stays whole. Never throw from a timer.
        onCompromised: () => undefined
      })
    },
    catch: (e) =>
      codeOf(e) === "ELOCKED"
        ? new LockTimeoutError({ path: file, waitedMs: LOCK_WAIT_MS })
        : new FileError({ path: `${file}.lock`, operation: "write", code: codeOf(e) })
  })
