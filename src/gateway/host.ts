/**
 * Edge adapters of the gateway that touch the process: directory watches, signals, and the facts a service
 * definition needs. Light on purpose: `gateway install` loads this without the HTTP server.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as path from "node:path"
import { FileWatcher, type WatchListener } from "./FileWatcher.js"

function fingerprintNow(file: string): string | undefined {
  try {
    const s = fs.statSync(file, { throwIfNoEntry: false })
    return s === undefined ? undefined : `${s.ino}:${s.size}:${s.mtimeMs}`
  } catch {
    return undefined
  }
}

/** The files to watch by directory: each directory's entry names that matter, and their full paths. */
const byDirectory = (files: ReadonlySet<string>): Map<string, Map<string, string>> => {
  const dirs = new Map<string, Map<string, string>>()
  for (const file of files) {
    const dir = path.dirname(file)
    let names = dirs.get(dir)
    if (names === undefined) dirs.set(dir, (names = new Map()))
    names.set(path.basename(file), file)
  }
  return dirs
}

/** A symlink's target changes where its directory's watch does not hear it (writes go through the link). */
const isLink = (file: string): boolean => {
  try {
    return fs.lstatSync(file).isSymbolicLink()
  } catch {
    return false
  }
}

/** How often a directory that is missing, or went away, is looked for again. */
const LOOK_AGAIN_MS = 1000

/**
 * One directory's `fs.watch`, for the files of it that matter (`names`); returns its stop. Once the directory is
 * removed or moved away inotify hears nothing more there, so its files are lost to the listener; while it is missing
 * (from the start, or since) it is looked for every second, and once back it is watched again and its files reported
 * changed (they may be anything now). A file that is a symlink is not heard either (its entry is checked again
 * whenever it changes).
 */
const watchDirectory = (dir: string, names: ReadonlyMap<string, string>, listener: WatchListener | undefined, changed: (file: string) => void): (() => void) => {
  /** The files the listener was told are heard: the watch alive, not symlinks. */
  const heard = new Set<string>()
  const hear = (file: string, yes: boolean) => {
    if (yes === heard.has(file)) return
    if (yes) {
      heard.add(file)
      listener?.watching([file])
    } else {
      heard.delete(file)
      listener?.lost([file])
    }
  }
  const self = path.basename(dir)
  let watcher: fs.FSWatcher | undefined
  let lookAgain: NodeJS.Timeout | undefined
  let stopped = false
  const unwatch = () => {
    watcher?.close()
    watcher = undefined
    for (const file of [...heard]) hear(file, false)
  }
  /** Watched again: what is there now may be anything, so every file is reported changed. */
  const startAgain = (): boolean => {
    if (!start()) return false
    for (const file of names.values()) changed(file)
    return true
  }
  const lookAgainLater = () => {
    if (stopped || lookAgain !== undefined) return
    lookAgain = setInterval(() => {
      if (!startAgain()) return
      clearInterval(lookAgain)
      lookAgain = undefined
    }, LOOK_AGAIN_MS)
    lookAgain.unref()
  }
  const renew = () => {
    unwatch()
    if (!startAgain()) lookAgainLater()
  }
  const start = (): boolean => {
    if (stopped) return false
    let w: fs.FSWatcher
    try {
      w = fs.watch(dir, { persistent: false }, (_event, name) => {
        if (w !== watcher) return
        const entry = name === null ? undefined : name.toString()
        const file = entry === undefined ? undefined : names.get(entry)
        if (file !== undefined) {
          if (listener !== undefined) {
            listener.heard(file)
            hear(file, !isLink(file))
          }
          changed(file)
        } else if (entry === undefined || entry === self) {
          // The directory itself: removed, moved away, or replaced (and a new one may even reuse its inode number),
          // or only chmod-ed: all read the same ("rename" under its own name). Rare enough to renew the watch.
          renew()
        }
      })
    } catch {
      return false
    }
    w.on("error", () => (w === watcher ? renew() : w.close()))
    watcher = w
    if (listener !== undefined) for (const file of names.values()) hear(file, !isLink(file))
    return true
  }
  if (!start()) lookAgainLater()
  return () => {
    stopped = true
    clearInterval(lookAgain)
    unwatch()
  }
}

/** `fs.watch` per directory (./FileWatcher.ts); see `watchDirectory` for one that is missing or goes away. */
export const FileWatcherLive = Layer.succeed(FileWatcher, {
  watch: (files, listener) =>
    Stream.asyncScoped<string>((emit) =>
      Effect.acquireRelease(
        Effect.sync(() => [...byDirectory(files)].map(([dir, names]) => watchDirectory(dir, names, listener, (file) => void emit.single(file)))),
        (stops) => Effect.sync(() => stops.forEach((stop) => stop()))
      )
    ),
  fingerprint: (file) => Effect.sync(() => fingerprintNow(file)),
  fingerprintNow
})

/** What a service definition runs: this node, and the real path of the `openclaw` script that was started. */
export const processFacts = Effect.sync(() => {
  const started = process.argv[1] ?? ""
  let script = started
  try {
    script = fs.realpathSync(started)
  } catch {
    // keep what we were started with
  }
  return { node: process.execPath, script: path.resolve(script) }
})

export type ShutdownSignal = "SIGTERM" | "SIGINT"

const ignore = (): void => undefined

/**
 * Waits for SIGTERM or SIGINT (while waiting, they no longer kill the process). A second one while shutting
 * down calls `onRepeat` (close every connection now). SIGHUP calls `onHangup` for as long as the scope lives.
 */
export const signals = (handlers: { readonly onHangup: () => void; readonly onRepeat: () => void }) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      let received: ShutdownSignal | undefined
      let wake: ((s: ShutdownSignal) => void) | undefined
      const onSignal = (s: ShutdownSignal) => () => {
        if (received !== undefined) return handlers.onRepeat()
        received = s
        wake?.(s)
      }
      const term = onSignal("SIGTERM")
      const int = onSignal("SIGINT")
      // The CLI runs under NodeRuntime.runMain, whose handlers would interrupt the whole program at the first
      // signal. While the gateway runs, it alone answers them: in-flight requests finish, and the command then
      // ends normally (exit 0, which is what a service manager expects after SIGTERM).
      for (const name of ["SIGTERM", "SIGINT"] as const) for (const l of process.listeners(name)) process.off(name, l)
      const hup = () => handlers.onHangup()
      process.on("SIGTERM", term)
      process.on("SIGINT", int)
      process.on("SIGHUP", hup)
      // Over a file-size limit (systemd LimitFSIZE=, ulimit -f) a write must fail with EFBIG and be logged. Node
      // ignores SIGXFSZ, but proper-lockfile's signal-exit re-raises it (killing us) unless someone else listens.
      process.on("SIGXFSZ", ignore)
      const next = Effect.async<ShutdownSignal>((resume) => {
        if (received !== undefined) return resume(Effect.succeed(received))
        wake = (s) => resume(Effect.succeed(s))
      })
      return { next, hup }
    }),
    // SIGTERM/SIGINT (and SIGXFSZ) stay caught until the process exits: a repeated signal during the last
    // moments of shutdown must not turn a clean exit into death by signal.
    (s) => Effect.sync(() => void process.off("SIGHUP", s.hup))
  ).pipe(Effect.map((s) => s.next))
