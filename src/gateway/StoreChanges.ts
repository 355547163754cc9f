import * as Effect from "effect/Effect"
import type { FileWatcherShape } from "./FileWatcher.js"

/**
 * Which store files changed on disk since the gateway last read or wrote them. A watch event only makes a file a
 * suspect (no debounce); the next request compares the suspects' fingerprints with what the gateway last saw, so
 * a change by another process — the CLI's `models auth cooldowns clear` — is read before that request chooses a
 * profile, while the gateway's own writes, which the watch reports alike, cost one stat and no re-read. Without an
 * event a request costs one check of an empty set.
 */
export interface StoreChanges {
  /** A watch event named this store file. */
  readonly suspect: (path: string) => void
  /** Before reading these stores: their fingerprints now (so a write during the read is still noticed later). */
  readonly beforeRead: (paths: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, string | undefined>>
  /** After a read: what the stores were when it began; paths not seen before are fingerprinted now. */
  readonly afterRead: (paths: ReadonlyArray<string>, before: ReadonlyMap<string, string | undefined>) => Effect.Effect<void>
  /** After the gateway wrote this store itself. */
  readonly written: (path: string) => Effect.Effect<void>
  /** Whether a suspect differs from what the gateway last saw (the suspects are cleared). */
  readonly changed: Effect.Effect<boolean>
  readonly anySuspect: () => boolean
}

export const makeStoreChanges = (fingerprint: FileWatcherShape["fingerprint"]): StoreChanges => {
  const known = new Map<string, string | undefined>()
  const suspects = new Set<string>()
  return {
    suspect: (path) => void suspects.add(path),
    beforeRead: (paths) =>
      Effect.suspend(() => {
        // The read about to start covers every event so far.
        suspects.clear()
        return Effect.map(Effect.forEach(paths, (p) => Effect.map(fingerprint(p), (f) => [p, f] as const)), (entries) => new Map(entries))
      }),
    afterRead: (paths, before) =>
      Effect.forEach(paths, (p) => Effect.map(before.has(p) ? Effect.succeed(before.get(p)) : fingerprint(p), (f) => void known.set(p, f)), { discard: true }),
    written: (path) => Effect.map(fingerprint(path), (f) => void known.set(path, f)),
    changed: Effect.suspend(() => {
      const paths = [...suspects]
      suspects.clear()
      return Effect.map(Effect.forEach(paths, (p) => fingerprint(p)), (now) => now.some((f, i) => f !== known.get(paths[i]!)))
    }),
    anySuspect: () => suspects.size > 0
  }
}
