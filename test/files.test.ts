import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { spawnSync } from "node:child_process"
import { lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Files } from "../src/services/Files.js"

// Both live adapters: the gateway's through the thread pool, the CLI's with blocking calls (services/NodeFs.ts).
describe.each([
  ["thread pool", Files.layer],
  ["blocking calls", Files.blocking]
] as const)("Files live adapter (§3.3), %s", (_name, layer) => {
  const run = <A, E>(effect: Effect.Effect<A, E, Files>) => Effect.provide(effect, layer)

  it.effect("writes atomically with 0600 files in 0700 directories it creates", () =>
    run(
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "openclaw-files-"))
        const file = join(dir, "a", "b", "store.json")
        const files = yield* Files
        yield* files.writeAtomic(file, "one")
        yield* files.writeAtomic(file, "two")
        expect(readFileSync(file, "utf8")).toBe("two")
        expect(statSync(file).mode & 0o777).toBe(0o600)
        expect(statSync(join(dir, "a")).mode & 0o777).toBe(0o700)
        expect(readdirSync(join(dir, "a", "b"))).toEqual(["store.json"])
        expect(Option.getOrThrow(yield* files.readText(file))).toBe("two")
        expect(yield* files.readText(join(dir, "missing"))).toEqual(Option.none())
      })
    )
  )

  it.effect("reads ASCII and UTF-8 text alike (ASCII takes the latin1 path), invalid bytes as U+FFFD", () =>
    run(
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "openclaw-files-"))
        const files = yield* Files
        const cases = ['{"email":"plain@example.com"}', '{"email":"zoë@example.com","note":"…€𝄞"}', ""]
        for (const [i, text] of cases.entries()) {
          writeFileSync(join(dir, `t${i}.json`), text)
          expect(Option.getOrThrow(yield* files.readText(join(dir, `t${i}.json`)))).toBe(text)
        }
        // A lone 0xE9 (latin1 é) is not UTF-8: it must not come back as "é", as a latin1 read would give.
        writeFileSync(join(dir, "bad.json"), Buffer.from([0x22, 0xe9, 0x22]))
        expect(Option.getOrThrow(yield* files.readText(join(dir, "bad.json")))).toBe('"\uFFFD"')
      })
    )
  )

  it.effect("replaces a symlinked file at its real location and keeps the link", () =>
    run(
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "openclaw-files-"))
        writeFileSync(join(dir, "real.json"), "old")
        symlinkSync("real.json", join(dir, "link.json"))
        yield* (yield* Files).writeAtomic(join(dir, "link.json"), "new")
        expect(lstatSync(join(dir, "link.json")).isSymbolicLink()).toBe(true)
        expect(readFileSync(join(dir, "real.json"), "utf8")).toBe("new")
      })
    )
  )

  it.effect("removes temp files left by a killed writer, but not a live writer's", () =>
    run(
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "openclaw-files-"))
        const dead = spawnSync(process.execPath, ["-e", "0"]).pid!
        writeFileSync(join(dir, `.store.json.${dead}.abcd1234.tmp`), "secret left behind")
        writeFileSync(join(dir, `.store.json.${process.ppid}.abcd1234.tmp`), "a live writer")
        writeFileSync(join(dir, `.other.json.${dead}.abcd1234.tmp`), "another file's")
        yield* (yield* Files).writeAtomic(join(dir, "store.json"), "x")
        expect(readdirSync(dir).sort()).toEqual([`.other.json.${dead}.abcd1234.tmp`, `.store.json.${process.ppid}.abcd1234.tmp`, "store.json"])
      })
    )
  )

  it.effect("reports a directory where a file belongs with the fix", () =>
    run(
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "openclaw-files-"))
        const error = yield* Effect.flip((yield* Files).readText(dir))
        expect(error.message).toBe(`Cannot read ${dir}: is a directory, not a file. Fix: move the directory ${dir} out of the way.`)
      })
    )
  )

  it.effect("refuses a FIFO, a socket or a device without blocking, and says what it is (§11)", () =>
    run(
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "openclaw-files-"))
        const fifo = join(dir, "auth-profiles.json")
        expect(spawnSync("mkfifo", [fifo]).status).toBe(0)
        const files = yield* Files
        // Opening a FIFO for reading waits for a writer: without the check this never returns.
        const error = yield* Effect.flip(files.readText(fifo)).pipe(
          Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("readText blocked on a FIFO") })
        )
        expect(error.message).toBe(
          `Cannot read ${fifo}: not a regular file (a FIFO, socket or device); openclaw reads only regular files. Fix: move ${fifo} out of the way, or put the regular file it should be in its place.`
        )
        const device = yield* Effect.flip(files.readText("/dev/zero")).pipe(
          Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("readText read /dev/zero") })
        )
        expect(device.message).toContain("not a regular file")
        expect(lstatSync(fifo).isFIFO()).toBe(true)
      })
    )
  )
  it.effect("a path under a file: the error names the parent in the way, for reads, stats and writes", () =>
    run(
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "openclaw-files-"))
        const blocker = join(dir, "state")
        writeFileSync(blocker, "a file where a directory belongs")
        const files = yield* Files
        const target = join(blocker, "agents", "main", "auth-profiles.json")
        for (const attempt of [files.readText(target), files.writeAtomic(target, "{}"), files.realPath(target)]) {
          const error = yield* Effect.flip(attempt)
          expect(error).toMatchObject({ code: "ENOTDIR", blockedBy: blocker })
          expect(error.message).toContain(`its parent ${blocker} is a file, not a directory`)
          expect(error.message).not.toMatch(/remove|delete/i)
        }
        expect(readFileSync(blocker, "utf8")).toBe("a file where a directory belongs")
      })
    )
  )
})
