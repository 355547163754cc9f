import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import { escapeControl } from "../domain/Untrusted.js"
import { HostProcess } from "./HostProcess.js"
import { SecretRegistry } from "./SecretRegistry.js"
import { serviceLayer } from "./LayerInOrder.js"

/**
 * Progress of slow work (§6 "Command-line manners": refresh, login, secret resolution): one line on stderr, on a
 * terminal only, redrawn in place and erased when the work ends. Never on stdout, never in a pipe or a log.
 */
export interface ProgressShape {
  /**
   * Runs `effect` while `label` is shown; the line is gone when it ends, however it ends. `still`: drawn once, not
   * animated — for work that may itself use the terminal (an exec secrets provider asking for a passphrase).
   */
  readonly during: <A, E, R>(label: string, effect: Effect.Effect<A, E, R>, options?: { readonly still?: boolean }) => Effect.Effect<A, E, R>
}

export const silentProgress: ProgressShape = { during: (_label, effect) => effect }

/**
 * Silent unless an edge says otherwise: only the CLI on a terminal shows progress; the gateway, the tests and
 * every program run without one stay quiet without having to ask.
 */
export class Progress extends Context.Reference<Progress>()("openclaw/Progress", { defaultValue: () => silentProgress }) {
  /** The CLI's: on a terminal stderr, through the scrubber (a label may name an id that is a secret). */
  static readonly layer = serviceLayer(
    Progress,
    Effect.map(Effect.all([HostProcess, SecretRegistry]), ([host, secrets]) =>
      host.stderrIsTTY ? terminalProgress((text) => void process.stderr.write(secrets.scrub(text))) : silentProgress
    )
  )
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
/** Carriage return and erase-line: the line is redrawn where it is; nothing above it is touched. */
export const ERASE_LINE = "\r\u001b[2K"
const TICK = "120 millis"

/** The line for `label` after `elapsedMs`, frame `n`: `⠹ Refreshing … 4s`. */
export const progressLine = (label: string, n: number, elapsedMs: number): string =>
  `${ERASE_LINE}${FRAMES[n % FRAMES.length]} ${escapeControl(label)}${elapsedMs >= 1000 ? ` ${Math.floor(elapsedMs / 1000)}s` : ""}`

/** One line at a time: work started while a line is shown runs under that line (no second spinner fighting it). */
export const terminalProgress = (write: (text: string) => void): ProgressShape => {
  let active = false
  return {
    during: (label, effect, options) =>
      Effect.suspend(() => {
        if (active) return effect
        active = true
        return Effect.acquireUseRelease(
          Effect.gen(function* () {
            const start = yield* Clock.currentTimeMillis
            write(progressLine(label, 0, 0))
            if (options?.still === true) return Fiber.void
            let n = 0
            const redraw = Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => write(progressLine(label, ++n, now - start))))
            // Forked inside acquire, which is uninterruptible: the spinner must be interruptible itself to stop.
            return yield* Effect.forkDaemon(Effect.interruptible(Effect.asVoid(Effect.repeat(Effect.delay(redraw, TICK), Schedule.spaced(TICK)))))
          }),
          () => effect,
          (spinner) =>
            Effect.zipRight(
              Fiber.interrupt(spinner),
              Effect.sync(() => {
                active = false
                write(ERASE_LINE)
              })
            )
        )
      })
  }
}
