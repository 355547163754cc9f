import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { FileError } from "../../src/domain/Errors.js"
import { FileLock } from "../../src/services/FileLock.js"
import { Files, type FileInfo } from "../../src/services/Files.js"

export interface MemoryEntry {
  content: string
  mode: number
}

/**
 * An in-memory file system that behaves like a non-root user's view: mode 000 files cannot be read, a directory
 * where a file belongs is EISDIR, writes replace whole files. `dirs` lists paths that are directories.
 */
export class MemoryFs {
  readonly files = new Map<string, MemoryEntry>()
  readonly dirs = new Map<string, number>()
  writes = 0
  failWritesWith: string | undefined
  /** Writes to these paths fail with the code given (a full disk, a lock held elsewhere, under one file only). */
  readonly failWritesTo = new Map<string, string>()
  /** Paths another user owns (everything else is yours). */
  readonly notOwned = new Set<string>()
  /** Paths root owns. */
  readonly rootOwned = new Set<string>()
  /** Symlinks: path → the real path it leads to (stat and reads see the link's path as given). */
  readonly symlinks = new Map<string, string>()

  constructor(initial: Record<string, string | MemoryEntry> = {}) {
    for (const [path, v] of Object.entries(initial)) this.put(path, v)
  }

  put(path: string, v: string | MemoryEntry): void {
    this.files.set(path, typeof v === "string" ? { content: v, mode: 0o600 } : v)
    this.mkdirs(dirname(path))
  }

  mkdirs(dir: string, mode = 0o700): void {
    for (let d = dir; d !== "/" && d !== "" && !this.dirs.has(d); d = dirname(d)) this.dirs.set(d, mode)
  }

  read(path: string): string | undefined {
    return this.files.get(path)?.content
  }

  get layer(): Layer.Layer<Files> {
    return Layer.succeed(Files, {
      readText: (path) =>
        Effect.suspend(() => {
          if (this.dirs.has(path)) return Effect.fail(new FileError({ path, operation: "read", code: "EISDIR" }))
          const entry = this.files.get(path)
          if (!entry) return Effect.succeed(Option.none())
          if ((entry.mode & 0o400) === 0) return Effect.fail(new FileError({ path, operation: "read", code: "EACCES" }))
          return Effect.succeed(Option.some(entry.content))
        }),
      writeAtomic: (path, content) =>
        Effect.suspend(() => {
          const failWith = this.failWritesWith ?? this.failWritesTo.get(path)
          if (failWith) return Effect.fail(new FileError({ path, operation: "write", code: failWith }))
          if (this.dirs.has(path)) return Effect.fail(new FileError({ path, operation: "write", code: "EISDIR" }))
          this.writes++
          this.put(path, { content, mode: 0o600 })
          return Effect.void
        }),
      remove: (path) => Effect.sync(() => void this.files.delete(path)),
      stat: (path) =>
        Effect.sync(() => {
          const dirMode = this.dirs.get(path)
          const owner = { ownedByYou: !this.notOwned.has(path) && !this.rootOwned.has(path), ownedByRoot: this.rootOwned.has(path) }
          if (dirMode !== undefined) {
            return Option.some<FileInfo>({ isFile: false, isDirectory: true, mode: dirMode & 0o777, sticky: (dirMode & 0o1000) !== 0, ...owner })
          }
          const entry = this.files.get(path)
          return entry ? Option.some<FileInfo>({ isFile: true, isDirectory: false, mode: entry.mode & 0o777, sticky: false, ...owner }) : Option.none()
        }),
      realPath: (path) =>
        this.symlinks.has(path)
          ? Effect.succeed(this.symlinks.get(path)!)
          : this.dirs.has(path) || this.files.has(path)
          ? Effect.succeed(path)
          : Effect.fail(new FileError({ path, operation: "stat", code: "ENOENT" })),
      chmod: (path, mode) =>
        Effect.sync(() => {
          const entry = this.files.get(path)
          if (entry) entry.mode = mode
          else if (this.dirs.has(path)) this.dirs.set(path, mode)
        }),
      makeDirectory: (dir) => Effect.sync(() => this.mkdirs(dir)),
      isSymlink: (path) => Effect.sync(() => this.symlinks.has(path)),
      list: (dir) =>
        Effect.sync(() =>
          [...this.dirs.keys(), ...this.files.keys()].filter((p) => dirname(p) === dir).map((p) => p.slice(dir.length + 1))
        )
    })
  }
}

const dirname = (p: string): string => p.slice(0, Math.max(0, p.lastIndexOf("/"))) || "/"

/** One process: a lock per path is a semaphore. */
export const MemoryFileLock = Layer.sync(FileLock, () => {
  const locks = new Map<string, Effect.Semaphore>()
  return {
    withLock: (path, use) =>
      Effect.suspend(() => {
        let sem = locks.get(path)
        if (!sem) {
          sem = Effect.unsafeMakeSemaphore(1)
          locks.set(path, sem)
        }
        return sem.withPermits(1)(use)
      })
  }
})
