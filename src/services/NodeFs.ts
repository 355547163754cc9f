import * as fs from "node:fs"

/**
 * node:fs's callback functions as promises, for the files every command reads and writes (./Files.ts). node:fs/promises
 * would do the same, but loading it loads node:readline and the directory watchers with it: ~0.6 ms of every
 * command's start-up (issue 16). The modules used only by some commands (locks, secrets, the login shell) import
 * node:fs/promises when they run.
 */
const call = <A>(f: (done: (error: NodeJS.ErrnoException | null, value: A) => void) => void): Promise<A> =>
  new Promise((resolve, reject) => f((error, value) => (error ? reject(error) : resolve(value))))

const done = (f: (done: (error: NodeJS.ErrnoException | null) => void) => void): Promise<void> =>
  new Promise((resolve, reject) => f((error) => (error ? reject(error) : resolve())))

export const stat = (file: string) => call<fs.Stats>((cb) => fs.stat(file, cb))
export const lstat = (file: string) => call<fs.Stats>((cb) => fs.lstat(file, cb))
export const readlink = (file: string) => call<string>((cb) => fs.readlink(file, cb))
/** The system's realpath(3), as node:fs/promises' realpath is. */
export const realpath = (file: string) => call<string>((cb) => fs.realpath.native(file, cb))
export const readdir = (dir: string) => call<Array<string>>((cb) => fs.readdir(dir, cb))
export const mkdir = (dir: string, mode: number) => done((cb) => fs.mkdir(dir, { recursive: true, mode }, (e) => cb(e)))
export const unlink = (file: string) => done((cb) => fs.unlink(file, cb))
export const rm = (file: string) => done((cb) => fs.rm(file, { force: true }, cb))
export const rename = (from: string, to: string) => done((cb) => fs.rename(from, to, cb))
export const chmod = (file: string, mode: number) => done((cb) => fs.chmod(file, mode, cb))

export const open = (file: string, flags: string | number, mode?: number) => call<number>((cb) => fs.open(file, flags, mode, cb))
export const fstat = (fd: number) => call<fs.Stats>((cb) => fs.fstat(fd, cb))
/** Reads at the descriptor's position; resolves with the count read (0 at the end). */
export const read = (fd: number, buffer: Buffer, offset: number, length: number) =>
  call<number>((cb) => fs.read(fd, buffer, offset, length, null, (e, bytesRead) => cb(e, bytesRead)))
export const writeAll = (fd: number, text: string) => done((cb) => fs.writeFile(fd, text, "utf8", cb))
export const fchmod = (fd: number, mode: number) => done((cb) => fs.fchmod(fd, mode, cb))
export const fsync = (fd: number) => done((cb) => fs.fsync(fd, cb))
export const close = (fd: number) => done((cb) => fs.close(fd, cb))
