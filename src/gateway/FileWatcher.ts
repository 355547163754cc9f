import * as Context from "effect/Context"
import type * as Stream from "effect/Stream"

/**
 * Change notifications for directories (the live adapter uses `fs.watch`). Directories are watched rather than
 * files because every store and config write replaces the file by a rename, which a watch on the old inode misses.
 */
export interface FileWatcherShape {
  /** The full paths of entries that changed in any of `dirs`; a directory that does not exist is skipped. */
  readonly watch: (dirs: ReadonlyArray<string>) => Stream.Stream<string>
}

export class FileWatcher extends Context.Tag("openclaw/FileWatcher")<FileWatcher, FileWatcherShape>() {}
