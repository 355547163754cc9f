import * as fs from "node:fs"

/**
 * The file-system calls ./Files.ts makes, as promises, made one of two ways (below). node:fs/promises would be the
 * first, but loading it loads node:readline and the directory watchers with it: ~0.6 ms of every command's start-up
 * (issue 16). The modules used only by some commands (locks aside: secrets, the login shell) import it when they run.
 */
export interface FsCalls {
  readonly stat: (file: string) => Promise<fs.Stats>
  readonly lstat: (file: string) => Promise<fs.Stats>
  readonly readlink: (file: string) => Promise<string>
  /** The system's realpath(3), as node:fs/promises' realpath is. */
  readonly realpath: (file: string) => Promise<string>
  readonly readdir: (dir: string) => Promise<Array<string>>
  /** With its parents, as `mkdir -p`. */
  readonly mkdir: (dir: string, mode: number) => Promise<void>
  readonly unlink: (file: string) => Promise<void>
  /** Nothing there is not an error. */
  readonly rm: (file: string) => Promise<void>
  readonly rename: (from: string, to: string) => Promise<void>
  readonly chmod: (file: string, mode: number) => Promise<void>
  readonly open: (file: string, flags: string | number, mode?: number) => Promise<number>
  readonly fstat: (fd: number) => Promise<fs.Stats>
  /** Reads at the descriptor's position; the count read (0 at the end). */
  readonly read: (fd: number, buffer: Buffer, offset: number, length: number) => Promise<number>
  readonly writeAll: (fd: number, text: string) => Promise<void>
  readonly fchmod: (fd: number, mode: number) => Promise<void>
  readonly fsync: (fd: number) => Promise<void>
  readonly close: (fd: number) => Promise<void>
}

const call = <A>(f: (done: (error: NodeJS.ErrnoException | null, value: A) => void) => void): Promise<A> =>
  new Promise((resolve, reject) => f((error, value) => (error ? reject(error) : resolve(value))))

const done = (f: (done: (error: NodeJS.ErrnoException | null) => void) => void): Promise<void> =>
  new Promise((resolve, reject) => f((error) => (error ? reject(error) : resolve())))

/** Through libuv's thread pool: the event loop never waits on the disk. What a long-running gateway needs. */
export const threadPool: FsCalls = {
  stat: (file) => call((cb) => fs.stat(file, cb)),
  lstat: (file) => call((cb) => fs.lstat(file, cb)),
  readlink: (file) => call((cb) => fs.readlink(file, cb)),
  realpath: (file) => call((cb) => fs.realpath.native(file, cb)),
  readdir: (dir) => call((cb) => fs.readdir(dir, cb)),
  mkdir: (dir, mode) => done((cb) => fs.mkdir(dir, { recursive: true, mode }, (e) => cb(e))),
  unlink: (file) => done((cb) => fs.unlink(file, cb)),
  rm: (file) => done((cb) => fs.rm(file, { force: true }, cb)),
  rename: (from, to) => done((cb) => fs.rename(from, to, cb)),
  chmod: (file, mode) => done((cb) => fs.chmod(file, mode, cb)),
  open: (file, flags, mode) => call((cb) => fs.open(file, flags, mode, cb)),
  fstat: (fd) => call((cb) => fs.fstat(fd, cb)),
  read: (fd, buffer, offset, length) => call((cb) => fs.read(fd, buffer, offset, length, null, (e, bytesRead) => cb(e, bytesRead))),
  writeAll: (fd, text) => done((cb) => fs.writeFile(fd, text, "utf8", cb)),
  fchmod: (fd, mode) => done((cb) => fs.fchmod(fd, mode, cb)),
  fsync: (fd) => done((cb) => fs.fsync(fd, cb)),
  close: (fd) => done((cb) => fs.close(fd, cb))
}

const now = <A>(f: () => A): Promise<A> => {
  try {
    return Promise.resolve(f())
  } catch (e) {
    return Promise.reject(e)
  }
}

/** The calls that look and read, not write. */
export type FsReads = Pick<FsCalls, "stat" | "lstat" | "readlink" | "realpath" | "readdir" | "open" | "fstat" | "read" | "close">

/**
 * Those as blocking system calls, their promises settled at once: for a CLI command, which has nothing else to do
 * while it waits. Each trip through the thread pool and back is a thread woken and an event-loop turn, which a cold
 * process pays dearly: `models status --check` makes ~20 of them, and reading this way saves it ~2 ms (issue 16). A
 * FIFO still cannot hold an open (Files opens non-blocking); a hung network mount holds the command, Ctrl-C included,
 * until the call returns. Writing and syncing stay on the thread pool: a held lock is refreshed by a timer, which a
 * long blocking fsync would starve.
 */
export const blockingReads: FsReads = {
  stat: (file) => now(() => fs.statSync(file)),
  lstat: (file) => now(() => fs.lstatSync(file)),
  readlink: (file) => now(() => fs.readlinkSync(file)),
  realpath: (file) => now(() => fs.realpathSync.native(file)),
  readdir: (dir) => now(() => fs.readdirSync(dir)),
  open: (file, flags, mode) => now(() => fs.openSync(file, flags, mode)),
  fstat: (fd) => now(() => fs.fstatSync(fd)),
  read: (fd, buffer, offset, length) => now(() => fs.readSync(fd, buffer, offset, length, null)),
  close: (fd) => now(() => fs.closeSync(fd))
}
