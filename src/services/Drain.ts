import * as Effect from "effect/Effect"

/** A writable as `untilDrained` sees it: process.stdout, an HTTP response, any node Writable. */
export interface DrainableStream {
  readonly writableNeedDrain: boolean
  readonly destroyed: boolean
  on(event: "drain" | "close" | "error", listener: () => void): unknown
  off(event: "drain" | "close" | "error", listener: () => void): unknown
}

/**
 * Resumes once `stream` can take more: at once when its buffer is not full, else when it drains, or when it is
 * gone (closed, failed: nothing will drain it then). Interruptible: the listeners go with the waiter. Shared by the
 * CLI's paced stdout (cli/PacedConsole.ts) and the gateway's stream relay (gateway/Respond.ts).
 */
export const untilDrained = (stream: DrainableStream): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (!stream.writableNeedDrain || stream.destroyed) return resume(Effect.void)
    const detach = () => {
      stream.off("drain", done)
      stream.off("close", done)
      stream.off("error", done)
    }
    const done = () => {
      detach()
      resume(Effect.void)
    }
    stream.on("drain", done)
    stream.on("close", done)
    stream.on("error", done)
    return Effect.sync(detach)
  })
