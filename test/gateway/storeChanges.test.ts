import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { makeStoreChanges } from "../../src/gateway/StoreChanges.js"

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
