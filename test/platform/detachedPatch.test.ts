/**
 * Guards patches/@effect+platform-node-shared+*.patch: upstream spawns every child with
 * `detached: true` (a new session), which cuts an interactive child such as `claude setup-token`
 * off the terminal. Patched, a child whose stdin is "inherit" stays in our session and process
 * group; every other child keeps upstream's own session, so its whole group can still be killed.
 *
 * Reads /proc, so Linux only.
 */
import * as Command from "@effect/platform/Command"
import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { readFileSync } from "node:fs"

const Live = NodeCommandExecutor.layer.pipe(Layer.provideMerge(NodeFileSystem.layer))

interface ProcStat {
  readonly pid: number
  readonly pgrp: number
  readonly session: number
}

/** Parses /proc/<pid>/stat; the command name (field 2) may hold spaces, so split after its ")". */
const parseStat = (text: string): ProcStat => {
  const pid = Number(text.slice(0, text.indexOf(" ")))
  const rest = text.slice(text.lastIndexOf(")") + 2).trim().split(" ")
  // rest: state(3) ppid(4) pgrp(5) session(6) …
  return { pid, pgrp: Number(rest[2]), session: Number(rest[3]) }
}

const self = (): ProcStat => parseStat(readFileSync("/proc/self/stat", "utf8"))

const statOf = (pid: number): ProcStat | undefined => {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"))
  } catch {
    return undefined
  }
}

/** True while `pid` exists (a zombie still counts: it has not been reaped). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** `cat` prints its own /proc/self/stat, i.e. the spawned child's. */
const childStat = (stdin: "inherit" | "pipe") =>
  Command.make("cat", "/proc/self/stat").pipe(
    Command.stdin(stdin),
    Command.string,
    Effect.map(parseStat)
  )

const sleeper = Command.make("sleep", "30").pipe(Command.stdin("inherit"))

describe.skipIf(process.platform !== "linux")("patched @effect/platform-node-shared: detached only without inherited stdin", () => {
  it.effect("a child with stdin \"inherit\" stays in the caller's session and process group", () =>
    Effect.gen(function*() {
      const me = self()
      const child = yield* childStat("inherit")
      expect(child.pid).not.toBe(me.pid)
      expect(child.session).toBe(me.session)
      expect(child.pgrp).toBe(me.pgrp)
    }).pipe(Effect.provide(Live)))

  it.effect("a child with stdin \"pipe\" (the default) still gets a new session and group (upstream behaviour)", () =>
    Effect.gen(function*() {
      const me = self()
      const piped = yield* childStat("pipe")
      expect(piped.session).not.toBe(me.session)
      expect(piped.session).toBe(piped.pid)
      expect(piped.pgrp).toBe(piped.pid)

      const byDefault = yield* Command.make("cat", "/proc/self/stat").pipe(Command.string, Effect.map(parseStat))
      expect(byDefault.session).toBe(byDefault.pid)
      expect(byDefault.session).not.toBe(me.session)
    }).pipe(Effect.provide(Live)))

  it.effect("interrupting the fiber of a long-running non-detached child kills it promptly", () =>
    Effect.gen(function*() {
      const me = self()
      const started = yield* Deferred.make<number>()
      const fiber = yield* Effect.scoped(
        Effect.gen(function*() {
          const proc = yield* Command.start(sleeper)
          yield* Deferred.succeed(started, proc.pid)
          return yield* proc.exitCode
        })
      ).pipe(Effect.fork)
      const pid = yield* Deferred.await(started)
      const stat = statOf(pid)
      // Same session, not a group leader: the release's process.kill(-pid) fails (ESRCH) and it
      // must fall back to handle.kill.
      expect(stat?.session).toBe(me.session)
      expect(stat?.pgrp).not.toBe(pid)
      expect(alive(pid)).toBe(true)

      const t0 = Date.now()
      yield* Fiber.interrupt(fiber).pipe(
        Effect.timeoutFail({ duration: Duration.seconds(5), onTimeout: () => new Error("interrupt hung") })
      )
      expect(Date.now() - t0).toBeLessThan(5_000)
      expect(alive(pid)).toBe(false)
    }).pipe(Effect.provide(Live)))

  it.scoped("Process.kill() terminates a non-detached child (group kill falls back to the pid)", () =>
    Effect.gen(function*() {
      const me = self()
      const proc = yield* Command.start(sleeper)
      const stat = statOf(proc.pid)
      expect(stat?.session).toBe(me.session)
      expect(stat?.pgrp).not.toBe(proc.pid)

      const t0 = Date.now()
      yield* proc.kill("SIGTERM").pipe(
        Effect.timeoutFail({ duration: Duration.seconds(5), onTimeout: () => new Error("kill hung") })
      )
      expect(Date.now() - t0).toBeLessThan(5_000)
      expect(alive(proc.pid)).toBe(false)
      // Ended by a signal: the executor reports that as an error rather than an exit code.
      const exit = yield* Effect.either(proc.exitCode)
      expect(exit._tag).toBe("Left")
    }).pipe(Effect.provide(Live)))
})
