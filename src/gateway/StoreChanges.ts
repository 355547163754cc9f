import * as Effect from "effect/Effect"
import type { FileWatcherShape, WatchListener } from "./FileWatcher.js"

/**
 * Which store files changed on disk since the gateway last read or wrote them. A check compares the stores'
 * fingerprints (one stat each) with what the gateway last saw, so a change by another process — the CLI's `models
 * auth cooldowns clear` — is read before the next request chooses a profile. The stat is skipped while a watch
 * hears every store and has heard nothing since the last check: the watch's callback (its `listener`) marks the
 * stores dirty as the kernel's event is read, and a request that arrives after the change was made is read after
 * that event (the event loop hands back readable descriptors in the order they became ready). The stream that
 * carries the same event to a fiber would be too late for that. The gateway's own writes are fingerprinted as they
 * land and cost no re-read. (A write by another process between our rename and our stat is taken for ours; the
 * watch event's debounced refresh reads it shortly after.)
 */
export interface StoreChanges {
  /** Before reading these stores: their fingerprints now (so a write during the read is still noticed later). */
  readonly beforeRead: (paths: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, string | undefined>>
  /** After a read: what the stores were when it began; paths not seen before are fingerprinted now. */
  readonly afterRead: (paths: ReadonlyArray<string>, before: ReadonlyMap<string, string | undefined>) => Effect.Effect<void>
  /** After the gateway wrote this store itself. */
  readonly written: (path: string) => Effect.Effect<void>
  /** Whether a store differs from what the gateway last saw. */
  readonly changed: Effect.Effect<boolean>
  /** `changed` without a fiber; undefined where the watcher cannot fingerprint so. */
  readonly changedNow: () => boolean | undefined
  /** For the watch of the stores: what lets a check skip its stats. */
  readonly listener: WatchListener
}

/**
 * Even a quiet watch is checked by stat at least this often: inotify drops events when its queue overflows, and a
 * missed change then goes unseen for at most this long.
 */
export const QUIET_WATCH_TRUSTED_MS = 1000

export const makeStoreChanges = (
  fingerprint: FileWatcherShape["fingerprint"],
  fingerprintNow?: FileWatcherShape["fingerprintNow"],
  now: () => number = () => performance.now()
): StoreChanges => {
  const known = new Map<string, string | undefined>()
  /** How many live watches hear each file (a new watch starts before the one it replaces has ended). */
  const watches = new Map<string, number>()
  /** A watch heard something, or began hearing a file, since the last check that found nothing changed. */
  let heard = true
  let checkedAt = -Infinity
  const quiet = (): boolean => {
    if (heard || now() - checkedAt >= QUIET_WATCH_TRUSTED_MS) return false
    for (const path of known.keys()) if (!watches.has(path)) return false
    return true
  }
  return {
    beforeRead: (paths) =>
      Effect.map(Effect.forEach(paths, (p) => Effect.map(fingerprint(p), (f) => [p, f] as const)), (entries) => new Map(entries)),
    afterRead: (paths, before) =>
      Effect.forEach(paths, (p) => Effect.map(before.has(p) ? Effect.succeed(before.get(p)) : fingerprint(p), (f) => void known.set(p, f)), { discard: true }),
    written: (path) => Effect.map(fingerprint(path), (f) => void known.set(path, f)),
    changed: Effect.suspend(() => {
      if (quiet()) return Effect.succeed(false)
      heard = false
      const startedAt = now()
      return Effect.tap(
        Effect.exists(known, ([path, seen]) => Effect.map(fingerprint(path), (f) => f !== seen)),
        (changed) => {
          if (changed) heard = true
          else checkedAt = startedAt
        }
      )
    }),
    changedNow: () => {
      if (fingerprintNow === undefined) return undefined
      if (quiet()) return false
      // Cleared before the stats, so a change heard while they run is not lost.
      heard = false
      const startedAt = now()
      for (const [path, seen] of known) if (fingerprintNow(path) !== seen) return (heard = true)
      checkedAt = startedAt
      return false
    },
    listener: {
      watching: (files) => {
        for (const file of files) watches.set(file, (watches.get(file) ?? 0) + 1)
        // A change made while no watch heard it is found by the next check's stats.
        heard = true
      },
      heard: () => {
        heard = true
      },
      lost: (files) => {
        for (const file of files) {
          const left = (watches.get(file) ?? 1) - 1
          if (left > 0) watches.set(file, left)
          else watches.delete(file)
        }
      }
    }
  }
}
