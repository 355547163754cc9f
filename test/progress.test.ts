/** Progress on a terminal (§6 "Command-line manners", issue 15 item 4): one line, redrawn in place, then erased. */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import { ERASE_LINE, Progress, silentProgress, terminalProgress } from "../src/services/Progress.js"
import { SecretRegistry } from "../src/services/SecretRegistry.js"
import { hostProcess } from "./support/TestPorts.js"

const recorder = () => {
  const writes: Array<string> = []
  return { writes, progress: terminalProgress((text) => void writes.push(text)) }
}

describe("terminal progress", () => {
  it.effect("draws one line, redraws it in place with the time taken, and erases it when the work ends", () =>
    Effect.gen(function* () {
      const { writes, progress } = recorder()
      const work = Effect.zipRight(TestClock.adjust("1500 millis"), Effect.succeed(42))
      expect(yield* progress.during("Refreshing the OAuth token of anthropic:me…", work)).toBe(42)
      expect(writes[0]).toBe(`${ERASE_LINE}⠋ Refreshing the OAuth token of anthropic:me…`)
      expect(writes.at(-2)).toMatch(/^\r\u001b\[2K. Refreshing the OAuth token of anthropic:me… 1s$/)
      expect(writes.at(-1)).toBe(ERASE_LINE)
      // Only carriage return and erase-line: never a cursor move up, never a newline (nothing above is touched).
      expect(writes.join("")).not.toMatch(/\n|\u001b\[\d*A/)
    })
  )

  it.effect("erases the line when the work fails, and a nested step draws no second line", () =>
    Effect.gen(function* () {
      const { writes, progress } = recorder()
      const exit = yield* Effect.exit(progress.during("outer", progress.during("inner", Effect.fail("boom"))))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(writes).toEqual([`${ERASE_LINE}⠋ outer`, ERASE_LINE])
      yield* progress.during("next", Effect.void)
      expect(writes.slice(2)).toEqual([`${ERASE_LINE}⠋ next`, ERASE_LINE])
    })
  )

  it.effect("a still line is drawn once, whatever the time taken; control characters in a label are escaped", () =>
    Effect.gen(function* () {
      const { writes, progress } = recorder()
      yield* progress.during("exec \u001b[2J\"vault\"…", TestClock.adjust("5 seconds"), { still: true })
      expect(writes).toEqual([`${ERASE_LINE}⠋ exec \\x1b[2J"vault"…`, ERASE_LINE])
    })
  )

  it.effect("the CLI's layer is silent unless stderr is a terminal", () =>
    Effect.gen(function* () {
      const layerFor = (stderrIsTTY: boolean) =>
        Progress.layer.pipe(Layer.provide(Layer.merge(hostProcess({ vars: {}, stderrIsTTY }), SecretRegistry.layer)))
      expect(yield* Effect.provide(Progress, layerFor(false))).toBe(silentProgress)
      expect(yield* Effect.provide(Progress, layerFor(true))).not.toBe(silentProgress)
      // Nothing provided (the gateway, a program run on its own): silent.
      expect(yield* Progress).toBe(silentProgress)
    })
  )
})
