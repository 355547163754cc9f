import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"

/**
 * Change notifications for files (the live adapter uses `fs.watch`). Their directories are watched rather than the
 * files because every store and config write replaces the file by a rename, which a watch on the old inode misses.
 */
export interface FileWatcherShape {
  /**
   * The full path of any of `files` whose directory entry changed. A directory that does not exist yet, or goes away,
   * is looked for again; once back, all its files come out (they may be anything now). Only these paths come out: the
   * others in a busy directory (the gateway's own log, written into its working directory for `.env`) are dropped
   * where the change is heard, at the cost of a name comparison.
   */
  readonly watch: (files: ReadonlySet<string>, listener?: WatchListener) => Stream.Stream<string>
  /**
   * A cheap identity of a file as it is now (inode, size, modification time), undefined when absent: tells a change
   * made by another process from the gateway's own write that a watch event reports alike.
   */
  readonly fingerprint: (path: string) => Effect.Effect<string | undefined>
  /** `fingerprint` without a fiber, where it can be had so (one stat): what the gateway's lane checks (./StoreChanges.ts). */
  readonly fingerprintNow?: (path: string) => string | undefined
}

/**
 * What a watch says at once, in the callback that hears it, before its stream emits anything: lets the gateway's
 * lane skip the per-request `stat` while a watch covers the stores (a fiber would hear it too late). Per file,
 * `watching` and `lost` alternate, `watching` first. Called from the watch's callbacks: it must not throw.
 */
export interface WatchListener {
  /** The watch now hears changes to these files. */
  readonly watching: (files: ReadonlyArray<string>) => void
  /** A watched file's directory entry changed. */
  readonly heard: (file: string) => void
  /** The watch no longer hears these files: their directory went away, one became a symlink, the watch failed or ended. */
  readonly lost: (files: ReadonlyArray<string>) => void
}

export class FileWatcher extends Context.Tag("openclaw/FileWatcher")<FileWatcher, FileWatcherShape>() {}
