import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { FileWatcher } from "../../src/gateway/FileWatcher.js"
import { FileWatcherLive } from "../../src/gateway/host.js"
import { eventually } from "../support/Child.js"

describe("FileWatcherLive: the files the gateway reloads on, heard through real directory watches", () => {
  it.live("a busy directory (the gateway's own log in its working directory) yields only the watched files' changes", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-watch-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
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
      // A store is replaced by a rename, as every write of ours and the CLI's does.
      fs.writeFileSync(`${store}.tmp`, "{}")
      fs.renameSync(`${store}.tmp`, store)
      yield* Effect.promise(() => eventually(() => heard.includes(store)))
      yield* Fiber.interrupt(running)
      // The .env write above may still be heard late; the log never is.
      expect(heard.filter((p) => p !== env && p !== store)).toEqual([])
    }).pipe(Effect.provide(FileWatcherLive), Effect.scoped)
  )
})
