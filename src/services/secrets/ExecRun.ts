import type { ChildProcess } from "node:child_process"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { errnoCode } from "../../domain/Errors.js"

/** One run of an exec provider's command: what it was given and its limits (§9). */
export interface ExecSpec {
  /** The checked real path of the command. */
  readonly file: string
  /** argv[0] as configured (a multi-call binary behind a symlink keeps its name). */
  readonly argv0: string
  readonly args: ReadonlyArray<string>
  /** The child's whole environment: nothing is inherited. */
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  readonly input: string
  readonly timeoutMs: number
  readonly noOutputTimeoutMs: number
  readonly maxOutputBytes: number
}

export type ExecOutcome =
  | {
      readonly _tag: "Exited"
      readonly code: number | null
      readonly signal: string | null
      readonly stdout: string
      readonly stderr: string
    }
  | { readonly _tag: "SpawnFailed"; readonly code: string }
  /** `exited`: the command itself had exited, but its output was still held open (by what it left running). */
  | { readonly _tag: "TimedOut"; readonly exited?: boolean }
  | { readonly _tag: "Silent"; readonly exited?: boolean }
  | { readonly _tag: "TooMuchOutput" }

/** Enough of stderr for the first line of a reason; the rest is read and dropped. */
const STDERR_KEPT = 4096
/** SIGKILL ends a process at once; this only bounds the wait for its exit should the kernel be slow to reap it. */
const REAP_GRACE_MS = 2000

/** The child's whole process group (it is spawned as a group leader), else just the child. */
const killGroup = (child: ChildProcess): void => {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
  } catch {
    child.kill("SIGKILL")
  }
}

/**
 * Ends a run that did not close by itself (a limit was hit, or the caller gave up). The group is killed even when
 * the command itself has exited: what it left in the background may hold our stdout open (that is why no "close"
 * came), and our ends of the pipes are destroyed so nothing it left can keep this process alive.
 */
const abandon = (child: ChildProcess): void => {
  killGroup(child)
  child.stdin?.destroy()
  child.stdout?.destroy()
  child.stderr?.destroy()
}

/**
 * Runs the command once and settles only when it is gone: on exit, or after it was killed because its output passed
 * the cap, or (when a timer wins the race below and interrupts this) because time ran out. Never fails.
 */
const runChild = (
  spawn: typeof import("node:child_process").spawn,
  spec: ExecSpec,
  onOutput: () => void,
  onExit: () => void
): Effect.Effect<ExecOutcome> =>
  Effect.async<ExecOutcome>((resume) => {
    let child: ChildProcess
    try {
      // No shell; a process group of its own, so a kill also reaches what the command started.
      child = spawn(spec.file, [...spec.args], {
        argv0: spec.argv0,
        cwd: spec.cwd,
        env: { ...spec.env },
        stdio: ["pipe", "pipe", "pipe"],
        detached: true,
        windowsHide: true
      })
    } catch (e) {
      resume(Effect.succeed({ _tag: "SpawnFailed", code: errnoCode(e) }))
      return
    }
    let gone = false
    let settled = false
    child.once("exit", () => {
      gone = true
      onExit()
    })
    const whenGone = (then: () => void): void => {
      if (gone || child.pid === undefined) return then()
      const guard = setTimeout(then, REAP_GRACE_MS)
      child.once("exit", () => {
        clearTimeout(guard)
        then()
      })
    }
    const settle = (outcome: ExecOutcome): void => {
      if (settled) return
      settled = true
      if (outcome._tag !== "Exited") abandon(child)
      whenGone(() => resume(Effect.succeed(outcome)))
    }
    const stdout: Array<Buffer> = []
    let stdoutBytes = 0
    const stderr: Array<Buffer> = []
    let stderrBytes = 0
    child.stdout!.on("data", (chunk: Buffer) => {
      onOutput()
      stdoutBytes += chunk.length
      if (stdoutBytes > spec.maxOutputBytes) settle({ _tag: "TooMuchOutput" })
      else stdout.push(chunk)
    })
    child.stderr!.on("data", (chunk: Buffer) => {
      onOutput()
      if (stderrBytes < STDERR_KEPT) stderr.push(chunk.subarray(0, STDERR_KEPT - stderrBytes))
      stderrBytes += chunk.length
    })
    child.on("error", (e) => settle({ _tag: "SpawnFailed", code: errnoCode(e) }))
    child.on("close", (code, signal) =>
      settle({
        _tag: "Exited",
        code,
        signal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8")
      })
    )
    // A command that exits without reading its stdin closes the pipe: not an error of ours.
    child.stdin!.on("error", () => undefined)
    child.stdin!.end(spec.input)
    return Effect.async<void>((done) => {
      settled = true
      abandon(child)
      whenGone(() => done(Effect.void))
    })
  })

/**
 * The command's outcome within its limits. Both timeouts run on Effect's Clock (tests drive them with TestClock):
 * `timeoutMs` from the start, `noOutputTimeoutMs` from the last byte on stdout or stderr. Whichever limit is hit
 * first wins and the command is killed (its process group, SIGKILL) before this returns.
 */
export const runExec = (spec: ExecSpec): Effect.Effect<ExecOutcome> =>
  Effect.gen(function* () {
    // Loaded when a command is actually run: it costs every start-up otherwise.
    const { spawn } = yield* Effect.promise(() => import("node:child_process"))
    const clock = yield* Effect.clock
    const start = clock.unsafeCurrentTimeMillis()
    let lastOutput = start
    let exited = false
    // A silence that would end at or after the overall deadline is the timeout's to report (the default, where
    // noOutputTimeoutMs equals timeoutMs, always says "timed out").
    const silence: Effect.Effect<ExecOutcome> = Effect.gen(function* () {
      for (;;) {
        const ends = lastOutput + spec.noOutputTimeoutMs
        if (ends >= start + spec.timeoutMs) return yield* Effect.never
        const now = yield* Clock.currentTimeMillis
        if (now >= ends) return { _tag: "Silent", exited } as const
        yield* Effect.sleep(Duration.millis(ends - now))
      }
    })
    const overall = Effect.map(Effect.sleep(Duration.millis(spec.timeoutMs)), () => ({ _tag: "TimedOut", exited }) as const)
    return yield* Effect.raceAll([
      runChild(
        spawn,
        spec,
        () => {
          lastOutput = clock.unsafeCurrentTimeMillis()
        },
        () => {
          exited = true
        }
      ),
      overall,
      silence
    ])
  })
