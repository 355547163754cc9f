import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"

/**
 * Change notifications for files (the live adapter uses `fs.watch`). Their directories are watched rather than the
 * files because every store and config write replaces the file by a rename, which a watch on the old inode misses.
 */
export interface FileWatcherShape {
  /**
   * The full path of any of `files` whose directory entry changed; a directory that does not exist is skipped. Only
   * these paths come out: the others in a busy directory (the gateway's own log, written into its working directory
   * for `.env`) are dropped where the change is heard, at the cost of a name comparison.
   */
  readonly watch: (files: ReadonlySet<string>) => Stream.Stream<string>
  /**
   * A cheap identity of a file as it is now (inode, size, modification time), undefined when absent: tells a change
   * made by another process from the gateway's own write that a watch event reports alike.
   */
  readonly fingerprint: (path: string) => Effect.Effect<string | undefined>
  /** `fingerprint` without a fiber, where it can be had so (one stat): what the gateway's lane checks per request. */
  readonly fingerprintNow?: (path: string) => string | undefined
}

export class FileWatcher extends Context.Tag("openclaw/FileWatcher")<FileWatcher, FileWatcherShape>() {}
