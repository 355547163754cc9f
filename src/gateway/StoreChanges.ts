import * as Effect from "effect/Effect"
import type { FileWatcherShape } from "./FileWatcher.js"

/**
 * Which store files changed on disk since the gateway last read or wrote them. Every request compares the stores'
 * fingerprints (one stat each) with what the gateway last saw, so a change by another process — the CLI's `models
 * auth cooldowns clear` — is read before the very next request chooses a profile. A watch event cannot promise
 * that: it reaches the gateway's fiber some time after the write, and a request may come first. The gateway's
 * own writes are fingerprinted as they land and cost no re-read. (A write by another process between our rename
 * and our stat is taken for ours; the watch event's debounced refresh reads it shortly after.)
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
}

export const makeStoreChanges = (fingerprint: FileWatcherShape["fingerprint"], fingerprintNow?: FileWatcherShape["fingerprintNow"]): StoreChanges => {
  const known = new Map<string, string | undefined>()
  return {
    beforeRead: (paths) =>
      Effect.map(Effect.forEach(paths, (p) => Effect.map(fingerprint(p), (f) => [p, f] as const)), (entries) => new Map(entries)),
    afterRead: (paths, before) =>
      Effect.forEach(paths, (p) => Effect.map(before.has(p) ? Effect.succeed(before.get(p)) : fingerprint(p), (f) => void known.set(p, f)), { discard: true }),
    written: (path) => Effect.map(fingerprint(path), (f) => void known.set(path, f)),
    changed: Effect.suspend(() => Effect.exists(known, ([path, seen]) => Effect.map(fingerprint(path), (now) => now !== seen))),
    changedNow: () => {
      if (fingerprintNow === undefined) return undefined
      for (const [path, seen] of known) if (fingerprintNow(path) !== seen) return true
      return false
    }
  }
}
