/**
 * The exec provider's child processes: whatever ends a run — the caller interrupting, a timeout — the command and
 * what it started are gone before resolve returns; providers run a few at a time; a command that cannot start says
 * so. Timers are the TestClock's, so nothing here waits for a timeout in real time.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { processGone } from "../scripts/resolverHarness.js"
import { alive, nodeScript, of, READ_REQUEST, realSleep, reasonOf, ref, resolveLive, shScript, tempDir, timersQueued, waitForFile, writeFile } from "./harness.js"

const isRoot = process.getuid?.() === 0
const lines = (file: string) => Effect.promise(() => fs.readFile(file, "utf8").then((t) => t.split("\n").filter(Boolean), () => []))

describe("exec provider: no child outlives a run (§9)", () => {
  it.effect("interrupting resolve kills the command and reaps it", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const pidFile = path.join(dir, "pid")
      const command = yield* Effect.promise(() => shScript(path.join(dir, "hang"), `echo $$ > ${pidFile}\nexec /bin/sleep 30`))
      const fiber = yield* Effect.fork(resolveLive([ref("exec", "vault", "a")], { providers: { vault: { source: "exec", command } } }))
      const pid = Number(yield* waitForFile(pidFile))
      expect(alive(pid)).toBe(true)
      yield* Fiber.interrupt(fiber)
      expect(alive(pid)).toBe(false)
    })
  )

  it.effect("a timeout kills the command's whole process group: what it started dies with it", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const pidFile = path.join(dir, "pid")
      const childFile = path.join(dir, "grandchild")
      const command = yield* Effect.promise(() =>
        shScript(path.join(dir, "spawner"), `/bin/sleep 30 &\necho $! > ${childFile}\necho $$ > ${pidFile}\nwait`)
      )
      const r = ref("exec", "vault", "a")
      const fiber = yield* Effect.fork(resolveLive([r], { providers: { vault: { source: "exec", command, timeoutMs: 2000 } } }))
      const pid = Number(yield* waitForFile(pidFile))
      const grandchild = Number(yield* waitForFile(childFile))
      yield* timersQueued(1)
      expect(yield* Effect.promise(() => processGone(grandchild))).toBe(false)
      yield* TestClock.adjust("2 seconds")
      const results = yield* Fiber.join(fiber)
      expect(reasonOf(results, r)).toContain("timed out after 2000 ms")
      expect(alive(pid)).toBe(false)
      // Reparented when its parent died; whoever reaps it now, it must not be running.
      for (let i = 0; i < 100 && !(yield* Effect.promise(() => processGone(grandchild))); i++) yield* realSleep(20)
      expect(yield* Effect.promise(() => processGone(grandchild))).toBe(true)
    })
  )

  it.effect("a command that exits while what it started holds stdout open: the timeout still kills that, returns, and says so", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const childFile = path.join(dir, "grandchild")
      const pidFile = path.join(dir, "pid")
      // The backgrounded sleep inherits stdout, so no "close" comes when the script exits: only the timeout ends it.
      const command = yield* Effect.promise(() =>
        shScript(path.join(dir, "leaver"), `echo $$ > ${pidFile}\n/bin/sleep 30 &\necho $! > ${childFile}\nprintf '{"protocolVersion":1,"values":{"a":"v"}}'`)
      )
      const r = ref("exec", "vault", "a")
      const fiber = yield* Effect.fork(resolveLive([r], { providers: { vault: { source: "exec", command, timeoutMs: 2000 } } }))
      const pid = Number(yield* waitForFile(pidFile))
      const grandchild = Number(yield* waitForFile(childFile))
      yield* timersQueued(1)
      // The script itself exits (and is reaped) before the time is up; only its background child holds the pipe.
      for (let i = 0; i < 200 && alive(pid); i++) yield* realSleep(10)
      yield* realSleep(50)
      yield* TestClock.adjust("2 seconds")
      const results = yield* Fiber.join(fiber)
      expect(reasonOf(results, r)).toContain("exited, but something it started kept its output open past 2000 ms (timeoutMs)")
      for (let i = 0; i < 100 && !(yield* Effect.promise(() => processGone(grandchild))); i++) yield* realSleep(20)
      expect(yield* Effect.promise(() => processGone(grandchild))).toBe(true)
    })
  )
})

describe("exec provider: scheduling and start-up (§9)", () => {
  it.effect("providers run at most 4 at a time, each with its one batch", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const log = path.join(dir, "started")
      const release = path.join(dir, "release")
      const names = ["p1", "p2", "p3", "p4", "p5", "p6"]
      const providers: Record<string, unknown> = {}
      for (const name of names) {
        const command = yield* Effect.promise(() =>
          shScript(
            path.join(dir, name),
            `echo ${name} >> ${log}\nwhile [ ! -e ${release} ]; do /bin/sleep 0.02; done\nprintf '{"protocolVersion":1,"values":{"a":"v-${name}","b":"w-${name}"}}'`
          )
        )
        providers[name] = { source: "exec", command }
      }
      const refs = names.flatMap((name) => [ref("exec", name, "a"), ref("exec", name, "b")])
      const fiber = yield* Effect.fork(resolveLive(refs, { providers }))
      for (let i = 0; i < 500 && (yield* lines(log)).length < 4; i++) yield* realSleep(20)
      expect((yield* lines(log)).length).toBe(4)
      yield* realSleep(300)
      expect((yield* lines(log)).length).toBe(4)
      yield* Effect.promise(() => fs.writeFile(release, ""))
      const results = yield* Fiber.join(fiber)
      for (const name of names) {
        expect(of(results, ref("exec", name, "a"))).toEqual({ _tag: "Resolved", value: `v-${name}` })
        expect(of(results, ref("exec", name, "b"))).toEqual({ _tag: "Resolved", value: `w-${name}` })
      }
      expect((yield* lines(log)).sort()).toEqual(names)
    })
  )

  it.effect("a command that cannot start (its interpreter is missing) says so for every id", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const command = yield* Effect.promise(() => writeFile(path.join(dir, "orphan"), "#!/nonexistent/interpreter\n", 0o755))
      const refs = [ref("exec", "vault", "a"), ref("exec", "vault", "b")]
      const results = yield* resolveLive(refs, { providers: { vault: { source: "exec", command } } })
      for (const r of refs) expect(reasonOf(results, r)).toBe(`exec provider "vault" could not be started (ENOENT)`)
    })
  )

  it.effect("a command killed by a signal is named by it", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const command = yield* Effect.promise(() => shScript(path.join(dir, "suicide"), "kill -TERM $$"))
      const r = ref("exec", "vault", "a")
      const results = yield* resolveLive([r], { providers: { vault: { source: "exec", command } } })
      expect(reasonOf(results, r)).toBe(`exec provider "vault" was killed by SIGTERM`)
    })
  )

  it.effect.runIf(isRoot)("a command owned by someone else (not root) is refused unless allowInsecurePath", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const command = yield* Effect.promise(() => nodeScript(path.join(dir, "theirs"), `${READ_REQUEST}\nreply({ a: "sk-their-resolver-1" })`))
      yield* Effect.promise(() => fs.chown(command, 65534, 65534))
      const r = ref("exec", "vault", "a")
      const refused = yield* resolveLive([r], { providers: { vault: { source: "exec", command } } })
      expect(reasonOf(refused, r)).toContain(`its command ${command} is owned by uid 65534, not by you (uid 0) or root`)
      const allowed = yield* resolveLive([r], { providers: { vault: { source: "exec", command, allowInsecurePath: true } } })
      expect(of(allowed, r)).toEqual({ _tag: "Resolved", value: "sk-their-resolver-1" })
    })
  )

  it.effect("without allowExec, file and env refs of the same request still resolve", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = yield* Effect.promise(() => writeFile(path.join(dir, "s.json"), `{"k":"sk-file-beside-exec"}`))
      const refs = [ref("exec", "vault", "a"), ref("file", "disk", "/k"), ref("env", "default", "KEY")]
      const results = yield* resolveLive(
        refs,
        { providers: { vault: { source: "exec", command: "/bin/false" }, disk: { source: "file", path: file } } },
        { allowExec: false, env: { KEY: "sk-env-beside-exec" } }
      )
      expect(refs.map((r) => of(results, r)._tag)).toEqual(["NotRun", "Resolved", "Resolved"])
    })
  )
})
