import * as Effect from "effect/Effect"
import type { FileWatcherShape, WatchListener } from "./FileWatcher.js"

/**
 * Which store files changed on disk since the gateway last read or wrote them. A check compares the stores'
 * fingerprints (one stat each) with what the gateway last saw, so a change by another process — the CLI's `models
 * auth cooldowns clear` — is read before the next request chooses a profile. The stat (~12 µs hot, ~70 cold on a VM)
 * is skipped while a watch hears every store and has heard nothing since the last check: the watch's callback marks
 * the stores as the kernel's event is read, and epoll hands back descriptors in the order they became ready, so a
 * request sent after the change (a new connection, or an idle keep-alive one) is read after the event. Not so a
 * connection that was readable in the previous poll while the gateway was still busy with it: its request may come
 * first and be chosen on the old store (the next one is not). A fiber, which the stream wakes, would hear it later.
 * The gateway's own writes are fingerprinted as they land and cost no re-read. (A write by another process between
 * our rename and our stat is taken for ours; the watch event's debounced refresh reads it shortly after.)
 */
export interface StoreChanges {
  /** Before reading these stores: their fingerprints now (so a write during the read is still noticed later). */
  readonly beforeRead: (paths: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, string | undefined>>
  /** After a read of these stores: `before` as `beforeRead` gave it (paths not in it are fingerprinted now); others are forgotten. */
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
 * Even a quiet watch is checked by stat this often (ms): a change no watch hears — in a parent directory moved or
 * repointed by a symlink, or an event inotify dropped from a full queue — is read that late at most.
 */
export const QUIET_WATCH_TRUSTED_MS = 1000

export const makeStoreChanges = (
  fingerprint: FileWatcherShape["fingerprint"],
  fingerprintNow?: FileWatcherShape["fingerprintNow"],
  options: { readonly now?: (() => number) | undefined; readonly trustedMs?: number | undefined } = {}
): StoreChanges => {
  const now = options.now ?? (() => performance.now())
  const trustedMs = options.trustedMs ?? QUIET_WATCH_TRUSTED_MS
  const known = new Map<string, string | undefined>()
  /** How many live watches hear each file (a new watch starts before the one it replaces has ended). */
  const watches = new Map<string, number>()
  /** Counts what a watch said that may mean a change (heard, or began hearing); a check is good for one value. */
  let epoch = 0
  /** The epoch in which a check began that found nothing changed, and when; -1 when the last check found a change. */
  let cleanEpoch = -1
  let checkedAt = -Infinity
  const quiet = (): boolean => {
    if (epoch !== cleanEpoch || now() - checkedAt >= trustedMs) return false
    for (const path of known.keys()) if (!watches.has(path)) return false
    return true
  }
  /** A check's outcome. It counts for the epoch it began in, so a change heard while it ran is checked again. */
  const checked = (began: number, at: number, changed: boolean): boolean => {
    if (changed) {
      cleanEpoch = -1
    } else {
      cleanEpoch = began
      checkedAt = at
    }
    return changed
  }
  return {
    beforeRead: (paths) =>
      Effect.map(Effect.forEach(paths, (p) => Effect.map(fingerprint(p), (f) => [p, f] as const)), (entries) => new Map(entries)),
    afterRead: (paths, before) =>
      Effect.suspend(() => {
        // The stores read are the ones that matter: a store no longer read (an agent removed) is forgotten.
        for (const p of known.keys()) if (!paths.includes(p)) known.delete(p)
        return Effect.forEach(paths, (p) => Effect.map(before.has(p) ? Effect.succeed(before.get(p)) : fingerprint(p), (f) => void known.set(p, f)), { discard: true })
      }),
    // A store no longer read (a request on an older snapshot recording its use) is not taken up again.
    written: (path) => (known.has(path) ? Effect.map(fingerprint(path), (f) => void known.set(path, f)) : Effect.void),
    changed: Effect.suspend(() => {
      if (quiet()) return Effect.succeed(false)
      const began = epoch
      const at = now()
      return Effect.map(
        Effect.exists(known, ([path, seen]) => Effect.map(fingerprint(path), (f) => f !== seen)),
        (changed) => checked(began, at, changed)
      )
    }),
    changedNow: () => {
      if (fingerprintNow === undefined) return undefined
      if (quiet()) return false
      const began = epoch
      const at = now()
      for (const [path, seen] of known) if (fingerprintNow(path) !== seen) return checked(began, at, true)
      return checked(began, at, false)
    },
    listener: {
      watching: (files) => {
        for (const file of files) watches.set(file, (watches.get(file) ?? 0) + 1)
        // A change made while no watch heard it is found by the next check's stats.
        epoch++
      },
      heard: () => {
        epoch++
      },
      lost: (files) => {
        for (const file of files) {
          const left = (watches.get(file) ?? 0) - 1
          if (left > 0) watches.set(file, left)
          else watches.delete(file)
        }
      }
    }
  }
}
