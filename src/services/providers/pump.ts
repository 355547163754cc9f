/**
 * A provider's event-stream body pushed to a sink, without a fiber: the one place its bytes are read. The gateway's
 * lane (src/gateway/Lane.ts) relays a same-shape stream with it; ./eventStream.ts `sseStream` makes a pulled Stream
 * of it. The bytes flow through a BodyReader (the parser and a decoder, or the relay of ./relay.ts); one event larger
 * than the limit fails the stream as `format`. The idle deadline runs while the sink takes chunks and counts from
 * the last event's end, so bytes that never end an event cannot hold it off, and a client that reads slowly pauses
 * the body without using up the provider's time once an event has ended. After the provider's end marker the rest
 * of the body is read and dropped (the connection goes back to the keep-alive pool) if it ends within the deadline;
 * a failure, or `stop`, aborts the request.
 */
import type { IncomingMessage } from "node:http"
import { ProviderError } from "../../domain/Chat.js"
import type { Pumping, StreamSink } from "../ProviderClient.js"
import { type CallContext, cleanDetail, failure, tooLarge } from "./errors.js"
import type { StreamStep } from "../../domain/chat/Codec.js"
import { messageReason } from "../../domain/Failure.js"
import { SseTooLarge } from "./sse.js"

/**
 * What becomes of the provider's bytes: the stream's chunks, and whether the provider said it is finished (an
 * `end` that is not `done`: it closed the stream early). Throws SseTooLarge past the event size limit.
 */
export interface BodyReader<T> {
  readonly push: (bytes: Buffer) => ReaderStep<T>
  readonly end: () => ReaderStep<T>
}

/** `progress`: an event ended in these bytes (what the idle deadline counts). */
export type ReaderStep<T> = StreamStep<T> & { readonly progress: boolean }

/** The provider's own error event (an error status or type in its stream), its message scrubbed. */
export const providerErrorEvent = (ctx: CallContext, error: NonNullable<StreamStep<unknown>["error"]>): ProviderError => {
  const said = messageReason(error.message)
  return new ProviderError({
    provider: ctx.provider,
    kind: "http",
    detail: cleanDetail(error.message, ctx),
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(said === undefined ? {} : { said })
  })
}

/** Exactly one of the sink's `end` and `fail` is called, and nothing after it or after `stop`. */
export const pumpBody = <T>(
  ctx: CallContext,
  body: IncomingMessage,
  abort: () => void,
  reader: BodyReader<T>,
  sink: StreamSink<T>,
  options: { readonly startPaused?: boolean } = {}
): Pumping => {
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
    if (step.done || step.error !== undefined) {
      const error = step.error === undefined ? undefined : providerErrorEvent(ctx, step.error)
      finish()
      // Read to the end and dropped: the connection goes back to the keep-alive pool — within the deadline, or closed.
      if (!body.complete) {
        const rest = setTimeout(abort, ctx.timeoutMs)
        body.once("end", () => clearTimeout(rest)).once("close", () => clearTimeout(rest))
        if (body.isPaused()) body.resume()
      }
      // The provider's own error event ends its stream as its end marker would.
      return error === undefined ? sink.end() : sink.fail(error)
    }
    if (last) return fail(failure(ctx, new Error("the provider closed the stream before it finished"), false, ""))
    if (room) return arm()
    paused = true
    clearTimeout(timer)
    body.pause()
  }
  /** A step of the reader, taken; whatever throws on the way (in node's callback) breaks the stream instead. */
  const step = (next: () => ReaderStep<T>, last: boolean) => {
    try {
      take(next(), last)
    } catch (error) {
      broken(error)
    }
  }
  body.on("data", (bytes: Buffer) => !over && step(() => reader.push(bytes), false))
  body.on("end", () => !over && step(() => reader.end(), true))
  body.on("error", (error) => !over && broken(error))
  body.on("close", () => !over && broken(Object.assign(new Error("aborted"), { code: "ECONNRESET" })))
  if (options.startPaused === true) {
    // The first `resume` starts the deadline (a pull: ./eventStream.ts).
    paused = true
    body.pause()
  } else arm()
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
