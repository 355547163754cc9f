import { describe, expect, it } from "@effect/vitest"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Writable } from "node:stream"
import { pacedConsole } from "../../src/cli/PacedConsole.js"

/** A stream like a pipe whose reader is slower than the writer: each chunk is taken on a later turn of the loop. */
const slowPipe = (highWaterMark: number) => {
  const received: Array<string> = []
  const stream = new Writable({
    highWaterMark,
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      setImmediate(() => {
        received.push(chunk)
        callback()
      })
    }
  })
  return { stream, received }
}

const consoleOn = (stream: Writable) => Effect.map(Effect.console, (base) => pacedConsole(base, stream))

describe("pacedConsole (stdout at the pace of its reader, issue 12)", () => {
  it.live("writes each log as console.log would, in order", () =>
    Effect.gen(function* () {
      const { stream, received } = slowPipe(64)
      const console = yield* consoleOn(stream)
      yield* Effect.withConsole(Effect.all([Console.log("plain"), Console.log("a %s b", "x"), Console.log(1, { k: [2] }), Console.log("100% sure")]), console)
      yield* Effect.async<void>((resume) => void stream.end(() => resume(Effect.void)))
      expect(received.join("")).toBe("plain\na x b\n1 { k: [ 2 ] }\n100% sure\n")
    })
  )

  it.live("makes the next line only once the reader has taken what filled the buffer", () =>
    Effect.gen(function* () {
      const { stream, received } = slowPipe(256)
      const console = yield* consoleOn(stream)
      const line = "x".repeat(99)
      let mostQueued = 0
      yield* Effect.withConsole(
        Effect.forEach(Array.from({ length: 200 }), () =>
          Effect.zipRight(
            Effect.sync(() => void (mostQueued = Math.max(mostQueued, stream.writableLength))),
            Console.log(line)
          )
        ),
        console
      )
      yield* Effect.async<void>((resume) => void stream.end(() => resume(Effect.void)))
      expect(received.length).toBe(200)
      // Unpaced, all 200 lines (20,000 bytes) sit in the buffer at once.
      expect(mostQueued).toBeLessThanOrEqual(256)
    })
  )

  it.live("a reader that went away (closed, failed) ends the waiting, not the program", () =>
    Effect.gen(function* () {
      // A reader that takes nothing: the first line fills the buffer, and the drain never comes.
      const stream = new Writable({ highWaterMark: 16, write: () => undefined })
      const console = yield* consoleOn(stream)
      const fiber = yield* Effect.fork(Effect.withConsole(Effect.forEach(Array.from({ length: 50 }), () => Console.log("y".repeat(40))), console))
      yield* Effect.sleep("20 millis")
      expect(fiber.unsafePoll()).toBeNull()
      stream.destroy(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }))
      yield* fiber.await.pipe(Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "still waiting for a drain that cannot come" }))
    })
  )
})
