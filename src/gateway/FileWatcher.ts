import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"

/**
 * Change notifications for directories (the live adapter uses `fs.watch`). Directories are watched rather than
 * files because every store and config write replaces the file by a rename, which a watch on the old inode misses.
 */
export interface FileWatcherShape {
  /** The full paths of entries that changed in any of `dirs`; a directory that does not exist is skipped. */
  readonly watch: (dirs: ReadonlyArray<string>) => Stream.Stream<string>
  /**
   * A cheap identity of a file as it is now (inode, size, modification time), undefined when absent: tells a change
   * made by another process from the gateway's own write that a watch event reports alike.
   */
  readonly fingerprint: (path: string) => Effect.Effect<string | undefined>
  /** `fingerprint` without a fiber, where it can be had so (one stat): what the gateway's lane checks per request. */
  readonly fingerprintNow?: (path: string) => string | undefined
}

export class FileWatcher extends Context.Tag("openclaw/FileWatcher")<FileWatcher, FileWatcherShape>() {}
