import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { isAscii } from "node:buffer"
import { constants } from "node:fs"
import { blockingReads, type FsCalls, threadPool } from "./NodeFs.js"
import * as path from "node:path"
import { DANGLING_LINK, errnoCode, FileError, NOT_A_REGULAR_FILE } from "../domain/Errors.js"
import { serviceLayer } from "./LayerInOrder.js"

export interface FileInfo {
  readonly isFile: boolean
  readonly isDirectory: boolean
  /** Permission bits only, e.g. 0o600. */
  readonly mode: number
  /** The sticky bit: a directory others share, such as /tmp. */
  readonly sticky: boolean
  /** Owned by the user running openclaw. */
  readonly ownedByYou: boolean
  /** Owned by root: trusted like the user's own (§9, a secrets file or an exec provider's command). */
  readonly ownedByRoot: boolean
}

/** The file-system port: text files, atomic writes and modes. Everything openclaw stores goes through it. */
export interface FilesShape {
  /** `None` when the file does not exist; anything but a regular file is refused without blocking. */
  readonly readText: (path: string) => Effect.Effect<Option.Option<string>, FileError>
  /**
   * Atomic replace (§3.3): parents created 0700, a temp file in the target's real directory written 0600 and
   * fsynced, renamed over the target; a symlinked target is replaced at its real location, keeping the link.
   */
  readonly writeAtomic: (path: string, content: string) => Effect.Effect<void, FileError>
  readonly remove: (path: string) => Effect.Effect<void, FileError>
  readonly stat: (path: string) => Effect.Effect<Option.Option<FileInfo>, FileError>
  /** Where the path really is, every symlink resolved. */
  readonly realPath: (path: string) => Effect.Effect<string, FileError>
  readonly chmod: (path: string, mode: number) => Effect.Effect<void, FileError>
  readonly makeDirectory: (path: string) => Effect.Effect<void, FileError>
  /** The names in a directory; none when it does not exist (an audit looks for agent dirs nobody configured). */
  readonly list: (dir: string) => Effect.Effect<ReadonlyArray<string>, FileError>
  /** Whether the path itself is a symlink (not followed); false when it does not exist. */
  readonly isSymlink: (path: string) => Effect.Effect<boolean, FileError>
}

export class Files extends Context.Tag("openclaw/Files")<Files, FilesShape>() {
  /** The disk through the thread pool: what the gateway, serving many requests at once, uses (./NodeFs.ts). */
  static readonly layer = serviceLayer(Files, Effect.sync(() => makeNodeFiles(threadPool)))
  /** Reads through blocking calls, writes through the thread pool: what a CLI command uses (./NodeFs.ts). */
  static readonly blocking = serviceLayer(Files, Effect.sync(() => makeNodeFiles({ ...threadPool, ...blockingReads })))
}

/** The nearest parent of `file` that exists and is not a directory (what ENOTDIR is about), if one is found. */
const fileInTheWay = async (fs: FsCalls, file: string): Promise<string | undefined> => {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const info = await fs.stat(dir).catch(() => undefined)
    if (info !== undefined) return info.isDirectory() ? undefined : dir
  }
  return undefined
}

/** The FileError for a failed operation; an ENOTDIR names the parent in the way, since the message cannot guess it. */
const fileError = (fs: FsCalls, file: string, operation: FileError["operation"], e: unknown): Effect.Effect<never, FileError> => {
  const code = errnoCode(e)
  if (code !== "ENOTDIR") return Effect.fail(new FileError({ path: file, operation, code }))
  return Effect.promise(() => fileInTheWay(fs, file)).pipe(
    Effect.flatMap((blockedBy) => Effect.fail(new FileError({ path: file, operation, code, ...(blockedBy === undefined ? {} : { blockedBy }) })))
  )
}

const attempt = <A>(fs: FsCalls, file: string, operation: FileError["operation"], run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (e) => e }).pipe(Effect.catchAll((e) => fileError(fs, file, operation, e)))

/** Follows a chain of symlinks to the path that should really be replaced, even if its target does not exist. */
const realTarget = async (fs: FsCalls, file: string): Promise<string> => {
  let current = file
  for (let hops = 0; hops < 32; hops++) {
    try {
      const link = await fs.readlink(current)
      current = path.resolve(path.dirname(current), link)
    } catch (e) {
      if (errnoCode(e) === "EINVAL" || errnoCode(e) === "ENOENT") return current
      throw e
    }
  }
  throw Object.assign(new Error("symlink loop"), { code: "ELOOP" })
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return errnoCode(e) === "EPERM"
  }
}

/**
 * A writer killed between creating its temp file and renaming it leaves `.<name>.<pid>.<hex>.tmp` behind, which
 * may hold a secret. Removes those whose writer is gone; a live writer's temp file is left alone.
 */
const removeOrphanedTemps = async (fs: FsCalls, dir: string, base: string): Promise<void> => {
  const prefix = `.${base}.`
  const names = await fs.readdir(dir).catch(() => [] as Array<string>)
  for (const name of names) {
    const match = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length)) : null
    if (match && Number(match[1]) !== process.pid && !isAlive(Number(match[1]))) {
      await fs.unlink(path.join(dir, name)).catch(() => undefined)
    }
  }
}

const writeAtomicNode = async (fs: FsCalls, file: string, content: string): Promise<void> => {
  const target = await realTarget(fs, file)
  const dir = path.dirname(target)
  if (target === file) await fs.mkdir(dir, 0o700)
  // Through a symlink the file goes where the link points, but no directory is made there: a link into nowhere
  // (a moved disk, a typo) must not create directories outside the state dir (§11).
  else if (!(await fs.stat(dir).then((s) => s.isDirectory(), () => false))) throw Object.assign(new Error("dangling link"), { code: DANGLING_LINK })
  await removeOrphanedTemps(fs, dir, path.basename(target))
  // Unique enough with the pid; "wx" below makes a clash an error rather than a shared file. (node:crypto would
  // cost every command its load time for this.)
  const nonce = Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, "0")
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${nonce}.tmp`)
  const fd = await fs.open(tmp, "wx", 0o600)
  try {
    try {
      await fs.writeAll(fd, content)
      await fs.fchmod(fd, 0o600)
      await fs.fsync(fd)
    } finally {
      await fs.close(fd)
    }
    await fs.rename(tmp, target)
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined)
    throw e
  }
  // Make the rename itself durable; not every file system lets a directory be fsynced.
  const dirFd = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NONBLOCK).catch(() => undefined)
  if (dirFd === undefined) return
  await fs.fsync(dirFd).catch(() => undefined)
  await fs.close(dirFd)
}

const refuse = (code: string): never => {
  throw Object.assign(new Error(code), { code })
}

/**
 * Only a regular file is read (§11): opening a FIFO waits for a writer forever, a device may never end. Checked
 * before opening, and again on the open descriptor (opened non-blocking, so even a FIFO swapped in meanwhile cannot
 * hold the open), which is what is really read.
 */
const readRegularFile = async (fs: FsCalls, file: string): Promise<string> => {
  const before = await fs.stat(file)
  if (before.isDirectory()) refuse("EISDIR")
  if (!before.isFile()) refuse(NOT_A_REGULAR_FILE)
  const fd = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  try {
    const opened = await fs.fstat(fd)
    if (!opened.isFile()) refuse(NOT_A_REGULAR_FILE)
    // Decoded in one go: readFile("utf8") decodes chunk by chunk into a rope that JSON.parse must flatten again
    // (measured ~20 % more CPU for reading and parsing a 5.7 MB store). Stores and configs are nearly always
    // ASCII: checked first (SIMD), such bytes are the same string read as latin1, which Node makes without
    // decoding (as the launcher reads the bundle). On a 5.7 MB store: 0.4–0.5 ms against 27–50 ms for UTF-8 when
    // warm; in a cold CLI the copy's fresh memory still costs ~30 ms against ~39 ms (CPU profile).
    const bytes = await readAll(fs, fd, opened.size)
    return bytes.toString(isAscii(bytes) ? "latin1" : "utf8")
  } finally {
    await fs.close(fd)
  }
}

/**
 * The rest of an open regular file of about `size` bytes, in one read when it does not change meanwhile (then one
 * more, to see its end). readFile() reads 512 KiB at a time, each a trip through the thread pool and the
 * event loop: twelve for a 5.7 MB store, and each waits its turn on a busy machine.
 */
const readAll = async (fs: FsCalls, fd: number, size: number): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  // One byte more than expected: filling it means the file grew, and reading goes on in further chunks.
  let buffer = Buffer.allocUnsafe(size + 1)
  let filled = 0
  for (;;) {
    if (filled === buffer.length) {
      chunks.push(buffer)
      buffer = Buffer.allocUnsafe(64 * 1024)
      filled = 0
    }
    const bytesRead = await fs.read(fd, buffer, filled, buffer.length - filled)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  chunks.push(buffer.subarray(0, filled))
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
}

const makeNodeFiles = (fs: FsCalls): FilesShape => ({
  readText: (file) =>
    Effect.tryPromise({
      try: () => readRegularFile(fs, file).then(Option.some),
      catch: (e) => e
    }).pipe(
      Effect.catchAll((e) =>
        errnoCode(e) === "ENOENT"
          ? Effect.succeed(Option.none<string>())
          : fileError(fs, file, "read", e)
      )
    ),
  writeAtomic: (file, content) => attempt(fs, file, "write", () => writeAtomicNode(fs, file, content)),
  remove: (file) => attempt(fs, file, "remove", () => fs.rm(file)),
  stat: (file) =>
    Effect.tryPromise({ try: () => fs.stat(file), catch: (e) => e }).pipe(
      Effect.map((s) =>
        Option.some({
          isFile: s.isFile(),
          isDirectory: s.isDirectory(),
          mode: s.mode & 0o777,
          sticky: (s.mode & 0o1000) !== 0,
          ownedByYou: s.uid === (process.getuid?.() ?? s.uid),
          ownedByRoot: s.uid === 0
        })
      ),
      Effect.catchAll((e) =>
        errnoCode(e) === "ENOENT" || errnoCode(e) === "ENOTDIR"
          ? Effect.succeed(Option.none<FileInfo>())
          : fileError(fs, file, "stat", e)
      )
    ),
  realPath: (file) => attempt(fs, file, "stat", () => fs.realpath(file)),
  chmod: (file, mode) => attempt(fs, file, "chmod", () => fs.chmod(file, mode)),
  makeDirectory: (dir) => attempt(fs, dir, "mkdir", () => fs.mkdir(dir, 0o700)),
  list: (dir) =>
    attempt(fs, dir, "read", () =>
      fs.readdir(dir).catch((e) => (errnoCode(e) === "ENOENT" || errnoCode(e) === "ENOTDIR" ? [] : Promise.reject(e)))
    ),
  isSymlink: (file) =>
    attempt(fs, file, "stat", () =>
      fs.lstat(file).then(
        (s) => s.isSymbolicLink(),
        (e) => (errnoCode(e) === "ENOENT" || errnoCode(e) === "ENOTDIR" ? false : Promise.reject(e))
      )
    )
})
