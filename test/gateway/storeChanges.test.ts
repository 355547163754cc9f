import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { makeStoreChanges } from "../../src/gateway/StoreChanges.js"

/** Files as fingerprints a test changes by hand. */
const disk = () => {
  const files = new Map<string, string>([["/s/a.json", "v1"]])
  return { files, fingerprint: (p: string) => Effect.sync(() => files.get(p)) }
}

describe("StoreChanges: which watch events mean a re-read before the next request", () => {
  it.effect("no event: nothing to check; another process's write: changed; the gateway's own write: not", () =>
    Effect.gen(function* () {
      const d = disk()
      const changes = makeStoreChanges(d.fingerprint)
      yield* changes.afterRead(["/s/a.json"], yield* changes.beforeRead(["/s/a.json"]))
      expect(changes.anySuspect()).toBe(false)
      // The CLI replaces the file.
      d.files.set("/s/a.json", "v2")
      changes.suspect("/s/a.json")
      expect(yield* changes.changed).toBe(true)
      expect(changes.anySuspect()).toBe(false)
      // The gateway writes it itself; the watch reports that too.
      d.files.set("/s/a.json", "v3")
      yield* changes.written("/s/a.json")
      changes.suspect("/s/a.json")
      expect(yield* changes.changed).toBe(false)
    }))

  it.effect("a write while a read runs is still noticed after it", () =>
    Effect.gen(function* () {
      const d = disk()
      const changes = makeStoreChanges(d.fingerprint)
      const before = yield* changes.beforeRead(["/s/a.json"])
      d.files.set("/s/a.json", "v2") // lands after the fingerprint, maybe before the read
      changes.suspect("/s/a.json")
      yield* changes.afterRead(["/s/a.json"], before)
      expect(yield* changes.changed).toBe(true)
    }))
})
