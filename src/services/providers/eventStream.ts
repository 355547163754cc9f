/**
 * A provider's event-stream body as a Stream of chunks: the bytes flow through a BodyReader — the parser and a
 * decoder (./sse.ts; provider shape → canonical events or → the client's frames) or, for a same-shape stream, the
 * relay (./relay.ts) — under an idle deadline and the event size limit (§8.6).
 */
import type { IncomingMessage } from "node:http"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import { ProviderError } from "../../domain/Chat.js"
import type { StreamDecoder, StreamStep } from "../../domain/chat/Codec.js"
import { pullStream } from "../PullStream.js"
import { messageReason } from "../../domain/Failure.js"
import { type CallContext, cleanDetail, failure, tooLarge } from "./errors.js"
import { type SseEvent, SseParser, SseTooLarge } from "./sse.js"

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

/** Events through the parser and a decoder (the provider's shape → canonical events, or → the client's frames). */
export const decodedBody = <T>(maxEventBytes: number, decoder: StreamDecoder<T>): BodyReader<T> => {
  const parser = new SseParser(maxEventBytes)
  const run = (events: ReadonlyArray<SseEvent>): ReaderStep<T> => {
    const out: Array<T> = []
    let error: StreamStep<T>["error"]
    for (const event of events) {
      const step = decoder.onEvent(event)
      for (const chunk of step.events) out.push(chunk)
      if (step.error !== undefined) error = step.error
      if (step.done) return { events: out, done: true, progress: out.length > 0, ...(error === undefined ? {} : { error }) }
    }
    return { events: out, done: false, progress: out.length > 0, ...(error === undefined ? {} : { error }) }
  }
  return {
    push: (bytes) => run(parser.push(bytes)),
    end: () => {
      const step = run(parser.end())
      if (step.done) return step
      const last = decoder.onEnd()
      if (last === undefined) return step
      const events = [...step.events, ...last.events]
      return { events, done: true, progress: events.length > 0, ...((last.error ?? step.error) === undefined ? {} : { error: last.error ?? step.error }) }
    }
  }
}

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

/**
 * The body flows ('data' events, each chunk as the socket delivered it) into the parser and the decoder; chunks
 * wait in `ready` for the next pull, and the body is paused while they do (a slow client slows the provider). Not
 * the body's async iterator: its read() concatenates whatever is buffered into a new Buffer, a copy per read that
 * was a large part of the gateway's CPU while a provider streamed megabytes without an event (bench/README.md,
 * Hostile provider). Each pull must have a chunk within `timeoutMs` (an idle deadline: a long answer is fine, while
 * a stalled one, or one that drips bytes that never make an event, is cut; a chunk without an event's end in it
 * does not restart the deadline). One event larger than the body limit
 * fails the stream as `format`. After the provider's end marker the rest of the body is read and dropped, so the
 * connection goes back to the keep-alive pool; ending the stream early aborts the request. Run once.
 */
export const sseStream = <T>(
  ctx: CallContext,
  body: IncomingMessage,
  abort: () => void,
  reader: BodyReader<T>
): Stream.Stream<T, ProviderError> => {
  let ready: Array<T> = []
  /** Nothing more will be added to `ready`: the decoder's end, the body's end, or `broken`. */
  let finished = false
  /** Why the stream broke (thrown after `ready` is delivered): a ProviderError, or a transport error to classify. */
  let broken: unknown
  /** The provider's own error event, thrown after the chunks before it. */
  let pending: ProviderError | undefined
  /** The pull waiting for a chunk. */
  let waiting: (() => void) | undefined
  /**
   * Since when the stream has waited for an event: kept across deliveries that held none (a same-shape stream's
   * lines go on before their event ends), so bytes that never make an event cannot hold off the idle deadline.
   */
  let waitingSince: number | undefined
  /** An event ended since the last delivery. */
  let progressed = false
  const wake = () => {
    const w = waiting
    waiting = undefined
    w?.()
  }
  const take = (step: ReaderStep<T>) => {
    for (const chunk of step.events) ready.push(chunk)
    if (step.progress) progressed = true
    if (step.error !== undefined) pending = providerErrorEvent(ctx, step.error)
    if (step.done) finished = true
  }
  const breakWith = (error: unknown) => {
    if (finished) return
    finished = true
    broken = error
    wake()
  }
  body.on("data", (bytes: Buffer) => {
    if (finished) return // past the end marker: read to the end for the keep-alive pool
    try {
      take(reader.push(bytes))
    } catch (error) {
      return breakWith(error instanceof SseTooLarge ? tooLarge(ctx, "one event of the stream") : error)
    }
    if (waiting !== undefined) {
      if (ready.length > 0 || finished) wake()
    } else if (ready.length > 0 && !finished) body.pause()
  })
  body.on("end", () => {
    if (!finished) {
      let last: ReaderStep<T>
      try {
        last = reader.end()
      } catch (error) {
        return breakWith(error instanceof SseTooLarge ? tooLarge(ctx, "one event of the stream") : error)
      }
      take(last)
      if (!last.done) return breakWith(failure(ctx, new Error("the provider closed the stream before it finished"), false, ""))
    }
    wake()
  })
  // Also after `finished`: an 'error' event without a listener would be thrown.
  body.on("error", breakWith)
  body.on("close", () => breakWith(Object.assign(new Error("aborted"), { code: "ECONNRESET" })))
  const pull = Effect.async<Chunk.Chunk<T>, Option.Option<ProviderError>>((resume) => {
    const now = Date.now()
    const since = waitingSince ?? now
    const deliver = () => {
      clearTimeout(timer)
      if (ready.length > 0) {
        const chunks = ready
        ready = []
        waitingSince = progressed ? undefined : since
        progressed = false
        return resume(Effect.succeed(Chunk.unsafeFromArray(chunks)))
      }
      const error = broken ?? pending
      resume(Effect.fail(error === undefined ? Option.none() : Option.some(failure(ctx, error, false, "data"))))
    }
    const timer = setTimeout(() => {
      waiting = undefined
      abort()
      resume(Effect.fail(Option.some(failure(ctx, new Error("timeout"), true, "data"))))
    }, Math.max(0, ctx.timeoutMs - (now - since)))
    if (ready.length > 0 || finished) deliver()
    else {
      waiting = deliver
      if (body.isPaused()) body.resume()
    }
    return Effect.sync(() => {
      clearTimeout(timer)
      waiting = undefined
      abort()
    })
  })
  // Ending the stream for any reason closes a connection still in use; one read to the end is already back in the pool.
  // A pullStream: the gateway writes it with a loop over `pull` (../PullStream.ts).
  return pullStream(pull, () => void (body.complete || abort()))
}
