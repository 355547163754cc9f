import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { of, reasonOf, ref, resolveLive, tempDir, writeFile } from "./harness.js"

const isRoot = process.getuid?.() === 0

const jsonProvider = (file: string, extra: Record<string, unknown> = {}) => ({
  providers: { vault: { source: "file", path: file, mode: "json", ...extra } }
})

describe("file provider (§9)", () => {
  it.effect("json mode: ids are RFC 6901 pointers, ~1 and ~0 unescaped", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = yield* Effect.promise(() =>
        writeFile(
          path.join(dir, "secrets.json"),
          JSON.stringify({ providers: { openai: { apiKey: "sk-openai-1234567890" } }, "a/b": { "c~d": "slash-and-tilde" }, "~1": "literal" })
        )
      )
      const refs = [ref("file", "vault", "/providers/openai/apiKey"), ref("file", "vault", "/a~1b/c~0d"), ref("file", "vault", "/~01")]
      const results = yield* resolveLive(refs, jsonProvider(file))
      expect(of(results, refs[0]!)).toEqual({ _tag: "Resolved", value: "sk-openai-1234567890" })
      expect(of(results, refs[1]!)).toEqual({ _tag: "Resolved", value: "slash-and-tilde" })
      expect(of(results, refs[2]!)).toEqual({ _tag: "Resolved", value: "literal" })
    })
  )

  it.effect("json mode: a missing pointer, a non-string, an empty string and the prototype are each unresolved, saying why", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = yield* Effect.promise(() =>
        writeFile(path.join(dir, "s.json"), JSON.stringify({ a: { b: "x-secret-value" }, n: 5, o: { k: "v" }, e: "", list: ["first"] }))
      )
      const missing = ref("file", "vault", "/a/nope/deeper")
      const number = ref("file", "vault", "/n")
      const object = ref("file", "vault", "/o")
      const empty = ref("file", "vault", "/e")
      const proto = ref("file", "vault", "/__proto__")
      const ctor = ref("file", "vault", "/a/constructor")
      const element = ref("file", "vault", "/list/0")
      const results = yield* resolveLive([missing, number, object, empty, proto, ctor, element], jsonProvider(file))
      expect(reasonOf(results, missing)).toContain("has nothing at /a/nope")
      expect(reasonOf(results, number)).toContain("the value at /n is a number, not a string")
      expect(reasonOf(results, object)).toContain("is an object, not a string")
      expect(reasonOf(results, empty)).toContain("the value at /e is empty")
      expect(reasonOf(results, proto)).toContain("has nothing at /__proto__")
      expect(reasonOf(results, ctor)).toContain("has nothing at /a/constructor")
      expect(of(results, element)).toEqual({ _tag: "Resolved", value: "first" })
      for (const r of [missing, number, object, empty]) expect(reasonOf(results, r)).not.toContain("x-secret-value")
    })
  )

  it.effect("json mode: a file that is not JSON, or not an object, spoils every id and never quotes the content", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const broken = yield* Effect.promise(() => writeFile(path.join(dir, "broken.json"), "sk-leaky-secret-value-123 {"))
      const array = yield* Effect.promise(() => writeFile(path.join(dir, "array.json"), `["sk-in-an-array"]`))
      const a = ref("file", "broken", "/x")
      const b = ref("file", "array", "/0")
      const results = yield* resolveLive([a, b], {
        providers: { broken: { source: "file", path: broken }, array: { source: "file", path: array } }
      })
      expect(reasonOf(results, a)).toContain("is not valid JSON")
      expect(reasonOf(results, a)).not.toContain("sk-leaky")
      expect(reasonOf(results, b)).toContain("holds an array, not a JSON object")
    })
  )

  it.effect("singleValue: the id is value, the content less its trailing newline; ~ expands with the home", () =>
    Effect.gen(function* () {
      const home = tempDir("home")
      yield* Effect.promise(() => fs.mkdir(path.join(home, ".openclaw"), { mode: 0o700 }))
      yield* Effect.promise(() => writeFile(path.join(home, ".openclaw", "key.txt"), "sk-single-value-abc\n"))
      const value = ref("file", "key", "value")
      const pointer = ref("file", "key", "/value")
      const secrets = { providers: { key: { source: "file", path: "~/.openclaw/key.txt", mode: "singleValue" } } }
      const results = yield* resolveLive([value, pointer], secrets, { home })
      expect(of(results, value)).toEqual({ _tag: "Resolved", value: "sk-single-value-abc" })
      expect(reasonOf(results, pointer)).toContain(`a singleValue file has one id, "value"`)
      // CRLF endings, and only one newline is taken.
      yield* Effect.promise(() => writeFile(path.join(home, ".openclaw", "key.txt"), "line1\nline2\r\n"))
      const again = yield* resolveLive([value], secrets, { home })
      expect(of(again, value)).toEqual({ _tag: "Resolved", value: "line1\nline2" })
      yield* Effect.promise(() => writeFile(path.join(home, ".openclaw", "key.txt"), "\n"))
      expect(reasonOf(yield* resolveLive([value], secrets, { home }), value)).toContain("is empty")
    })
  )

  it.effect("a missing file, a directory and a relative path are unresolved with the reason", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const missing = ref("file", "missing", "/k")
      const directory = ref("file", "directory", "/k")
      const relative = ref("file", "relative", "/k")
      const results = yield* resolveLive([missing, directory, relative], {
        providers: {
          missing: { source: "file", path: path.join(dir, "nope.json") },
          directory: { source: "file", path: dir },
          relative: { source: "file", path: "secrets.json" }
        }
      })
      expect(reasonOf(results, missing)).toBe(`file provider "missing": the secrets file ${path.join(dir, "nope.json")} does not exist`)
      expect(reasonOf(results, directory)).toContain("is not a regular file")
      expect(reasonOf(results, relative)).toContain("is not absolute")
    })
  )

  it.effect("a FIFO is refused without blocking (nobody ever writes to it)", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const fifo = path.join(dir, "secrets.fifo")
      expect(spawnSync("mkfifo", ["-m", "600", fifo]).status).toBe(0)
      const r = ref("file", "pipe", "value")
      const started = Date.now()
      const results = yield* resolveLive([r], { providers: { pipe: { source: "file", path: fifo, mode: "singleValue" } } })
      expect(reasonOf(results, r)).toContain(`${fifo} is not a regular file`)
      expect(Date.now() - started).toBeLessThan(5_000)
    })
  )

  it.effect("a group- or world-writable file is refused (mode in octal) unless allowInsecurePath", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const group = yield* Effect.promise(() => writeFile(path.join(dir, "group.json"), `{"k":"sk-group-writable-1"}`, 0o620))
      const world = yield* Effect.promise(() => writeFile(path.join(dir, "world.json"), `{"k":"sk-world-writable-1"}`, 0o646))
      const g = ref("file", "group", "/k")
      const w = ref("file", "world", "/k")
      const ok = ref("file", "trusted", "/k")
      const results = yield* resolveLive([g, w, ok], {
        providers: {
          group: { source: "file", path: group },
          world: { source: "file", path: world },
          trusted: { source: "file", path: group, allowInsecurePath: true }
        }
      })
      expect(reasonOf(results, g)).toBe(
        `file provider "group": the secrets file ${group} is writable by its group (mode 0620): chmod go-w ${group}, or set allowInsecurePath: true on the provider if it is trusted`
      )
      expect(reasonOf(results, w)).toContain("is writable by others (mode 0646)")
      expect(of(results, ok)).toEqual({ _tag: "Resolved", value: "sk-group-writable-1" })
    })
  )

  it.effect.runIf(isRoot)("a file owned by someone else (not root) is refused, naming the owner's uid", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = yield* Effect.promise(() => writeFile(path.join(dir, "theirs.json"), `{"k":"sk-theirs-123456"}`))
      yield* Effect.promise(() => fs.chown(file, 65534, 65534))
      const r = ref("file", "theirs", "/k")
      const results = yield* resolveLive([r], { providers: { theirs: { source: "file", path: file } } })
      expect(reasonOf(results, r)).toContain(`is owned by uid 65534, not by you (uid 0) or root`)
      const insecure = yield* resolveLive([r], { providers: { theirs: { source: "file", path: file, allowInsecurePath: true } } })
      expect(of(insecure, r)).toEqual({ _tag: "Resolved", value: "sk-theirs-123456" })
    })
  )

  it.effect("a file over maxBytes is refused", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = yield* Effect.promise(() => writeFile(path.join(dir, "big.json"), JSON.stringify({ k: "x".repeat(100) })))
      const r = ref("file", "big", "/k")
      const results = yield* resolveLive([r], { providers: { big: { source: "file", path: file, maxBytes: 64 } } })
      expect(reasonOf(results, r)).toContain("over maxBytes (64)")
      const fits = yield* resolveLive([r], { providers: { big: { source: "file", path: file, maxBytes: 108 } } })
      expect(of(fits, r)).toEqual({ _tag: "Resolved", value: "x".repeat(100) })
    })
  )

  it.effect("a symlinked file is read where it points, and judged by what is opened", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const target = yield* Effect.promise(() => writeFile(path.join(dir, "real.json"), `{"k":"sk-behind-a-link-1"}`, 0o666))
      const link = path.join(dir, "link.json")
      yield* Effect.promise(() => fs.symlink(target, link))
      const r = ref("file", "linked", "/k")
      const results = yield* resolveLive([r], { providers: { linked: { source: "file", path: link } } })
      expect(reasonOf(results, r)).toContain("is writable by its group and others (mode 0666)")
    })
  )
})
