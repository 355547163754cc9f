import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { errnoCode, FileError, LOCK_IS_A_FILE, LockTimeoutError } from "../domain/Errors.js"
import { type LockTimings, lockTimings } from "../domain/LockTimings.js"
import { HostProcess } from "./HostProcess.js"
import { threadPool as fs } from "./NodeFs.js"
import * as path from "node:path"
import { serviceLayer } from "./LayerInOrder.js"

export interface FileLockShape {
  /** Runs `use` while holding the inter-process lock for `file` (§3.3). */
  readonly withLock: <A, E, R>(
    file: string,
    use: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | LockTimeoutError | FileError, R>
}

export class FileLock extends Context.Tag("openclaw/FileLock")<FileLock, FileLockShape>() {
  // A lock whose holder stopped refreshing it for `staleMs` (crashed, killed) is taken over; a writer gives up with
  // a clear error after `waitMs`, well past it (domain/LockTimings.ts).
  static readonly layer = serviceLayer(
    FileLock,
    Effect.map(HostProcess, (host) => {
      const timings = lockTimings(host.vars)
      return {
        withLock: (file, use) =>
          Effect.acquireUseRelease(acquire(file, timings), () => use, (release) => Effect.promise(() => release().catch(() => undefined)))
      }
    })
  )
}

// proper-lockfile's mkdir lock works across processes and on network file systems; it is imported lazily so
// read-only commands never load it.
const acquire = (file: string, { staleMs, waitMs }: LockTimings) =>
  Effect.tryPromise({
    try: async () => {
      await fs.mkdir(path.dirname(file), 0o700)
      const lockfile = await import("proper-lockfile")
      const options = {
        realpath: false,
        stale: staleMs,
        update: 1_000,
        // A compromised lock means another process took it over after we stalled for staleMs; the write still
        // goes through temp+rename, so the file stays whole. Never throw from a timer.
        onCompromised: () => undefined
      }
      // The wait is bounded by the clock, not by a count of attempts: on a busy machine each attempt takes longer,
      // and "Timed out after 6s" once came after 18.6 s. 35–70 ms between attempts, randomized so waiters do not
      // move in lock-step.
      const deadline = performance.now() + waitMs
      for (;;) {
        try {
          return await lockfile.lock(file, options)
        } catch (e) {
          // A stale lock is taken over by removing its directory: a file there makes that fail as ENOTDIR.
          if (errnoCode(e) === "ENOTDIR" && (await fs.lstat(`${file}.lock`).then((s) => s.isFile(), () => false))) throw { code: LOCK_IS_A_FILE }
          if (errnoCode(e) !== "ELOCKED" || performance.now() >= deadline) throw e
          await new Promise((resolve) => setTimeout(resolve, 35 + Math.random() * 35))
        }
      }
    },
    catch: (e) =>
      errnoCode(e) === "ELOCKED"
        ? new LockTimeoutError({ path: file, waitedMs: waitMs })
        : new FileError({ path: `${file}.lock`, operation: "write", code: errnoCode(e) })
  })
