import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { format } from "node:util"
import { type DrainableStream, untilDrained } from "../services/Drain.js"

/** What the console writes to: process.stdout at the edge, any Writable in a test. */
export interface PacedStream extends DrainableStream {
  write(chunk: string): boolean
  listenerCount(event: "error"): number
}

const ignore = (): void => undefined

/**
 * `base` with `log` written to `stream` (as console.log writes it: util.format of the arguments and a line end), and
 * paced: a line that fills the stream's buffer waits for it to drain before the next one is made. A pipe whose reader
 * is slower than we write (`models status --json | jq`) otherwise queued every piece of a large --json report in
 * memory at once (issue 12, `status --json` on 20,000 profiles into `| cat`: 172 MB and 1.5 s; paced, 113 MB and
 * 1.05 s, as into a file).
 * Write errors are ignored, as console.log ignores them: a reader that went away (`| head`) ends nothing but output.
 */
export const pacedConsole = (base: Console.Console, stream: PacedStream): Console.Console => {
  if (stream.listenerCount("error") === 0) stream.on("error", ignore)
  return {
    ...base,
    log: (...args) =>
      Effect.suspend(() => {
        stream.write(`${format(...args)}\n`)
        return untilDrained(stream)
      })
  }
}
