import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { makeStoreChanges, QUIET_WATCH_TRUSTED_MS } from "../../src/gateway/StoreChanges.js"

/** Files as fingerprints a test changes by hand; counts the stats. */
const disk = () => {
  const files = new Map<string, string>([["/s/a.json", "v1"], ["/s/b.json", "w1"]])
  let stats = 0
  return { files, stats: () => stats, fingerprint: (p: string) => Effect.sync(() => (stats++, files.get(p))) }
}

describe("StoreChanges: whether the next request must read the stores again", () => {
  it.effect("another process's write: changed at the next check, no watch event needed; the gateway's own write: not", () =>
    Effect.gen(function* () {
      const d = disk()
      const changes = makeStoreChanges(d.fingerprint)
      const paths = ["/s/a.json", "/s/b.json"]
      yield* changes.afterRead(paths, yield* changes.beforeRead(paths))
      expect(yield* changes.changed).toBe(false)
      // The CLI replaces a file.
      d.files.set("/s/b.json", "w2")
      expect(yield* changes.changed).toBe(true)
      yield* changes.afterRead(paths, yield* changes.beforeRead(paths))
      expect(yield* changes.changed).toBe(false)
      // The gateway writes one itself.
      d.files.set("/s/a.json", "v3")
      yield* changes.written("/s/a.json")
      expect(yield* changes.changed).toBe(false)
      // A store that disappears is a change too.
      d.files.delete("/s/a.json")
      expect(yield* changes.changed).toBe(true)
    }))

  it.effect("a write while a read runs is still noticed after it", () =>
    Effect.gen(function* () {
      const d = disk()
      const changes = makeStoreChanges(d.fingerprint)
      const before = yield* changes.beforeRead(["/s/a.json"])
      d.files.set("/s/a.json", "v2") // lands after the fingerprint, maybe before the read
      yield* changes.afterRead(["/s/a.json"], before)
      expect(yield* changes.changed).toBe(true)
    }))

  it.effect("a check costs one stat per store, and stops at the first change", () =>
    Effect.gen(function* () {
      const d = disk()
      const changes = makeStoreChanges(d.fingerprint)
      const paths = ["/s/a.json", "/s/b.json"]
      yield* changes.afterRead(paths, yield* changes.beforeRead(paths))
      const before = d.stats()
      yield* changes.changed
      expect(d.stats() - before).toBe(2)
      d.files.set("/s/a.json", "v2")
      const again = d.stats()
      yield* changes.changed
      expect(d.stats() - again).toBe(1)
    }))
})

/** A store whose fingerprints a test sets by hand, a clock it moves by hand, and the stats counted. */
const watched = () => {
  const files = new Map<string, string>([["/s/a.json", "v1"], ["/s/b.json", "w1"]])
  let stats = 0
  let ms = 0
  const fingerprintNow = (p: string) => (stats++, files.get(p))
  const changes = makeStoreChanges((p) => Effect.sync(() => fingerprintNow(p)), fingerprintNow, { now: () => ms })
  const paths = ["/s/a.json", "/s/b.json"]
  return { files, changes, paths, stats: () => stats, advance: (by: number) => void (ms += by) }
}

describe("StoreChanges with a watch: a quiet watch saves the per-request stat", () => {
  it.effect("while a watch hears every store and heard nothing, a check costs no stat; what it hears is checked", () =>
    Effect.gen(function* () {
      const w = watched()
      yield* w.changes.afterRead(w.paths, yield* w.changes.beforeRead(w.paths))
      w.changes.listener.watching(w.paths)
      // A watch that has just begun may have missed a change: the first check stats.
      const begun = w.stats()
      expect(w.changes.changedNow()).toBe(false)
      expect(w.stats() - begun).toBe(2)
      const quiet = w.stats()
      for (let i = 0; i < 10; i++) expect(w.changes.changedNow()).toBe(false)
      expect(yield* w.changes.changed).toBe(false)
      expect(w.stats() - quiet).toBe(0)
      // The CLI replaces a store: the watch hears it, and the next check finds it.
      w.files.set("/s/b.json", "w2")
      w.changes.listener.heard("/s/b.json")
      expect(w.changes.changedNow()).toBe(true)
      // Still changed (not yet read again): each check stats until the stores are read.
      expect(w.changes.changedNow()).toBe(true)
      yield* w.changes.afterRead(w.paths, yield* w.changes.beforeRead(w.paths))
      expect(w.changes.changedNow()).toBe(false)
      const again = w.stats()
      expect(w.changes.changedNow()).toBe(false)
      expect(w.stats() - again).toBe(0)
      // The gateway's own write is heard too; it costs one check and no re-read.
      w.files.set("/s/a.json", "v3")
      yield* w.changes.written("/s/a.json")
      w.changes.listener.heard("/s/a.json")
      expect(yield* w.changes.changed).toBe(false)
      const own = w.stats()
      expect(w.changes.changedNow()).toBe(false)
      expect(w.stats() - own).toBe(0)
    }))

  it.effect("a store no watch hears is statted at every check, and a watch that resumes is checked once", () =>
    Effect.gen(function* () {
      const w = watched()
      yield* w.changes.afterRead(w.paths, yield* w.changes.beforeRead(w.paths))
      // Only a.json is heard (b.json's directory could not be watched): every check stats.
      w.changes.listener.watching(["/s/a.json"])
      for (let i = 0; i < 3; i++) expect(w.changes.changedNow()).toBe(false)
      expect(w.stats()).toBeGreaterThanOrEqual(2 + 3 * 2)
      w.changes.listener.watching(["/s/b.json"])
      expect(w.changes.changedNow()).toBe(false)
      const quiet = w.stats()
      expect(w.changes.changedNow()).toBe(false)
      expect(w.stats()).toBe(quiet)
      // A watch is replaced: the new one begins before the old one ends, so nothing is unheard in between.
      w.changes.listener.watching(w.paths)
      w.changes.listener.lost(w.paths)
      expect(w.changes.changedNow()).toBe(false)
      const replaced = w.stats()
      expect(w.changes.changedNow()).toBe(false)
      expect(w.stats()).toBe(replaced)
      // The watch of b.json's directory ends (the directory was removed): a change there, unheard, is still found.
      w.changes.listener.lost(["/s/b.json"])
      w.files.set("/s/b.json", "w2")
      expect(w.changes.changedNow()).toBe(true)
      yield* w.changes.afterRead(w.paths, yield* w.changes.beforeRead(w.paths))
      expect(w.changes.changedNow()).toBe(false)
      // A change made while nothing heard b.json, then the watch resumes: its first check finds the change.
      w.files.set("/s/b.json", "w3")
      w.changes.listener.watching(["/s/b.json"])
      expect(w.changes.changedNow()).toBe(true)
    }))

  it.effect("a quiet watch is still checked by stat once a second: an event inotify dropped is found that late at most", () =>
    Effect.gen(function* () {
      const w = watched()
      yield* w.changes.afterRead(w.paths, yield* w.changes.beforeRead(w.paths))
      w.changes.listener.watching(w.paths)
      expect(w.changes.changedNow()).toBe(false)
      w.files.set("/s/a.json", "v2") // never heard
      w.advance(QUIET_WATCH_TRUSTED_MS - 1)
      expect(w.changes.changedNow()).toBe(false)
      w.advance(1)
      expect(w.changes.changedNow()).toBe(true)
      expect(yield* w.changes.changed).toBe(true)
    }))

  it.effect("a change heard while a check's stats run is checked again next time", () =>
    Effect.gen(function* () {
      const files = new Map([["/s/a.json", "v1"]])
      let during: (() => void) | undefined
      const fingerprintNow = (p: string) => {
        const f = files.get(p)
        during?.()
        return f
      }
      const changes = makeStoreChanges((p) => Effect.sync(() => fingerprintNow(p)), fingerprintNow, { now: () => 0 })
      yield* changes.afterRead(["/s/a.json"], yield* changes.beforeRead(["/s/a.json"]))
      changes.listener.watching(["/s/a.json"])
      // The stat read v1; the CLI's write lands and is heard just after it.
      during = () => {
        files.set("/s/a.json", "v2")
        changes.listener.heard("/s/a.json")
        during = undefined
      }
      expect(changes.changedNow()).toBe(false)
      expect(changes.changedNow()).toBe(true)
    }))

  it.effect("a check that waits (a fingerprint through a fiber) while the watch hears a change: the lane does not trust the watch meanwhile", () =>
    Effect.gen(function* () {
      const files = new Map([["/s/a.json", "v1"]])
      let stats = 0
      const fingerprintNow = (p: string) => (stats++, files.get(p))
      const gate = yield* Deferred.make<void>()
      let waitAtGate = false
      const fingerprint = (p: string) => Effect.zipRight(waitAtGate ? Deferred.await(gate) : Effect.void, Effect.sync(() => fingerprintNow(p)))
      const changes = makeStoreChanges(fingerprint, fingerprintNow, { now: () => 0 })
      yield* changes.afterRead(["/s/a.json"], yield* changes.beforeRead(["/s/a.json"]))
      changes.listener.watching(["/s/a.json"])
      expect(changes.changedNow()).toBe(false)
      expect(changes.changedNow()).toBe(false)
      const quiet = stats
      // The CLI writes, the watch hears it, and a fiber's check of it begins and waits: the lane still checks.
      files.set("/s/a.json", "v2")
      changes.listener.heard("/s/a.json")
      waitAtGate = true
      const fiberCheck = yield* Effect.fork(changes.changed)
      yield* Effect.yieldNow()
      expect(changes.changedNow()).toBe(true)
      expect(stats).toBeGreaterThan(quiet)
      yield* Deferred.succeed(gate, undefined)
      expect(yield* Fiber.join(fiberCheck)).toBe(true)
      yield* changes.afterRead(["/s/a.json"], yield* changes.beforeRead(["/s/a.json"]))
      waitAtGate = false
      // A check that began before the last event does not count for it, even when it found nothing.
      const gate2 = yield* Deferred.make<void>()
      const slow = makeStoreChanges((p) => Effect.zipRight(Deferred.await(gate2), Effect.sync(() => fingerprintNow(p))), fingerprintNow, { now: () => 0 })
      yield* slow.afterRead(["/s/a.json"], new Map([["/s/a.json", "v2"]]))
      slow.listener.watching(["/s/a.json"])
      const early = yield* Effect.fork(slow.changed)
      yield* Effect.yieldNow()
      slow.listener.heard("/s/a.json")
      yield* Deferred.succeed(gate2, undefined)
      expect(yield* Fiber.join(early)).toBe(false)
      const before = stats
      expect(slow.changedNow()).toBe(false)
      expect(stats - before).toBe(1)
      expect(slow.changedNow()).toBe(false)
      expect(stats - before).toBe(1)
    }))

  it.effect("a store no longer read (its agent removed from the config) is forgotten, and the watch is trusted again", () =>
    Effect.gen(function* () {
      const w = watched()
      yield* w.changes.afterRead(w.paths, yield* w.changes.beforeRead(w.paths))
      w.changes.listener.watching(w.paths)
      // The reload that dropped b's agent re-targets the watch, then reads only a.
      w.changes.listener.watching(["/s/a.json"])
      w.changes.listener.lost(w.paths)
      yield* w.changes.afterRead(["/s/a.json"], yield* w.changes.beforeRead(["/s/a.json"]))
      expect(w.changes.changedNow()).toBe(false)
      const quiet = w.stats()
      // b.json changes, but nobody reads it any more: no change, and no stat.
      w.files.set("/s/b.json", "w9")
      expect(w.changes.changedNow()).toBe(false)
      expect(w.stats()).toBe(quiet)
    }))
})
