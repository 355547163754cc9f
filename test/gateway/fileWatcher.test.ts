import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { FileWatcher, type WatchListener } from "../../src/gateway/FileWatcher.js"
import { FileWatcherLive } from "../../src/gateway/host.js"
import { eventually } from "../support/Child.js"
import { scaled } from "../support/Timing.js"

/** A directory of its own for the test's scope. */
const scratchDirectory = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-watch-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** A file replaced the way every store and config writer does it: written aside, then renamed over it. */
const replaceByRename = (file: string) => {
  fs.writeFileSync(`${file}.tmp`, "{}")
  fs.renameSync(`${file}.tmp`, file)
}

/** A watch listener that writes down what it is told, in order (and the stream's emissions, if the test adds them). */
const recordingListener = () => {
  const said: Array<string> = []
  const listener: WatchListener = {
    watching: (files) => void said.push(...files.map((f) => `watching ${f}`)),
    heard: (file) => void said.push(`heard ${file}`),
    lost: (files) => void said.push(...files.map((f) => `lost ${f}`))
  }
  return { said, listener }
}

describe("FileWatcherLive: the files the gateway reloads on, heard through real directory watches", () => {
  it.live("a busy directory (the gateway's own log in its working directory) yields only the watched files' changes", () =>
    Effect.gen(function* () {
      const dir = yield* scratchDirectory
      const env = path.join(dir, ".env")
      const store = path.join(dir, "auth-profiles.json")
      const heard: Array<string> = []
      const watcher = yield* FileWatcher
      const running = yield* Effect.fork(Stream.runForEach(watcher.watch(new Set([env, store])), (p) => Effect.sync(() => void heard.push(p))))
      // The watch is in place once a change to a watched file is heard.
      yield* Effect.promise(() =>
        eventually(() => {
          fs.writeFileSync(env, "A=1\n")
          return heard.length > 0
        })
      )
      heard.length = 0
      const log = path.join(dir, "gateway.log")
      for (let i = 0; i < 200; i++) fs.appendFileSync(log, `line ${i}\n`)
      replaceByRename(store)
      yield* Effect.promise(() => eventually(() => heard.includes(store)))
      yield* Fiber.interrupt(running)
      // The .env write above may still be heard late; the log never is.
      expect(heard.filter((p) => p !== env && p !== store)).toEqual([])
    }).pipe(Effect.provide(FileWatcherLive), Effect.scoped)
  )

  it.live("its listener: which files it hears, each change as the callback hears it, and each file lost once", () =>
    Effect.gen(function* () {
      const root = yield* scratchDirectory
      const agent = path.join(root, "agent")
      fs.mkdirSync(agent)
      const store = path.join(agent, "auth-profiles.json")
      const config = path.join(root, "openclaw.json")
      const absent = path.join(root, "nowhere", "auth-profiles.json")
      const { said, listener } = recordingListener()
      const watcher = yield* FileWatcher
      const running = yield* Effect.fork(
        Stream.runForEach(watcher.watch(new Set([store, config, absent]), listener), (p) => Effect.sync(() => void said.push(`emitted ${p}`)))
      )
      // A directory that does not exist is not watched, so its file is never said to be heard.
      yield* Effect.promise(() => eventually(() => said.length === 2))
      expect([...said].sort()).toEqual([`watching ${config}`, `watching ${store}`].sort())
      yield* Effect.promise(() =>
        eventually(() => {
          fs.writeFileSync(store, "{}")
          return said.includes(`emitted ${store}`)
        })
      )
      // Heard in the callback itself, before the stream hands the change on.
      expect(said.indexOf(`heard ${store}`)).toBeLessThan(said.indexOf(`emitted ${store}`))
      // The agent directory goes away: its files are lost to the listener (until it is back).
      fs.rmSync(agent, { recursive: true })
      yield* Effect.promise(() => eventually(() => said.includes(`lost ${store}`)))
      yield* Fiber.interrupt(running)
      expect(said.filter((l) => l.startsWith("lost")).sort()).toEqual([`lost ${config}`, `lost ${store}`].sort())
    }).pipe(Effect.provide(FileWatcherLive), Effect.scoped)
  )

  it.live("a store that is a symlink is not said to be heard until it is a file again; a chmod of the directory renews the watch", () =>
    Effect.gen(function* () {
      const root = yield* scratchDirectory
      const agent = path.join(root, "agent")
      const elsewhere = path.join(root, "vault")
      fs.mkdirSync(agent)
      fs.mkdirSync(elsewhere)
      fs.writeFileSync(path.join(elsewhere, "auth-profiles.json"), "{}")
      const store = path.join(agent, "auth-profiles.json")
      fs.symlinkSync(path.join(elsewhere, "auth-profiles.json"), store)
      const { said, listener } = recordingListener()
      const watcher = yield* FileWatcher
      // A second file in the directory: once it is said to be watched, the watch is in place.
      const marker = path.join(agent, ".env")
      const running = yield* Effect.fork(Stream.runDrain(watcher.watch(new Set([store, marker]), listener)))
      const aboutStore = () => said.filter((l) => l.endsWith(` ${store}`))
      // Writes through the link land in the vault, where this watch hears nothing: the store is not "watching".
      yield* Effect.promise(() => eventually(() => said.includes(`watching ${marker}`)))
      expect(aboutStore()).toEqual([])
      // Replaced by a regular file (a rename, as every writer does): heard, and watched from now on.
      yield* Effect.promise(() =>
        eventually(() => {
          replaceByRename(store)
          return said.includes(`watching ${store}`)
        })
      )
      // chmod of the directory (what `doctor --fix` does) reads like its removal: the watch is renewed at once.
      const mark = said.length
      fs.chmodSync(agent, 0o700)
      yield* Effect.promise(() =>
        eventually(() => {
          replaceByRename(store)
          return said.slice(mark).includes(`heard ${store}`)
        })
      )
      expect(said.slice(mark).filter((l) => l.endsWith(` ${store}`) && !l.startsWith("heard"))).toEqual([`lost ${store}`, `watching ${store}`])
      // A symlink again: lost until it is a file again.
      fs.symlinkSync(path.join(elsewhere, "auth-profiles.json"), `${store}.link`)
      fs.renameSync(`${store}.link`, store)
      yield* Effect.promise(() => eventually(() => said.includes(`lost ${store}`)))
      yield* Fiber.interrupt(running)
      expect(aboutStore().filter((l) => !l.startsWith("heard"))).toEqual([`watching ${store}`, `lost ${store}`, `watching ${store}`, `lost ${store}`])
    }).pipe(Effect.provide(FileWatcherLive), Effect.scoped)
  )

  it.live("a directory removed and made again (a restored backup) is watched again, and its files come out as changed", () =>
    Effect.gen(function* () {
      const root = yield* scratchDirectory
      const agent = path.join(root, "agent")
      const store = path.join(agent, "auth-profiles.json")
      const later = path.join(root, "later", "auth-profiles.json")
      fs.mkdirSync(agent)
      const { said, listener } = recordingListener()
      const watcher = yield* FileWatcher
      const running = yield* Effect.fork(
        Stream.runForEach(watcher.watch(new Set([store, later]), listener), (p) => Effect.sync(() => void said.push(`emitted ${p}`)))
      )
      yield* Effect.promise(() => eventually(() => said.includes(`watching ${store}`)))
      fs.rmSync(agent, { recursive: true })
      yield* Effect.promise(() => eventually(() => said.includes(`lost ${store}`)))
      said.length = 0
      // Back, with a store written while nothing watched: it comes out, and the directory is heard again.
      fs.mkdirSync(agent)
      fs.writeFileSync(store, "{}")
      yield* Effect.promise(() => eventually(() => said.includes(`watching ${store}`) && said.includes(`emitted ${store}`), scaled(5_000)))
      said.length = 0
      replaceByRename(store)
      yield* Effect.promise(() => eventually(() => said.includes(`heard ${store}`)))
      // A directory missing from the start is watched once it exists.
      fs.mkdirSync(path.dirname(later))
      yield* Effect.promise(() => eventually(() => said.includes(`watching ${later}`), scaled(5_000)))
      fs.writeFileSync(later, "{}")
      yield* Effect.promise(() => eventually(() => said.includes(`heard ${later}`)))
      yield* Fiber.interrupt(running)
    }).pipe(Effect.provide(FileWatcherLive), Effect.scoped)
  )
})
