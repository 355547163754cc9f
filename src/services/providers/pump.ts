/**
 * A provider's event-stream body pushed to a sink, without a fiber: the gateway's lane (src/gateway/Lane.ts) relays
 * a same-shape stream with it. The same reader (./relay.ts), limits and deadline as ./eventStream.ts `sseStream`:
 * one event larger than the limit fails the stream as `format`; the idle deadline runs while the sink takes chunks
 * (`sseStream`'s pull waits) and counts from the last event's end, so bytes that never end an event cannot hold it
 * off, and a client that reads slowly pauses the body without using up the provider's time once an event has
 * ended. After the provider's end marker the rest of the body is read and dropped (the connection goes back to the
 * keep-alive pool) if it ends within the deadline; a failure, or `stop`, aborts the request.
 */
import type { IncomingMessage } from "node:http"
import type { ProviderError } from "../../domain/Chat.js"
import type { Pumping, StreamSink } from "../ProviderClient.js"
import { type CallContext, failure, tooLarge } from "./errors.js"
import { type BodyReader, providerErrorEvent, type ReaderStep } from "./eventStream.js"
import { SseTooLarge } from "./sse.js"

/** Exactly one of the sink's `end` and `fail` is called, and nothing after it or after `stop`. */
export const pumpBody = <T>(ctx: CallContext, body: IncomingMessage, abort: () => void, reader: BodyReader<T>, sink: StreamSink<T>): Pumping => {
  let over = false
  let paused = false
  /** Since when the stream has waited for an event to end; undefined: from the next time it reads. */
  let since: number | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const arm = () => {
    const now = Date.now()
    since ??= now
    clearTimeout(timer)
    timer = setTimeout(() => fail(failure(ctx, new Error("timeout"), true, "data")), Math.max(0, ctx.timeoutMs - (now - since)))
  }
  const finish = () => {
    over = true
    clearTimeout(timer)
  }
  const fail = (error: ProviderError) => {
    if (over) return
    finish()
    abort()
    sink.fail(error)
  }
  const broken = (error: unknown) => fail(error instanceof SseTooLarge ? tooLarge(ctx, "one event of the stream") : failure(ctx, error, false, "data"))
  const take = (step: ReaderStep<T>, last: boolean) => {
    if (step.progress) since = undefined
    const room = step.events.length === 0 || sink.chunks(step.events)
    if (step.error !== undefined) return fail(providerErrorEvent(ctx, step.error))
    if (step.done) {
      finish()
      // Read to the end and dropped: the connection goes back to the keep-alive pool — within the deadline, or closed.
      if (!body.complete) {
        const rest = setTimeout(abort, ctx.timeoutMs)
        body.once("end", () => clearTimeout(rest)).once("close", () => clearTimeout(rest))
        if (body.isPaused()) body.resume()
      }
      return sink.end()
    }
    if (last) return fail(failure(ctx, new Error("the provider closed the stream before it finished"), false, ""))
    if (room) return arm()
    paused = true
    clearTimeout(timer)
    body.pause()
  }
  body.on("data", (bytes: Buffer) => {
    if (over) return
    let step: ReaderStep<T>
    try {
      step = reader.push(bytes)
    } catch (error) {
      return broken(error)
    }
    take(step, false)
  })
  body.on("end", () => {
    if (over) return
    let step: ReaderStep<T>
    try {
      step = reader.end()
    } catch (error) {
      return broken(error)
    }
    take(step, true)
  })
  body.on("error", (error) => !over && broken(error))
  body.on("close", () => !over && broken(Object.assign(new Error("aborted"), { code: "ECONNRESET" })))
  arm()
  return {
    resume: () => {
      if (over || !paused) return
      paused = false
      arm()
      body.resume()
    },
    stop: () => {
      if (over) return
      finish()
      abort()
    }
  }
}
